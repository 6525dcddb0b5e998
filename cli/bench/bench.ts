/**
 * `npm run bench [-- --runs N]`: how long and how much memory the things people run take,
 * measured on this checkout. Prints a table; docs/benchmarks.md records the figures with the
 * machine they came from. Not a test: nothing here passes or fails.
 *
 * Measured: the offline plan of every stack, type-checking the whole program, the test suite,
 * and the cost of importing provider SDKs by their package root instead of by submodule (the
 * project's rule).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { listStacks } from "../shared/stack-file";
import { REPOSITORY_ROOT } from "../../core/repository";
import { recordOrEmpty } from "../../core/guards";

const repoRoot = REPOSITORY_ROOT;
const preload = path.join(__dirname, "report-usage.js");
const tsc = require.resolve("typescript/lib/tsc.js");
const mocha = require.resolve("mocha/bin/mocha.js");

interface Sample {
    seconds: number;
    maxRssMb: number;
}

/** Runs `node <args>` once in `cwd` and reads the usage the child reported about itself. */
function measureOnce(args: string[], cwd: string): Sample {
    const usageFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-bench-")), "usage.json");
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["-r", preload, ...args], {
        cwd,
        env: { ...process.env, FLUXPILOT_USAGE_FILE: usageFile },
        encoding: "utf8",
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) {
        throw new Error(`node ${args.join(" ")} exited ${result.status}:\n${result.stderr}`);
    }
    const usage: unknown = JSON.parse(fs.readFileSync(usageFile, "utf8"));
    return { seconds, maxRssMb: Number(recordOrEmpty(usage).maxRssKb) / 1024 };
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function measure(label: string, args: string[], runs: number, cwd = repoRoot): string {
    const samples = Array.from({ length: runs }, () => measureOnce(args, cwd));
    const seconds = median(samples.map((s) => s.seconds));
    const rss = median(samples.map((s) => s.maxRssMb));
    return `${label.padEnd(46)} ${seconds.toFixed(2).padStart(8)} s ${rss.toFixed(0).padStart(8)} MiB`;
}

/** A throwaway project inside the checkout (so node_modules resolves) that imports the SDKs one way. */
function importStyleProject(style: "root" | "submodule"): string {
    const dir = path.join(repoRoot, "out", "bench", `imports-${style}`);
    fs.mkdirSync(dir, { recursive: true });
    const source =
        style === "root"
            ? `import * as aws from "@pulumi/aws";\nimport * as gcp from "@pulumi/gcp";\nimport * as azure from "@pulumi/azure-native";\n` +
              `export const used = [aws.eks.Cluster, aws.ec2.Vpc, gcp.container.Cluster, azure.containerservice.ManagedCluster];\n`
            : `import * as eks from "@pulumi/aws/eks";\nimport * as ec2 from "@pulumi/aws/ec2";\nimport * as container from "@pulumi/gcp/container";\n` +
              `import * as containerservice from "@pulumi/azure-native/containerservice";\n` +
              `export const used = [eks.Cluster, ec2.Vpc, container.Cluster, containerservice.ManagedCluster];\n`;
    fs.writeFileSync(path.join(dir, "index.ts"), source);
    const tsconfig = { extends: "../../../tsconfig.json", include: ["index.ts"], compilerOptions: { types: ["node"] } };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    return dir;
}

function main(argv: string[]): void {
    const runsAt = argv.indexOf("--runs");
    const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
    if (!Number.isInteger(runs) || runs < 1) {
        throw new Error(`--runs must be a whole number of at least 1, not ${argv[runsAt + 1]}`);
    }
    const planOut = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-bench-plan-"));
    console.log(`FluxPilot benchmarks: median of ${runs} runs, node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
    console.log(`${"what".padEnd(46)} ${"wall".padStart(10)} ${"peak RSS".padStart(12)}`);
    for (const stack of listStacks(repoRoot)) {
        const args = ["-r", "ts-node/register/transpile-only", "cli/plan/cli.ts", stack, "--out", path.join(planOut, `${stack}.json`)];
        console.log(measure(`npm run plan -- ${stack}`, args, runs));
    }
    console.log(measure("tsc -p . (type-check the whole program)", [tsc, "-p", "."], runs));
    console.log(measure("mocha (the whole test suite, after tsc)", [mocha, "--reporter", "dot"], runs));
    for (const style of ["submodule", "root"] as const) {
        console.log(measure(`tsc, SDKs imported by ${style}`, [tsc, "-p", importStyleProject(style)], runs));
    }
}

main(process.argv.slice(2));
