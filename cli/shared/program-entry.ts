/**
 * Which file a command line loads for a program entry. The npm scripts run the command lines from
 * out/build, the JavaScript copy tools/build.js keeps of this checkout, so that no start pays
 * ts-node's transpilation (docs/benchmarks.md): a program of this checkout is loaded from that
 * copy too. A program elsewhere (a test fixture project, another checkout) is TypeScript that
 * ts-node transpiles, registered only then.
 */
import * as fs from "fs";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";

/** Where tools/build.js writes the JavaScript copy of the program and its command lines. */
export const BUILD_DIR = path.join(REPOSITORY_ROOT, "out", "build");

/** True when this command line itself runs from the JavaScript copy. */
export const runningBuilt = __filename.startsWith(BUILD_DIR + path.sep);

/** The built copy of `program` when this process runs built code and the copy exists, else `program`. */
export function loadableEntry(program: string): string {
    if (!runningBuilt || !program.endsWith(".ts")) return program;
    const relative = path.relative(REPOSITORY_ROOT, program);
    if (relative.startsWith("..") || path.isAbsolute(relative)) return program;
    const built = path.join(BUILD_DIR, relative.replace(/\.ts$/, ".js"));
    return fs.existsSync(built) ? built : program;
}

let tsNodeRegistered = false;

/** Makes `require` understand TypeScript when a built command line must load a .ts program. */
export async function prepareToLoad(entry: string): Promise<void> {
    if (!runningBuilt || !entry.endsWith(".ts") || tsNodeRegistered) return;
    const tsNode = await import("ts-node");
    tsNode.register({ transpileOnly: true });
    tsNodeRegistered = true;
}
