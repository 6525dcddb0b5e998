/** Temporary project directories for CLI tests, removed after each test file. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const created: string[] = [];

export function tempDir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fluxpilot-${prefix}-`));
    created.push(dir);
    return dir;
}

/** A project directory with Pulumi.yaml and the given stack files (name -> file text). */
export function makeProject(stacks: Record<string, string>): string {
    const dir = tempDir("project");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: fluxpilot\nruntime: nodejs\n");
    for (const [stack, text] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
    return dir;
}

export function removeTempDirs(): void {
    for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
