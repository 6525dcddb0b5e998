/**
 * The command lines as `npm run <name>` runs them: the JavaScript copy in out/build, brought up to
 * date by tools/build.js once per test process (a no-op when nothing changed).
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";
import { BUILD_DIR } from "../../cli/shared/program-entry";

let fresh = false;

/** The built entry of `cli/<name>/cli.ts`. */
export function builtCli(name: "plan" | "render" | "validate" | "fluxpilot" | "runner"): string {
    if (!fresh) {
        execFileSync(process.execPath, [path.join(REPOSITORY_ROOT, "tools", "build.js")], { stdio: ["ignore", "ignore", "inherit"] });
        fresh = true;
    }
    return path.join(BUILD_DIR, "cli", name, "cli.js");
}
