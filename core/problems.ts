/**
 * Configuration problems, collected and reported together before any resource is created.
 */

export interface ConfigProblem {
    /** Full config key with the path inside it, e.g. `fluxpilot:clusters[0].nodePools[1].minNodes`. */
    key: string;
    /** What was given; omitted when the key is missing, shown as [secret] when the key is secret. */
    value?: unknown;
    /** What is wrong, in one sentence. */
    message: string;
    /** How to fix it, in one sentence. */
    fix: string;
}

const REDACTED = "[secret]";

export function formatProblem(problem: ConfigProblem): string {
    const given = "value" in problem ? ` (given: ${describeValue(problem.value)})` : "";
    return `${problem.key}: ${problem.message}${given}. Fix: ${problem.fix}`;
}

function describeValue(value: unknown): string {
    if (value === REDACTED) return REDACTED;
    if (value === undefined) return "nothing";
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Thrown by the stack model when the configuration is invalid; carries every problem found. */
export class StackConfigError extends Error {
    readonly problems: readonly ConfigProblem[];

    constructor(stack: string, problems: readonly ConfigProblem[]) {
        const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
        super(`Stack "${stack}" configuration has ${count}; nothing was created:\n` + problems.map((p) => `  - ${formatProblem(p)}`).join("\n"));
        this.name = "StackConfigError";
        this.problems = problems;
    }
}

export function isStackConfigError(error: unknown): error is StackConfigError {
    return error instanceof Error && error.name === "StackConfigError" && "problems" in error && Array.isArray(error.problems);
}

/** Value to place in a problem for a key that holds a secret, so the secret is never printed. */
export const redacted = REDACTED;
