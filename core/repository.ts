/**
 * Where this repository's checkout is on disk: the program checks the paths Flux syncs against
 * it, and the command lines default to it. Found by walking up from this file to the folder that
 * holds Pulumi.yaml, so it stays right wherever the code runs from (sources or a build output).
 */
import * as fs from "fs";
import * as path from "path";
import { isRecord } from "./guards";

export function findRepositoryRoot(start: string = __dirname): string {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "package.json"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml with a package.json beside it above ${start}`);
    }
}

export const REPOSITORY_ROOT = findRepositoryRoot();

/**
 * The repository a checkout declares in its package.json (`repository`, a string or `{ url }`):
 * the only one staging and prod may sync, since the checks read that checkout.
 */
export function projectRepository(root: string = REPOSITORY_ROOT): string | undefined {
    const file = path.join(root, "package.json");
    if (!fs.existsSync(file)) return undefined;
    const manifest: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    const declared = isRecord(manifest) ? manifest.repository : undefined;
    const url = typeof declared === "string" ? declared : isRecord(declared) ? declared.url : undefined;
    return typeof url === "string" ? url.replace(/^git\+/, "") : undefined;
}
