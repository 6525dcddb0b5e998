/**
 * Runs the plan command line as a child process, as `npm run plan` does (from out/build), for the CLI tests.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";
import { CliResult, runBuiltPlan } from "../support/repo-plans";

export type { CliResult };
export const REPO_ROOT = REPOSITORY_ROOT;
export const FIXTURE_PROJECT = path.join(__dirname, "fixtures", "project");

/** Runs the built `cli/plan/cli.ts` with `args` in the repository root; never rejects on a non-zero exit. */
export function runPlanCli(args: readonly string[]): Promise<CliResult> {
    return runBuiltPlan(args);
}

/** Arguments that point the CLI at the fixture project. */
export function fixtureArgs(stack: string, ...rest: string[]): string[] {
    return [stack, "--project-dir", FIXTURE_PROJECT, ...rest];
}

export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `fluxpilot-${prefix}-`));
}

/** True when the text contains a JavaScript stack frame. */
export function hasStackTrace(text: string): boolean {
    return /^\s+at .+[(:]/m.test(text);
}
