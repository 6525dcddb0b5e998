/**
 * `npm run validate -- [ENV...]`: checks this Flux repository the way the tests do, without mocha,
 * before a push: the sources, then every named environment (all of them by default). Prints each
 * problem with its file, object and rule, and exits 1 when there is any.
 */
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";
import { Environment, ENVIRONMENTS, isEnvironment } from "../../gitops-checks/environments";
import { KubectlUnavailableError, KustomizeBuilder } from "../../gitops-checks/kustomize";
import { formatGitOpsProblem } from "../../gitops-checks/problems";
import { clusterDirFor } from "../../gitops-checks/render";
import { validateCluster, validateSources, ValidationReport } from "../../gitops-checks/validate";
import { ExitCode } from "../shared/exit-codes";
import { UsageError } from "../shared/usage";

export const USAGE = `usage: npm run validate -- [${ENVIRONMENTS.join("|")} ...]

Checks the Flux repository: every YAML file parses, no remote base, every kustomization builds,
then for each environment (all by default) the Flux Kustomizations of clusters/<env> and what
they apply, against the schemas and the workload rules.

Exit codes: 0 no problem; 1 problems found; 2 bad usage.`;

export function parseValidateArgs(argv: readonly string[]): Environment[] {
    const chosen: Environment[] = [];
    for (const arg of argv) {
        if (arg === "--help" || arg === "-h") throw new UsageError(USAGE);
        if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}.\n${USAGE}`);
        if (!isEnvironment(arg)) throw new UsageError(`unknown environment "${arg}": use one of ${ENVIRONMENTS.join(", ")} (the folders under clusters/).`);
        if (!chosen.includes(arg)) chosen.push(arg);
    }
    return chosen.length > 0 ? chosen : [...ENVIRONMENTS];
}

export interface ValidateIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

export async function main(argv: readonly string[], io: ValidateIo, root: string = REPOSITORY_ROOT): Promise<number> {
    let environments: Environment[];
    try {
        environments = parseValidateArgs(argv);
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        io.stderr(`validate: ${error.message}\n`);
        return ExitCode.usage;
    }
    const builder = new KustomizeBuilder(root);
    const reports: ValidationReport[] = [];
    try {
        reports.push(validateSources(builder));
        for (const env of environments) reports.push(await validateCluster(builder, clusterDirFor(env)));
    } catch (error) {
        if (error instanceof KubectlUnavailableError) {
            io.stderr(`validate: ${error.message}\n`);
            return ExitCode.failed;
        }
        throw error;
    }
    let total = 0;
    for (const report of reports) {
        total += report.problems.length;
        if (report.problems.length === 0) {
            io.stdout(`ok      ${report.scope}\n`);
            continue;
        }
        io.stdout(`FAILED  ${report.scope}: ${report.problems.length === 1 ? "1 problem" : `${report.problems.length} problems`}\n`);
        for (const problem of report.problems) io.stdout(`  - ${formatGitOpsProblem(problem)}\n`);
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
