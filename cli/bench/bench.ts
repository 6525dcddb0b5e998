/**
 * `npm run bench [-- --runs N] [--suite | --suite-only] [--baseline <git-ref>] [--imports]`: how long and how much memory
 * the things people run take, measured on this checkout. Prints tables; docs/benchmarks.md
 * records the figures with the machine and its load. Not a test: nothing here passes or fails.
 *
 * Measured, each as median of N runs of a fresh Node process: loading the provider SDKs alone
 * (the floor every plan pays), the same with the SDK's TypeScript deferred as the plan defers it,
 * the offline plan of every stack and its ratio to both, the plan through ts-node and with the
 * SDK's per-promise stack traces and diagnostics (what the defaults avoid),
 * the build step's no-op check, plans of generated prod-like stacks of 1/10/30/100 clusters with
 * the cost per added cluster, each stack's deployment critical path against its slowest
 * cluster's, type-checking, and (with --suite) the whole `npm test`, optionally side by side
 * with the same suite at another commit.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";
import { clusterPaths } from "../plan/critical-path";
import { PlanSnapshot } from "../plan/snapshot";
import { listStacks } from "../shared/stack-file";
import { BUILD_DIR } from "../shared/program-entry";
import { writeScaleProject } from "./scale";

const repoRoot = REPOSITORY_ROOT;
// The sources' copy: out/build holds only transpiled TypeScript.
const preload = path.join(repoRoot, "cli", "bench", "report-usage.js");
const tsc = require.resolve("typescript/lib/tsc.js");
const planCli = path.join(BUILD_DIR, "cli", "plan", "cli.js");
/** What the plan loads before the program does anything: the SDKs of every cloud it can use. */
const SDKS = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/aws/eks", "@pulumi/gcp/container", "@pulumi/azure-native/containerservice"];
const SCALE = [1, 10, 30, 100];

interface Sample {
    seconds: number;
    cpuSeconds: number;
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
        maxBuffer: 256 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) {
        throw new Error(`node ${args.join(" ")} exited ${result.status}:\n${result.stderr}`);
    }
    const usage: unknown = JSON.parse(fs.readFileSync(usageFile, "utf8"));
    fs.rmSync(path.dirname(usageFile), { recursive: true, force: true });
    if (!isUsage(usage)) throw new Error(`node ${args.join(" ")} reported no usage`);
    return { seconds, cpuSeconds: usage.cpuMicros / 1e6, maxRssMb: usage.maxRssKb / 1024 };
}

function isUsage(value: unknown): value is { maxRssKb: number; cpuMicros: number } {
    return (
        typeof value === "object" &&
        value !== null &&
        typeof (value as { maxRssKb?: unknown }).maxRssKb === "number" &&
        typeof (value as { cpuMicros?: unknown }).cpuMicros === "number"
    );
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function measure(args: string[], runs: number, cwd = repoRoot): Sample {
    const samples = Array.from({ length: runs }, () => measureOnce(args, cwd));
    return {
        seconds: median(samples.map((s) => s.seconds)),
        cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
        maxRssMb: median(samples.map((s) => s.maxRssMb)),
    };
}

const HEADER = `${"what".padEnd(52)} ${"wall".padStart(9)} ${"CPU".padStart(9)} ${"peak RSS".padStart(10)}`;

function row(label: string, sample: Sample, extra = ""): string {
    return `${label.padEnd(52)} ${sample.seconds.toFixed(2).padStart(7)} s ${sample.cpuSeconds.toFixed(2).padStart(7)} s ${sample.maxRssMb.toFixed(0).padStart(6)} MiB${extra}`;
}

/** Against the SDK load, and in brackets against the SDK load without its TypeScript, which the plan defers. */
function ratio(sample: Sample, base: Sample, withoutTypeScript: Sample): string {
    return `   ${(sample.seconds / base.seconds).toFixed(2)}x wall, ${(sample.cpuSeconds / base.cpuSeconds).toFixed(2)}x CPU of the SDK load (${(sample.cpuSeconds / withoutTypeScript.cpuSeconds).toFixed(2)}x without TS)`;
}

function planArgs(stack: string, out: string, extra: string[] = []): string[] {
    return [planCli, stack, "--out", out, ...extra];
}

function readPlan(file: string): PlanSnapshot {
    return JSON.parse(fs.readFileSync(file, "utf8")) as PlanSnapshot;
}

function criticalPathRow(label: string, snapshot: PlanSnapshot): string {
    const paths = clusterPaths(snapshot.resources);
    const slowest = paths.clusters.reduce((a, b) => (b.path.seconds > a.path.seconds ? b : a), paths.clusters[0]);
    const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;
    return `${label.padEnd(22)} ${minutes(paths.stack.seconds).padStart(9)} ${`${slowest?.name ?? "-"} ${minutes(slowest?.path.seconds ?? 0)}`.padStart(26)} ${paths.ratio.toFixed(2).padStart(7)}`;
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

/** A copy of the repository at `ref` (git archive), sharing this checkout's node_modules. */
function checkoutOf(ref: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-baseline-"));
    const archive = spawnSync("git", ["archive", "--format=tar", ref], { cwd: repoRoot, maxBuffer: 512 * 1024 * 1024 });
    if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr.toString()}`);
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/** `npm test` in `dir`: wall time and its closing "N passed, N failed" line. */
function timeSuite(dir: string): { seconds: number; summary: string } {
    const started = process.hrtime.bigint();
    const run = spawnSync("npm", ["test"], { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const summary = run.stdout.trimEnd().split("\n").pop() ?? "";
    // The whole output is kept, so a failure can be read without running the suite again.
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-suite-")), "npm-test.log");
    fs.writeFileSync(log, `${run.stdout}\n${run.stderr}`);
    return { seconds, summary: `${summary} (exit ${run.status}; output in ${log})` };
}

interface BenchOptions {
    runs: number;
    suite: boolean;
    baseline?: string;
    /** Also type-check the SDKs imported by package root against by submodule (why the project imports by submodule). */
    imports: boolean;
    /** Only the test suite (the rest takes minutes on a loaded machine). */
    suiteOnly: boolean;
}

function parseOptions(argv: string[]): BenchOptions {
    const runsAt = argv.indexOf("--runs");
    const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, not ${argv[runsAt + 1]}`);
    const baselineAt = argv.indexOf("--baseline");
    const baseline = baselineAt >= 0 ? argv[baselineAt + 1] : undefined;
    if (baselineAt >= 0 && !baseline) throw new Error("--baseline needs a git commit or branch, e.g. --baseline main");
    const suiteOnly = argv.includes("--suite-only");
    return { runs, suite: suiteOnly || argv.includes("--suite") || baseline !== undefined, baseline, imports: argv.includes("--imports"), suiteOnly };
}

function main(argv: string[]): void {
    const options = parseOptions(argv);
    const load = os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ");
    console.log(
        `FluxPilot benchmarks: median of ${options.runs} runs, node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average ${load} at start`,
    );
    if (!options.suiteOnly) measurePrograms(options);
    if (options.suite) measureSuite(options.baseline);
    console.log(
        `\nload average at the end: ${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(" ")}`,
    );
}

function measurePrograms({ runs, imports }: BenchOptions): void {
    const planOut = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-bench-plan-"));
    console.log(`\n${HEADER}`);

    const requireSdks = ["-e", SDKS.map((m) => `require(${JSON.stringify(m)});`).join("")];
    const sdk = measure(requireSdks, runs);
    console.log(row("SDK load (node -e require the provider SDKs)", sdk));
    // The same with the SDK's TypeScript deferred as the plan defers it (cli/plan/fast-start.ts).
    const sdkWithoutTs = measure(["-r", path.join(BUILD_DIR, "cli", "plan", "fast-start.js"), ...requireSdks], runs);
    console.log(row("SDK load, its TypeScript deferred as in the plan", sdkWithoutTs));
    console.log(row("build check, nothing changed (node tools/build.js)", measure([path.join(repoRoot, "tools", "build.js")], runs)));
    const stacks = listStacks(repoRoot);
    for (const stack of stacks) {
        const sample = measure(planArgs(stack, path.join(planOut, `${stack}.json`)), runs);
        console.log(row(`npm run plan -- ${stack}`, sample, ratio(sample, sdk, sdkWithoutTs)));
    }
    const prodOut = path.join(planOut, "prod-variant.json");
    if (stacks.includes("prod")) {
        const traced = measure(planArgs("prod", prodOut, ["--verbose"]), runs);
        console.log(row("plan prod --verbose (SDK diagnostics kept)", traced, ratio(traced, sdk, sdkWithoutTs)));
        const tsNode = measure(["-r", "ts-node/register/transpile-only", "cli/plan/cli.ts", "prod", "--out", prodOut], runs);
        console.log(row("plan prod through ts-node --transpile-only", tsNode, ratio(tsNode, sdk, sdkWithoutTs)));
    }

    console.log(`\nScale: prod-like stacks of generated clusters (EKS, GKE, AKS in turn)`);
    console.log(`${HEADER}   per added cluster (CPU, RSS)`);
    let previous: { clusters: number; sample: Sample } | undefined;
    const scaleOut = path.join(planOut, "scale.json");
    let largest: PlanSnapshot | undefined;
    for (const clusters of SCALE) {
        const project = writeScaleProject(clusters);
        const sample = measure(planArgs("prod", scaleOut, ["--project-dir", project]), runs);
        const step = previous
            ? `   ${((sample.cpuSeconds - previous.sample.cpuSeconds) / (clusters - previous.clusters)).toFixed(3)} s, ${((sample.maxRssMb - previous.sample.maxRssMb) / (clusters - previous.clusters)).toFixed(1)} MiB`
            : "";
        console.log(row(`plan of ${clusters} cluster${clusters === 1 ? "" : "s"}`, sample, step));
        previous = { clusters, sample };
        largest = readPlan(scaleOut);
        fs.rmSync(project, { recursive: true, force: true });
    }

    console.log(`\nCritical path (creation times: cli/plan/creation-times.ts)`);
    console.log(`${"stack".padEnd(22)} ${"path".padStart(9)} ${"slowest cluster".padStart(26)} ${"ratio".padStart(7)}`);
    for (const stack of stacks) console.log(criticalPathRow(stack, readPlan(path.join(planOut, `${stack}.json`))));
    if (largest) console.log(criticalPathRow(`${SCALE[SCALE.length - 1]} clusters`, largest));

    console.log(`\n${HEADER}`);
    console.log(row("tsc -p . (type-check the whole program)", measure([tsc, "-p", "."], runs)));
    if (imports) {
        for (const style of ["submodule", "root"] as const) {
            console.log(row(`tsc, SDKs imported by ${style}`, measure([tsc, "-p", importStyleProject(style)], runs)));
        }
    }

    fs.rmSync(planOut, { recursive: true, force: true });
}

function measureSuite(baseline: string | undefined): void {
    console.log(`\nTest suite (npm test: type check and lint, dependency rules, prettier and mocha side by side), once each, back to back`);
    const report = (label: string, run: { seconds: number; summary: string }) => console.log(`${label.padEnd(52)} ${run.seconds.toFixed(1).padStart(7)} s   ${run.summary}`);
    if (baseline) {
        const dir = checkoutOf(baseline);
        const before = timeSuite(dir);
        report(`npm test at ${baseline}`, before);
        const after = timeSuite(repoRoot);
        report("npm test in this checkout", after);
        console.log(`ratio this checkout / ${baseline}: ${(after.seconds / before.seconds).toFixed(2)}`);
        fs.rmSync(dir, { recursive: true, force: true });
    } else {
        report("npm test in this checkout", timeSuite(repoRoot));
    }
}

main(process.argv.slice(2));
