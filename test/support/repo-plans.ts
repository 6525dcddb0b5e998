/**
 * The offline plans of this repository's stacks, run once per mocha run and shared by every test
 * that reads them (the URN snapshots, `plan --policy`, the GitOps checks' cluster facts, render and
 * validate). Each stack is planned twice by the built command line, as `npm run plan` does:
 * `plan <stack> --policy --out <file>` (tree, then the policy report) and `plan <stack> --json --out
 * <file>` (the snapshot on stdout), so the tests still see two independent runs to compare.
 *
 * Mocha's parallel workers are separate processes: the results live in a folder made once per run
 * (test/setup.ts's global setup passes it in FLUXPILOT_TEST_PLANS); the first worker to want a
 * stack plans it under a lock folder, the other one waits for its result instead of planning again.
 * Run outside that setup (one file, the mutation config), each process plans into its own folder.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";
import { builtCli } from "./built-cli";

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** The two runs of one stack: their output, and the snapshot file each wrote. */
export interface RepoPlan {
    stack: string;
    /** `plan <stack> --policy --out tree.json`: the tree, then the policy report. */
    tree: CliResult;
    treeFile: string;
    /** `plan <stack> --json --out json.json`: the snapshot on stdout. */
    json: CliResult;
    jsonFile: string;
}

export const PLANS_ENV = "FLUXPILOT_TEST_PLANS";

let ownFolder: string | undefined;
function plansFolder(): string {
    const shared = process.env[PLANS_ENV];
    if (shared) return shared;
    ownFolder ??= fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-test-plans-"));
    return ownFolder;
}

/** Runs the built plan command line with `args` in `cwd`; never rejects on a non-zero exit. */
export function runBuiltPlan(args: readonly string[], cwd = REPOSITORY_ROOT): Promise<CliResult> {
    return new Promise((resolve, reject) => {
        execFile(process.execPath, [builtCli("plan"), ...args], { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: "0" } }, (error, stdout, stderr) => {
            // A non-numeric code means the child never ran (e.g. spawn failed): that is the error.
            if (error && typeof error.code !== "number") reject(new Error(`the plan did not run: ${error.message}`, { cause: error }));
            else resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
        });
    });
}

const inProcess = new Map<string, Promise<RepoPlan>>();

/** The plans of one of this repository's stacks (see the top of this file). */
export function repoPlan(stack: string): Promise<RepoPlan> {
    let plan = inProcess.get(stack);
    if (!plan) {
        plan = sharedPlan(stack);
        inProcess.set(stack, plan);
    }
    return plan;
}

/** The snapshot a finished repoPlan wrote (the --policy run's), parsed; for synchronous readers after `repoPlan` resolved. */
export function snapshotOf(plan: RepoPlan): unknown {
    if (plan.tree.code !== 0) throw new Error(`the offline plan of stack ${plan.stack} failed (exit ${plan.tree.code}):\n${plan.tree.stderr}`);
    return JSON.parse(fs.readFileSync(plan.treeFile, "utf8"));
}

async function sharedPlan(stack: string): Promise<RepoPlan> {
    const folder = path.join(plansFolder(), stack);
    const result = path.join(folder, "result.json");
    const lock = `${folder}.lock`;
    fs.mkdirSync(path.dirname(folder), { recursive: true });
    let mine = false;
    try {
        fs.mkdirSync(lock); // atomic: exactly one process gets it
        mine = true;
    } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (!mine) {
        // Another worker is planning this stack; its result appears when it is done. No time
        // limit here: the test's own timeout is the safety net.
        while (!fs.existsSync(result)) await new Promise((resolve) => setTimeout(resolve, 200));
        return JSON.parse(fs.readFileSync(result, "utf8")) as RepoPlan;
    }
    fs.mkdirSync(folder, { recursive: true });
    const treeFile = path.join(folder, "tree.json");
    const jsonFile = path.join(folder, "json.json");
    const [tree, json] = await Promise.all([runBuiltPlan([stack, "--policy", "--out", treeFile]), runBuiltPlan([stack, "--out", jsonFile, "--json"])]);
    const plan: RepoPlan = { stack, tree, treeFile, json, jsonFile };
    // Written whole, then renamed: a waiting worker never reads half a file.
    fs.writeFileSync(`${result}.tmp`, JSON.stringify(plan));
    fs.renameSync(`${result}.tmp`, result);
    return plan;
}
