/**
 * Pre-validates a stack's configuration with the stack model's own rules, from its stack file,
 * before Pulumi runs, so config mistakes come back as the model's messages within a second
 * instead of after the CLI has started the program.
 */
import { readStackConfig } from "../shared/stack-file";
import { parseStackModel } from "../../stacks/model";
import { isStackConfigError, StackConfigError } from "../../core/problems";
import { fromStackFileError } from "./errors";
import { StackValidator } from "./gateway";

/** Reads a stack's config without decrypting it: full keys to values, and which keys are secret. */
export type StackConfigReader = (projectDir: string, stack: string) => { config: Record<string, unknown>; secretKeys: readonly string[] };

/** The validator the command line uses: the offline plan's stack file reader, then the stack model. */
export function createStackValidator(projectDir: string): StackValidator {
    return stackModelValidator(projectDir, readStackConfig);
}

export function stackModelValidator(projectDir: string, read: StackConfigReader): StackValidator {
    // The check itself is synchronous; run from a promise so every failure reaches the caller as a rejection.
    return { validate: (stack) => Promise.resolve(stack).then(check) };

    function check(stack: string): void {
        let stackConfig;
        try {
            stackConfig = read(projectDir, stack);
        } catch (error) {
            throw fromStackFileError(error);
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
    }
}
