/**
 * Checks that need no Pulumi CLI, run before anything else: the project and stack files
 * exist, and a passphrase is available where the stack needs one.
 */
import { listStacks } from "../shared/stack-file";
import { CommandLine, LAPTOP_STACKS, PROMOTION_ORDER, stackFileName } from "./args";
import { BackendChoice, checkPassphrase, needsPassphrase, readStackSecretsSettings } from "./backend";
import { UsageError } from "../shared/usage";
import { FluxpilotError, fromStackFileError } from "./errors";
import { promotionStages } from "./orchestrate";

/** The stacks a command runs on, in the order it runs them. */
export function resolveStacks(command: CommandLine, projectDir: string): string[] {
    const available = availableStacks(projectDir);
    let stacks: string[];
    if (command.subcommand === "promote") {
        const { gate, stages } = promotionStages(command);
        stacks = gate ? [gate, ...stages] : stages;
    } else if (command.all) {
        stacks = canonicalOrder(available.filter((stack) => !LAPTOP_STACKS.includes(stack)));
        if (stacks.length === 0) throw new UsageError(`--all found no stack files (Pulumi.<stack>.yaml) in ${projectDir}.`);
    } else {
        stacks = command.stacks;
    }
    for (const stack of stacks) {
        if (!available.includes(stackFileName(stack))) {
            throw new FluxpilotError(
                "stack-not-found",
                `Stack "${stack}" has no Pulumi.${stackFileName(stack)}.yaml in ${projectDir}: stacks here are ${available.join(", ") || "none"}.`,
            );
        }
    }
    return stacks;
}

/** Stacks with a settings file, as the offline plan's reader finds them (honours `stackConfigDir`). */
function availableStacks(projectDir: string): string[] {
    try {
        return listStacks(projectDir);
    } catch (error) {
        if ((error as Error).name !== "ProjectNotFoundError") throw fromStackFileError(error);
        throw new UsageError(`No Pulumi.yaml in ${projectDir}: run from the FluxPilot repository or pass --dir <project directory>.`);
    }
}

/** dev, staging, prod first (promotion order), then any other stacks by name. */
function canonicalOrder(stacks: string[]): string[] {
    const order: readonly string[] = PROMOTION_ORDER;
    const rank = (stack: string) => (order.includes(stack) ? order.indexOf(stack) : order.length);
    return [...stacks].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Fails before Pulumi runs when a stack needs a passphrase and the environment has none. */
export function checkPassphrases(stacks: readonly string[], projectDir: string, backend: BackendChoice, env: NodeJS.ProcessEnv): void {
    for (const stack of stacks) {
        if (needsPassphrase(readStackSecretsSettings(projectDir, stackFileName(stack)), backend)) checkPassphrase(stack, env);
    }
}
