#!/usr/bin/env node
/**
 * Runs the static checks of `npm test` side by side and fails when any of them fails.
 *
 *     node tools/checks.js "tsc -p ." "npm run -s deps" "npm run -s lint"
 *
 * Each argument is one shell command. They are independent and each single-threaded (the type
 * check and the type-aware lint each build their own TypeScript program), so on a machine with
 * more than one core running them together saves the shorter ones' time (docs/benchmarks.md,
 * "Test suite"). Each command's output is held back and printed whole, under its command, once
 * it ends, so outputs never interleave. The exit code is the first failing command's (in the
 * order given), or 1 when a command was killed by a signal; 0 only when every command passed.
 */
"use strict";
const { spawn } = require("child_process");

function run(command) {
    return new Promise((resolve) => {
        const chunks = [];
        const child = spawn(command, { shell: true, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (chunk) => chunks.push(chunk));
        child.stderr.on("data", (chunk) => chunks.push(chunk));
        child.on("error", (error) => resolve({ command, code: 127, output: Buffer.from(`${error.message}\n`) }));
        child.on("close", (code, signal) => resolve({ command, code: code ?? 1, signal, output: Buffer.concat(chunks) }));
    });
}

async function main(commands) {
    if (commands.length === 0) {
        process.stderr.write('usage: node tools/checks.js "<command>" ["<command>" ...]\n');
        return 2;
    }
    const started = Date.now();
    // Printed as each ends, so a fast failure shows before the slow checks finish.
    const results = await Promise.all(
        commands.map((command) =>
            run(command).then((result) => {
                const seconds = ((Date.now() - started) / 1000).toFixed(1);
                const status = result.code === 0 ? "ok" : `FAILED (${result.signal ? `signal ${result.signal}` : `exit ${result.code}`})`;
                process.stdout.write(`> ${command}: ${status}, ${seconds} s\n`);
                if (result.output.length > 0) process.stdout.write(result.output);
                return result;
            }),
        ),
    );
    const failed = results.find((result) => result.code !== 0);
    return failed ? failed.code : 0;
}

main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exitCode = 1;
    },
);
