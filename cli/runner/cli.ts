/**
 * `npm run --silent runner -- <stack>`: prints, as JSON, the `runs-on` labels of the runner that
 * deploys the stack (its `fluxpilot:ci.runsOn`; standard GitHub-hosted runners when unset). The
 * stack workflow (.github/workflows/pulumi-stack.yml) sends its Pulumi job there, so the stack
 * file is the one place that says how CI reaches the clusters (stacks/ci.ts).
 */
import { ExitCode } from "../shared/exit-codes";
import { readStackConfig, StackNotFoundError } from "../shared/stack-file";
import { decodeConfigValue, CONFIG_NAMESPACE } from "../../stacks/model";
import { deployRunsOn } from "../../stacks/ci";
// The checkout's root, not a path from this file: `npm run runner` runs the copy in out/build.
import { REPOSITORY_ROOT } from "../../core/repository";

const USAGE = "usage: npm run --silent runner -- <stack>";

function main(argv: readonly string[]): number {
    if (argv.length !== 1 || argv[0].startsWith("-")) {
        process.stderr.write(`${USAGE}\n`);
        return ExitCode.usage;
    }
    const stack = argv[0];
    try {
        const { config } = readStackConfig(REPOSITORY_ROOT, stack);
        const key = `${CONFIG_NAMESPACE}:ci`;
        process.stdout.write(`${JSON.stringify(deployRunsOn(stack, decodeConfigValue(config[key]), key))}\n`);
        return ExitCode.ok;
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        return error instanceof StackNotFoundError ? ExitCode.usage : ExitCode.failed;
    }
}

process.exitCode = main(process.argv.slice(2));
