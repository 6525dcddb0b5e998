/**
 * `npm run render -- <env> [--out <dir>] [--plan <snapshot.json> ...]`: writes the fully rendered
 * manifests of every Flux Kustomization that clusters/<env> applies, one folder per cluster of the
 * environment and one file per Kustomization, for review (default out/render/<env>/<cluster>/,
 * which git ignores). Each cluster's facts (postBuild.substituteFrom cluster-facts) come from the
 * offline plan of its stack, run here, or from the plan snapshots given with --plan; so what a
 * folder shows is what Flux applies on that cluster. A missing variable fails the render.
 */
import * as path from "path";
import { assertEnvironment, ENVIRONMENTS } from "../../gitops-checks/environments";
import { KubectlUnavailableError, KustomizeBuilder } from "../../gitops-checks/kustomize";
import { factsNotes, PlannedClusterFacts, planFactsSource } from "../../gitops-checks/plan-facts";
import { formatGitOpsProblem, GitOpsError, isError } from "../../gitops-checks/problems";
import { renderEnvironment, writeRendered } from "../../gitops-checks/render";
import { REPOSITORY_ROOT } from "../../core/repository";
import { ExitCode } from "../shared/exit-codes";
import { factsFromPlanFiles, plannedFacts, PlanFactsError } from "../shared/plan-facts";
import { UsageError } from "../shared/usage";

const USAGE = `usage: npm run render -- <${ENVIRONMENTS.join("|")}> [--out <dir>] [--plan <snapshot.json> ...]`;

export interface RenderArgs {
    env: string;
    outDir: string;
    /** Plan snapshots to take the cluster facts from, instead of planning the environment's stacks. */
    plans: string[];
}

/** Parses the command line; throws with the usage on anything it does not understand. */
export function parseRenderArgs(argv: readonly string[], root: string = REPOSITORY_ROOT): RenderArgs {
    let env: string | undefined;
    let out: string | undefined;
    const plans: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--plan" || arg.startsWith("--plan=")) {
            const file = arg === "--plan" ? argv[++i] : arg.slice("--plan=".length);
            if (!file) throw new UsageError(`--plan needs a plan snapshot (npm run plan -- <stack> --out <file>).\n${USAGE}`);
            plans.push(path.resolve(file));
        } else if (arg === "--out" || arg.startsWith("--out=")) {
            out = arg === "--out" ? argv[++i] : arg.slice("--out=".length);
            if (!out) throw new UsageError(`--out needs a directory.\n${USAGE}`);
        } else if (arg === "--help" || arg === "-h") {
            throw new UsageError(USAGE);
        } else if (arg.startsWith("-")) {
            throw new UsageError(`unknown option ${arg}.\n${USAGE}`);
        } else if (env === undefined) {
            env = arg;
        } else {
            throw new UsageError(`unexpected argument "${arg}": give one environment.\n${USAGE}`);
        }
    }
    let valid;
    try {
        valid = assertEnvironment(env);
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    return { env: valid, outDir: path.resolve(out ?? path.join(root, "out", "render", valid)), plans };
}

export function main(argv: readonly string[]): number {
    let args: RenderArgs;
    try {
        args = parseRenderArgs(argv);
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`render: ${error.message}\n`);
        return ExitCode.usage;
    }
    try {
        const env = assertEnvironment(args.env);
        const facts: PlannedClusterFacts[] = args.plans.length > 0 ? factsFromPlanFiles(args.plans, env) : plannedFacts(REPOSITORY_ROOT, env);
        if (facts.length === 0) {
            process.stderr.write(
                `render: no cluster of environment ${env} in ${args.plans.length > 0 ? args.plans.join(", ") : "the stacks (Pulumi.<stack>.yaml)"}: the cluster facts are unknown. Give --plan <snapshot.json> of a stack whose fluxpilot:environment is ${env}\n`,
            );
            return ExitCode.failed;
        }
        const builder = new KustomizeBuilder(REPOSITORY_ROOT);
        let failed = false;
        for (const cluster of facts) {
            const rendered = renderEnvironment(builder, env, { substitutionSources: [planFactsSource(cluster)] });
            const outDir = path.join(args.outDir, cluster.cluster);
            const files = writeRendered(rendered, outDir);
            process.stdout.write(
                `Rendered ${env} for cluster ${cluster.cluster} (stack ${cluster.stack}): ${files.length} Kustomizations into ${path.relative(process.cwd(), outDir) || "."}\n`,
            );
            rendered.kustomizations.forEach((k, i) => {
                process.stdout.write(`  ${path.basename(files[i])}  ${k.namespace}/${k.name} <- ./${k.path} (${k.objects.length} objects)\n`);
            });
            for (const problem of [...factsNotes(cluster), ...rendered.problems]) process.stderr.write(`  - ${formatGitOpsProblem(problem)}\n`);
            failed ||= rendered.problems.some(isError);
        }
        return failed ? ExitCode.failed : ExitCode.ok;
    } catch (error) {
        if (error instanceof GitOpsError || error instanceof KubectlUnavailableError || error instanceof PlanFactsError) {
            process.stderr.write(`render: ${error.message}\n`);
            return ExitCode.failed;
        }
        throw error;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
