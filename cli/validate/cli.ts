/**
 * `npm run validate -- [--root DIR] [ENV...]`: checks a Flux repository (this one by default)
 * the way the tests do, without mocha, before a push: the sources, then every named environment
 * (all folders under clusters/ by default). Prints each problem with its file, object and rule,
 * and exits 1 when there is any error; warnings and notes are printed and do not fail.
 */
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";
import * as fs from "fs";
import { CONFIG_FILE, loadChecksConfig, ChecksConfig } from "../../gitops-checks/config";
import { KubectlUnavailableError, KustomizeBuilder } from "../../gitops-checks/kustomize";
import { formatGitOpsProblem, GitOpsError, isError } from "../../gitops-checks/problems";
import { discoverEnvironments, validateCluster, validateSources, ValidationReport } from "../../gitops-checks/validate";
import { ExitCode } from "../shared/exit-codes";
import { factsFromPlanFiles, plannedFacts, PlanFactsError } from "../shared/plan-facts";
import { UsageError } from "../shared/usage";

export const USAGE = `usage: npm run validate -- [--root DIR] [--plan SNAPSHOT.json ...] [ENV ...]

Checks a Flux repository (this one unless --root names another): every YAML file parses, every
kustomization builds, then for each environment (every folder under clusters/ by default) what
Flux applies from clusters/<env>, rendered as kustomize-controller renders it, against the
schemas and the rules. Settings and extra rule sets come from ${CONFIG_FILE} at the root.
When the root is a FluxPilot project (Pulumi.yaml), each environment is checked once per cluster,
with that cluster's facts (postBuild.substituteFrom cluster-facts) from the offline plan of its
stack, or from the plan snapshots given with --plan (npm run plan -- <stack> --out <file>).

Exit codes: 0 no error (warnings may be printed); 1 errors found; 2 bad usage.`;

export interface ValidateArgs {
    root: string;
    environments: string[];
    /** Plan snapshots with the cluster facts; none: plan the root's stacks, if it has any. */
    plans: string[];
}

export function parseValidateArgs(argv: readonly string[], defaultRoot: string = REPOSITORY_ROOT): ValidateArgs {
    let root = defaultRoot;
    const named: string[] = [];
    const plans: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--help" || arg === "-h") throw new UsageError(USAGE);
        if (arg === "--plan" || arg.startsWith("--plan=")) {
            const value = arg === "--plan" ? argv[++i] : arg.slice("--plan=".length);
            if (!value) throw new UsageError(`--plan needs a plan snapshot (npm run plan -- <stack> --out <file>).\n${USAGE}`);
            plans.push(path.resolve(value));
            continue;
        }
        if (arg === "--root" || arg.startsWith("--root=")) {
            const value = arg === "--root" ? argv[++i] : arg.slice("--root=".length);
            if (!value) throw new UsageError(`--root needs a directory.\n${USAGE}`);
            root = path.resolve(value);
            continue;
        }
        if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}.\n${USAGE}`);
        if (!named.includes(arg)) named.push(arg);
    }
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new UsageError(`--root ${root} is not a directory: name the root of a Flux repository`);
    const known = discoverEnvironments(root);
    if (known.length === 0) throw new UsageError(`${root} has no clusters/<env> folder: name the root of a Flux repository (the folder holding clusters/)`);
    for (const env of named) {
        if (!known.includes(env)) throw new UsageError(`unknown environment "${env}": use one of ${known.join(", ")} (the folders under clusters/ in ${root}).`);
    }
    return { root, environments: named.length > 0 ? named : known, plans };
}

export interface ValidateIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

export async function main(argv: readonly string[], io: ValidateIo, defaultRoot: string = REPOSITORY_ROOT): Promise<number> {
    let args: ValidateArgs;
    let config: ChecksConfig;
    try {
        args = parseValidateArgs(argv, defaultRoot);
        config = loadChecksConfig(args.root);
    } catch (error) {
        if (error instanceof GitOpsError) {
            io.stderr(`validate: ${error.message}\n`);
            return ExitCode.usage;
        }
        if (!(error instanceof UsageError)) throw error;
        io.stderr(`validate: ${error.message}\n`);
        return ExitCode.usage;
    }
    const { root, environments, plans } = args;
    const builder = new KustomizeBuilder(root);
    const reports: ValidationReport[] = [];
    try {
        reports.push(validateSources(builder, config));
        for (const env of environments) {
            const clusterDir = path.posix.join("clusters", env);
            const facts = plans.length > 0 ? factsFromPlanFiles(plans, env) : plannedFacts(root, env);
            if (facts.length === 0) reports.push(await validateCluster(builder, clusterDir, config));
            for (const cluster of facts) reports.push(await validateCluster(builder, clusterDir, config, cluster));
        }
    } catch (error) {
        if (error instanceof KubectlUnavailableError || error instanceof PlanFactsError) {
            io.stderr(`validate: ${error.message}\n`);
            return ExitCode.failed;
        }
        throw error;
    }
    let total = 0;
    for (const report of reports) {
        const errors = report.problems.filter(isError).length;
        total += errors;
        io.stdout(errors === 0 ? `ok      ${report.scope}\n` : `FAILED  ${report.scope}: ${errors === 1 ? "1 problem" : `${errors} problems`}\n`);
        // Errors first, then warnings and notes.
        for (const problem of [...report.problems.filter(isError), ...report.problems.filter((p) => !isError(p))]) io.stdout(`  - ${formatGitOpsProblem(problem)}\n`);
    }
    const where = path.relative(process.cwd(), root) || ".";
    io.stdout(total === 0 ? `No problems found (${where}).\n` : `${total} ${total === 1 ? "problem" : "problems"} found (${where}).\n`);
    return total === 0 ? ExitCode.ok : ExitCode.failed;
}

if (require.main === module) {
    main(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`validate: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
            process.exitCode = ExitCode.failed;
        },
    );
}
