/**
 * `npm run render -- <env> [--out <dir>]`: writes the fully rendered manifests of every Flux
 * Kustomization that clusters/<env> applies, one file per Kustomization, for review
 * (default out/render/<env>/, which git ignores).
 */
import * as path from "path";
import { assertEnvironment, ENVIRONMENTS } from "../../gitops-checks/environments";
import { KubectlUnavailableError, KustomizeBuilder } from "../../gitops-checks/kustomize";
import { GitOpsError } from "../../gitops-checks/problems";
import { renderEnvironment, writeRendered } from "../../gitops-checks/render";
import { REPOSITORY_ROOT } from "../../core/repository";
import { ExitCode } from "../shared/exit-codes";
import { UsageError } from "../shared/usage";

const USAGE = `usage: npm run render -- <${ENVIRONMENTS.join("|")}> [--out <dir>]`;

export interface RenderArgs {
    env: string;
    outDir: string;
}

/** Parses the command line; throws with the usage on anything it does not understand. */
export function parseRenderArgs(argv: readonly string[], root: string = REPOSITORY_ROOT): RenderArgs {
    let env: string | undefined;
    let out: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--out" || arg.startsWith("--out=")) {
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
    return { env: valid, outDir: path.resolve(out ?? path.join(root, "out", "render", valid)) };
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
        const builder = new KustomizeBuilder(REPOSITORY_ROOT);
        const rendered = renderEnvironment(builder, assertEnvironment(args.env));
        const files = writeRendered(rendered, args.outDir);
        process.stdout.write(`Rendered ${args.env}: ${files.length} Kustomizations into ${path.relative(process.cwd(), args.outDir) || "."}\n`);
        rendered.kustomizations.forEach((k, i) => {
            process.stdout.write(`  ${path.basename(files[i])}  ${k.namespace}/${k.name} <- ./${k.path} (${k.objects.length} objects)\n`);
        });
        return ExitCode.ok;
    } catch (error) {
        if (error instanceof GitOpsError || error instanceof KubectlUnavailableError) {
            process.stderr.write(`render: ${error.message}\n`);
            return ExitCode.failed;
        }
        throw error;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
