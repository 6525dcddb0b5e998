/**
 * The cluster facts the render and the checks substitute: each cluster's from the offline plan of
 * its stack (the stacks whose `fluxpilot:environment` is the environment rendered), or from plan
 * snapshots given on the command line. Each plan runs in its own process, as `npm run plan` does:
 * the mock runtime and the program's modules are process-wide.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterFactsFromPlan, PlannedClusterFacts, PlanFactsError } from "../../gitops-checks/plan-facts";
import { listStacks, readStackConfig } from "./stack-file";

/**
 * The plan command line next to this file: cli.js when this runs from the built copy (npm run
 * render/validate), else cli.ts through ts-node (tests, ts-node runs).
 */
const RUNNING_BUILT = __filename.endsWith(".js");
const PLAN_CLI = path.join(__dirname, "..", "plan", RUNNING_BUILT ? "cli.js" : "cli.ts");
const PLAN_NODE_ARGS = RUNNING_BUILT ? [PLAN_CLI] : ["-r", "ts-node/register/transpile-only", PLAN_CLI];

export { PlanFactsError };

/** The stacks of the Pulumi project in `projectDir` whose environment is `env`; none without a project. */
export function stacksOfEnvironment(projectDir: string, env: string): string[] {
    if (!fs.existsSync(path.join(projectDir, "Pulumi.yaml"))) return [];
    return listStacks(projectDir).filter((stack) => readStackConfig(projectDir, stack).config["fluxpilot:environment"] === env);
}

/** Runs the offline plan of `stack` in a child process and returns its snapshot (parsed JSON). */
export function planSnapshot(projectDir: string, stack: string): unknown {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-facts-"));
    const out = path.join(dir, `${stack}.json`);
    try {
        const run = spawnSync(process.execPath, [...PLAN_NODE_ARGS, stack, "--project-dir", projectDir, "--out", out], {
            cwd: projectDir,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
            env: { ...process.env, FORCE_COLOR: "0" },
        });
        if (run.status !== 0)
            throw new PlanFactsError(`the offline plan of stack ${stack} failed, so its cluster facts are unknown:\n${(run.stderr ?? run.error?.message ?? "").trim()}`);
        return JSON.parse(fs.readFileSync(out, "utf8")) as unknown;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The facts of every cluster of `env`, from the plans of its stacks, in stack then cluster order. */
export function plannedFacts(projectDir: string, env: string): PlannedClusterFacts[] {
    return stacksOfEnvironment(projectDir, env).flatMap((stack) => clusterFactsFromPlan(planSnapshot(projectDir, stack), `the plan of stack ${stack}`));
}

/** The facts in plan snapshot files (`npm run plan -- <stack> --out <file>`) for `env`. */
export function factsFromPlanFiles(files: readonly string[], env: string): PlannedClusterFacts[] {
    return files.flatMap((file) => {
        let parsed: unknown;
        try {
            parsed = JSON.parse(fs.readFileSync(file, "utf8"));
        } catch (error) {
            throw new PlanFactsError(`cannot read the plan snapshot ${file}: ${(error as Error).message}`);
        }
        return clusterFactsFromPlan(parsed, file).filter((facts) => facts.environment === env);
    });
}
