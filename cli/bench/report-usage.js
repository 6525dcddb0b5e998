"use strict";
// Preloaded into a measured child process: at exit, writes its peak memory and CPU time to the
// file named by FLUXPILOT_USAGE_FILE. Measuring from inside the child needs no external tool.
const fs = require("fs");
const target = process.env.FLUXPILOT_USAGE_FILE;
if (target) {
    process.on("exit", () => {
        const usage = process.resourceUsage();
        fs.writeFileSync(target, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime }));
    });
}
