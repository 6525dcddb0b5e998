/**
 * `npm run plan -- <stack>`: the offline plan. See docs/plan.md and USAGE in args.ts.
 *
 * stdout carries only the plan (tree, diff or JSON); notes, the program's own logging and errors
 * go to stderr. Errors are reported as messages, never as stack traces (unless --verbose).
 */
// First: it sets up the module cache before anything below loads the Pulumi SDK.
import "./fast-start";
import * as path from "path";
import { isStackConfigError } from "../../core/problems";
import { ProjectNotFoundError, StackFileError, StackNotFoundError } from "../shared/stack-file";
import { ExitCode } from "../shared/exit-codes";
import { UsageError } from "../shared/usage";
import { PlanArgs, parsePlanArgs, USAGE } from "./args";
import { diffSnapshots, formatDiff, hasChanges } from "./diff";
import { runPlan } from "./run";
import { checkPlanPolicies, preparePolicies, PolicyRun } from "./policy";
import { formatPolicyReport } from "../../policy/offline/format";
import { hasMandatoryViolations } from "../../policy/offline/evaluate";
import { PackConfigError } from "../../policy/offline/config";
import { InvalidSnapshotError, PlanSnapshot, readSnapshot, serializeSnapshot, writeSnapshot } from "./snapshot";
import { formatTree } from "./tree";
import { skipSdkDiagnostics } from "./sdk-diagnostics";

export async function main(argv: readonly string[]): Promise<number> {
    let args: PlanArgs | "help" | undefined;
    try {
        args = parsePlanArgs(argv);
        if (args === "help") {
            process.stdout.write(USAGE);
            return ExitCode.ok;
        }
        return await plan(args);
    } catch (error) {
        return report(error, args !== undefined && args !== "help" && args.verbose);
    }
}

async function plan(args: PlanArgs): Promise<number> {
    // A bad --diff file fails before the program runs.
    const old = args.diff === undefined ? undefined : readSnapshot(args.diff);
    if (old && old.stack !== args.stack) {
        throw new InvalidSnapshotError(args.diff!, `it is a plan of stack "${old.stack}", not "${args.stack}"; compare plans of the same stack`);
    }
    // The Pulumi SDK takes a stack trace for every promise it makes (thousands per plan) only to
    // name a promise that never settles; nothing here prints them, and they cost about a third of
    // the plan's CPU (docs/benchmarks.md). The SDK raises the limit itself where it needs frames
    // (resource source positions). --verbose keeps them, with the traces of errors.
    if (!args.verbose) Error.stackTraceLimit = 0;
    // The same for the SDK's per-promise and per-resource diagnostics (sdk-diagnostics.ts).
    const restoreDiagnostics = args.verbose ? undefined : skipSdkDiagnostics();
    try {
        return await planWithRuntime(args, old);
    } finally {
        restoreDiagnostics?.();
    }
}

async function planWithRuntime(args: PlanArgs, old: PlanSnapshot | undefined): Promise<number> {
    // A missing or bad pack config fails before the program runs, too.
    const policySetup = args.policy ? preparePolicies(args.projectDir, args.stack, args.policyConfig) : undefined;
    // The program's console output would corrupt --json; it is diagnostics, so it goes to stderr.
    console.log = console.error;
    console.info = console.error;
    const snapshot = await runPlan({ projectDir: args.projectDir, stack: args.stack, program: args.program });
    if (old && old.project !== snapshot.project) {
        throw new InvalidSnapshotError(args.diff!, `it is a plan of project "${old.project}", not "${snapshot.project}"`);
    }
    writeSnapshot(args.out, snapshot);
    note(`snapshot written to ${displayPath(args.out)}`);
    const policies = policySetup === undefined ? undefined : await checkPlanPolicies(policySetup);
    const code = old ? printDiff(args, old, snapshot) : printPlan(args, snapshot);
    return policies === undefined ? code : printPolicies(args, policies, code);
}

/** After the plan (stderr with --json, which keeps stdout one JSON document); a mandatory violation fails the plan. */
function printPolicies(args: PlanArgs, run: PolicyRun, code: number): number {
    const text = formatPolicyReport(run.report, displayPath(run.configFile));
    (args.json ? process.stderr : process.stdout).write(args.json ? text : `\n${text}`);
    return hasMandatoryViolations(run.report) ? ExitCode.failed : code;
}

function printPlan(args: PlanArgs, snapshot: PlanSnapshot): number {
    process.stdout.write(args.json ? serializeSnapshot(snapshot) : formatTree(snapshot));
    return ExitCode.ok;
}

function printDiff(args: PlanArgs, old: PlanSnapshot, snapshot: PlanSnapshot): number {
    const diff = diffSnapshots(old, snapshot);
    process.stdout.write(args.json ? `${JSON.stringify(diff, null, 2)}\n` : formatDiff(diff));
    return args.exitCode && hasChanges(diff) ? ExitCode.changes : ExitCode.ok;
}

/** Prints what went wrong without a stack trace and returns the exit code. */
function report(error: unknown, verbose: boolean): number {
    if (error instanceof UsageError) {
        process.stderr.write(`plan: ${error.message}\n\n${USAGE}`);
        return ExitCode.usage;
    }
    if (error instanceof StackNotFoundError || error instanceof ProjectNotFoundError || error instanceof InvalidSnapshotError || error instanceof PackConfigError) {
        process.stderr.write(`plan: ${error.message}\n`);
        return ExitCode.usage;
    }
    if (isStackConfigError(error) || error instanceof StackFileError) {
        // These messages already list every problem with its fix.
        process.stderr.write(`${error.message}\n`);
        return ExitCode.failed;
    }
    const lines = [`plan: ${describe(error, verbose)}`];
    for (let cause = causeOf(error); cause !== undefined; cause = causeOf(cause)) {
        lines.push(`  cause: ${describe(cause, verbose)}`);
    }
    process.stderr.write(`${lines.join("\n")}\n`);
    return ExitCode.failed;
}

/** The message, or with --verbose the stack trace, indented to stay under its heading. */
function describe(error: unknown, verbose: boolean): string {
    const text = verbose && error instanceof Error && error.stack ? error.stack : messageOf(error);
    return text.replace(/\n/g, "\n    ");
}

/** The `cause` an error (or anything thrown) carries, if any. */
function causeOf(error: unknown): unknown {
    return typeof error === "object" && error !== null && "cause" in error ? error.cause : undefined;
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

function note(message: string): void {
    process.stderr.write(`plan: ${message}\n`);
}

function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith("..") ? file : relative;
}

if (require.main === module) {
    let finished = false;
    // Registrations waiting on each other (a dependency cycle) leave nothing to run: say so.
    process.once("beforeExit", () => {
        if (!finished) {
            process.stderr.write("plan: the program never finished: resources are waiting on each other (a dependency cycle?)\n");
            process.exitCode = ExitCode.failed;
        }
    });
    main(process.argv.slice(2)).then(
        (code) => {
            finished = true;
            process.exitCode = code;
        },
        (error) => {
            finished = true;
            process.stderr.write(`plan: ${messageOf(error)}\n`);
            process.exitCode = ExitCode.failed;
        },
    );
}
