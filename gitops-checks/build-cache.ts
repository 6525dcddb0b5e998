/**
 * A kustomize build cache shared between processes, for runs that build the same trees again and
 * again: the test suite, whose parallel workers and the `validate`/`render` command lines they start
 * each build this repository's directories afresh (docs/benchmarks.md, "Test suite"). It is off
 * unless FLUXPILOT_KUSTOMIZE_CACHE names a folder, and nothing in it outlives that folder.
 *
 * A build is found again only when everything it could have read is the same: the name and
 * content of every file under the directories its kustomizations reach, the directory built, and
 * the kubectl binary (its path, size and modification time). A build whose kustomizations reach
 * outside the tree (a remote base, `../` past the root) is never cached: what they read is not
 * hashed.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { isRecord } from "../core/guards";
import { kustomizationFile } from "./kustomization-file";
import { GitOpsProblem } from "./problems";
import { KubeObject } from "./yaml";

export const KUSTOMIZE_CACHE_ENV = "FLUXPILOT_KUSTOMIZE_CACHE";

// Bumped whenever what a build stores, or how it is keyed, changes.
const FORMAT = "fluxpilot-kustomize-build-1";
// The kustomization fields that name other files or folders.
const REFERENCE_FIELDS = ["resources", "bases", "components", "crds", "configurations", "transformers", "generators", "validators"];

/** What a build gave: its rendered objects with their files, or the problem that stopped it. */
export type CachedBuild = { objects: { object: KubeObject; sourceFile: string }[] } | { failure: string; problems: GitOpsProblem[] };

/** Whether `value`, read back from a stored file, has the shape of a CachedBuild. */
function isCachedBuild(value: unknown): value is CachedBuild {
    if (!isRecord(value)) return false;
    if (Array.isArray(value.objects)) return value.objects.every((entry) => isRecord(entry) && isRecord(entry.object) && typeof entry.sourceFile === "string");
    return (
        typeof value.failure === "string" &&
        Array.isArray(value.problems) &&
        value.problems.every((problem) => isRecord(problem) && typeof problem.file === "string" && typeof problem.message === "string")
    );
}

/**
 * The hash of what building `start` can read: every file under each directory its kustomization
 * reaches through resources, components and bases, transitively (kustomize reads no other file:
 * its load restrictor keeps each kustomization's files under its own directory). Undefined when
 * a reference leads outside `base`, to a remote base, or to nothing, or when a symbolic link is
 * found: what those read is not hashed.
 */
function closureHash(start: string, base: string, skipAtBase: ReadonlySet<string>): string | undefined {
    const dirs = new Set<string>();
    const pending = [start];
    for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
        if (dirs.has(dir)) continue;
        dirs.add(dir);
        const references = referencesOf(dir, base);
        if (!references) return undefined;
        pending.push(...references);
    }
    const hash = createHash("sha256");
    const walk = (dir: string): boolean => {
        for (const name of fs.readdirSync(dir).sort()) {
            if (dir === base && skipAtBase.has(name)) continue;
            const full = path.join(dir, name);
            // Read every time: a file rewritten within the same clock tick keeps its size and mtime.
            const stat = fs.lstatSync(full);
            if (stat.isSymbolicLink()) return false;
            if (stat.isDirectory()) {
                if (!walk(full)) return false;
            } else if (stat.isFile()) {
                hash.update(`${path.relative(base, full)}\0${createHash("sha256").update(fs.readFileSync(full)).digest("hex")}\0`);
            }
        }
        return true;
    };
    for (const dir of [...dirs].sort()) {
        hash.update(`dir ${path.relative(base, dir)}\0`);
        if (!walk(dir)) return undefined;
    }
    return hash.digest("hex");
}

/**
 * The directories the kustomization in `dir` names (its own files are under `dir`), or undefined
 * when one of its references cannot be followed here.
 */
function referencesOf(dir: string, base: string): string[] | undefined {
    const file = kustomizationFile(dir);
    if (!file) return undefined;
    let parsed: unknown;
    try {
        parsed = YAML.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return []; // kustomize refuses it; that failure is the result, and the file is hashed
    }
    if (!isRecord(parsed)) return [];
    const directories: string[] = [];
    for (const field of REFERENCE_FIELDS) {
        const entries = parsed[field];
        if (!Array.isArray(entries)) continue;
        for (const entry of entries) {
            // Inline transformer or generator configurations are objects: they name nothing.
            if (typeof entry !== "string") continue;
            // A remote base (https://, git@host:) names no local path, so it ends here too.
            const target = path.resolve(dir, entry);
            const fromBase = path.relative(base, target);
            if (fromBase.startsWith("..") || path.isAbsolute(fromBase) || !fs.existsSync(target)) return undefined;
            if (fs.statSync(target).isDirectory()) directories.push(target);
            else if (path.relative(dir, target).startsWith("..")) return undefined;
        }
    }
    return directories;
}

/** The kubectl that `command` starts: its path, size and modification time, or undefined when not found. */
function binaryIdentity(command: string): string | undefined {
    const candidates = command.includes(path.sep)
        ? [path.resolve(command)]
        : (process.env.PATH ?? "")
              .split(path.delimiter)
              .filter(Boolean)
              .map((dir) => path.join(dir, command));
    for (const candidate of candidates) {
        try {
            const stat = fs.statSync(candidate, { bigint: true });
            if (stat.isFile()) return `${fs.realpathSync(candidate)} ${stat.size} ${stat.mtimeNs}`;
        } catch {
            // not this one
        }
    }
    return undefined;
}

export class KustomizeBuildCache {
    private readonly kubectl: string | undefined;

    /** The cache in $FLUXPILOT_KUSTOMIZE_CACHE, or undefined when it is not set. */
    static fromEnvironment(kubectl: string): KustomizeBuildCache | undefined {
        const folder = process.env[KUSTOMIZE_CACHE_ENV];
        return folder ? new KustomizeBuildCache(folder, kubectl) : undefined;
    }

    constructor(
        readonly folder: string,
        kubectl: string,
    ) {
        this.kubectl = binaryIdentity(kubectl);
    }

    /**
     * The key of building `absolute` (`dir` from the root) in the tree under `base`, or undefined
     * when that build cannot be cached (no kubectl to identify, or a build that reads outside it).
     */
    keyOf(absolute: string, base: string, dir: string, skipAtBase: ReadonlySet<string>): string | undefined {
        if (!this.kubectl) return undefined;
        const tree = closureHash(absolute, base, skipAtBase);
        if (!tree) return undefined;
        return createHash("sha256")
            .update(JSON.stringify([FORMAT, this.kubectl, dir, tree]))
            .digest("hex");
    }

    /** The stored build, or undefined when there is none, or none that can be read (then it is built again). */
    get(key: string): CachedBuild | undefined {
        let stored: unknown;
        try {
            stored = JSON.parse(fs.readFileSync(this.fileOf(key), "utf8"));
        } catch {
            return undefined; // not built yet, the folder is gone, or a torn file
        }
        return isCachedBuild(stored) ? stored : undefined;
    }

    set(key: string, build: CachedBuild): void {
        fs.mkdirSync(this.folder, { recursive: true });
        // Written whole under a name of this process's, then renamed: a reader never sees half a file.
        const temporary = `${this.fileOf(key)}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, JSON.stringify(build));
        fs.renameSync(temporary, this.fileOf(key));
    }

    private fileOf(key: string): string {
        return path.join(this.folder, `${key}.json`);
    }
}
