/**
 * A problem found in the GitOps tree: what is wrong, where (file, object) and under which rule.
 * Every check returns a list of these so that one run reports everything it found.
 */

export interface GitOpsProblem {
    /** Repository-relative file or directory the problem comes from (with `:line` when known). */
    file: string;
    /** The object concerned, as `Kind namespace/name` (or `Kind name` when cluster-scoped). */
    object?: string;
    /** Public rule id or check name the problem is reported under, when there is one. */
    rule?: string;
    /**
     * An error fails `npm run validate`; a warning is printed and does not; a note says what was
     * not checked, e.g. a Kustomization whose source is not this repository (default: error).
     */
    severity?: "error" | "warning" | "note";
    message: string;
}

export function isError(problem: GitOpsProblem): boolean {
    return problem.severity === undefined || problem.severity === "error";
}

export function formatGitOpsProblem(problem: GitOpsProblem): string {
    const object = problem.object ? ` ${problem.object}:` : "";
    const rule = problem.rule ? ` [${problem.rule}]` : "";
    const level = problem.severity === "warning" || problem.severity === "note" ? ` ${problem.severity}:` : "";
    return `${problem.file}:${object}${level} ${problem.message}${rule}`;
}

/** One readable block for a test failure or a CLI error. */
export function formatGitOpsProblems(problems: readonly GitOpsProblem[]): string {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    return `${count}:\n` + problems.map((p) => `  - ${formatGitOpsProblem(p)}`).join("\n");
}

/** Thrown when a step cannot go on; carries every problem found up to that point. */
export class GitOpsError extends Error {
    readonly problems: readonly GitOpsProblem[];

    constructor(summary: string, problems: readonly GitOpsProblem[]) {
        super(`${summary}: ${formatGitOpsProblems(problems)}`);
        this.name = "GitOpsError";
        this.problems = problems;
    }
}
