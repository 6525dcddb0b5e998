/**
 * Runs the plan command line as a child process, as `npm run plan` does (from out/build), for the CLI tests.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";
import { builtCli } from "../support/built-cli";

export const REPO_ROOT = REPOSITORY_ROOT;
export const FIXTURE_PROJECT = path.join(__dirname, "fixtures", "project");

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs the built `cli/plan/cli.ts` with `args` in the repository root; never rejects on a non-zero exit. */
export function runPlanCli(args: readonly string[]): Promise<CliResult> {
    return new Promise((resolve, reject) => {
        execFile(
            process.execPath,
            [builtCli("plan"), ...args],
            { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: "0" } },
            (error, stdout, stderr) => {
                // A non-numeric code means the child never ran (e.g. spawn failed): that is the error.
                if (error && typeof error.code !== "number") reject(new Error(`the plan did not run: ${error.message}`, { cause: error }));
                else resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
            },
        );
    });
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
