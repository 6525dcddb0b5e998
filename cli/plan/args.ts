/**
 * Command line of the offline plan. Kept apart from cli.ts so it can be tested without running a
 * program.
 */
import * as path from "path";
import { parseArgs } from "util";
import { REPOSITORY_ROOT } from "../../core/repository";
import { UsageError } from "../shared/usage";

export { UsageError };

export const USAGE = `Usage: npm run plan -- <stack> [options]

Runs the program for <stack> under Pulumi's mock runtime (as \`pulumi preview\` would, without the
CLI, credentials or network), prints the resource tree and writes a JSON snapshot.

Options:
  --out <path>          snapshot path (default: out/plan/<stack>.json in the project directory)
  --json                print the snapshot (or, with --diff, the diff) as JSON instead of text
  --diff <old.json>     print what changes against an earlier snapshot instead of the tree
  --exit-code           with --diff: exit 3 when there are changes
  --policy              run the policy pack (policy/) over the plan; a mandatory violation exits 1
  --policy-config <f>   with --policy: pack config (default: policy/config/<environment>.json)
  --program <path>      program entry (default: Pulumi.yaml's main, else index.ts)
  --project-dir <dir>   directory with Pulumi.yaml (default: the repository root)
  --verbose             print stack traces of unexpected errors
  -h, --help            show this help

Exit codes: 0 planned; 1 configuration or program error, or a mandatory policy violation; 2 bad usage, unknown stack or project,
unusable --diff snapshot; 3 changes found (only with --diff and --exit-code).
`;

export interface PlanArgs {
    stack: string;
    projectDir: string;
    program?: string;
    out: string;
    json: boolean;
    diff?: string;
    exitCode: boolean;
    /** Run the policy pack; the pack config file, when given. */
    policy: boolean;
    policyConfig?: string;
    verbose: boolean;
}

/** Parsed arguments, or "help" when help was asked for. Paths are resolved against the cwd. */
export function parsePlanArgs(argv: readonly string[], cwd = process.cwd()): PlanArgs | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            allowPositionals: true,
            strict: true,
            options: {
                out: { type: "string" },
                json: { type: "boolean", default: false },
                diff: { type: "string" },
                "exit-code": { type: "boolean", default: false },
                policy: { type: "boolean", default: false },
                "policy-config": { type: "string" },
                program: { type: "string" },
                "project-dir": { type: "string" },
                verbose: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
        });
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) return "help";
    if (positionals.length !== 1) {
        throw new UsageError(positionals.length === 0 ? "name the stack to plan, e.g. `npm run plan -- dev`" : `plan one stack at a time (given: ${positionals.join(", ")})`);
    }
    if (values["exit-code"] && values.diff === undefined) {
        throw new UsageError("--exit-code only applies with --diff <old.json>");
    }
    if (values["policy-config"] !== undefined && !values.policy) {
        throw new UsageError("--policy-config only applies with --policy");
    }
    const stack = positionals[0];
    const projectDir = path.resolve(cwd, values["project-dir"] ?? REPOSITORY_ROOT);
    return {
        stack,
        projectDir,
        program: values.program === undefined ? undefined : path.resolve(cwd, values.program),
        out: values.out === undefined ? path.join(projectDir, "out", "plan", `${stack}.json`) : path.resolve(cwd, values.out),
        json: values.json,
        diff: values.diff === undefined ? undefined : path.resolve(cwd, values.diff),
        exitCode: values["exit-code"],
        policy: values.policy,
        policyConfig: values["policy-config"] === undefined ? undefined : path.resolve(cwd, values["policy-config"]),
        verbose: values.verbose,
    };
}
