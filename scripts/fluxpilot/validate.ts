/**
 * Pre-validates a stack's configuration with the stack model's own rules, from its stack file,
 * before Pulumi runs, so config mistakes come back as the model's messages within a second
 * instead of after the CLI has started the program.
 */
import { parseStackModel } from "../../stacks/model";
import { isStackConfigError, StackConfigError } from "../../stacks/errors";
import { FluxpilotError } from "./errors";
import { StackValidator } from "./gateway";

/** Reads a stack's config without decrypting it: full keys to values, and which keys are secret. */
export type StackConfigReader = (projectDir: string, stack: string) => { config: Record<string, unknown>; secretKeys: readonly string[] };

export function stackModelValidator(projectDir: string, read: StackConfigReader): StackValidator {
    return {
        async validate(stack: string): Promise<void> {
            let stackConfig;
            try {
                stackConfig = read(projectDir, stack);
            } catch (error) {
                throw stackFileError(error);
            }
            const { config, secretKeys } = stackConfig;
            try {
                parseStackModel(stack, config, { secretKeys, repoRoot: projectDir });
            } catch (error) {
                if (!isStackConfigError(error)) throw error;
                // Secure values cannot be decrypted here, so they reach the model as placeholders;
                // problems inside a secret key are left to the program, which sees the real value.
                const secret = new Set(secretKeys);
                const visible = error.problems.filter((p) => !secret.has(p.key.split(/[.[]/)[0]));
                if (visible.length > 0) throw new StackConfigError(stack, visible);
            }
        },
    };
}

/** The stack file reader's errors (unreadable YAML, undeclared keys, ...) as FluxPilot errors. */
function stackFileError(error: unknown): unknown {
    if (!(error instanceof Error)) return error;
    const problems = (error as { problems?: unknown }).problems;
    if (error.name === "StackFileError" && Array.isArray(problems)) {
        const file = (error as { file?: string }).file ?? "the stack file";
        return new FluxpilotError("invalid-config", `${file} is not valid.`, problems.map(String));
    }
    if (error.name === "StackNotFoundError") return new FluxpilotError("stack-not-found", error.message);
    return error;
}
