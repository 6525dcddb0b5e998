/**
 * Builds kustomization directories with the real kustomize (`kubectl kustomize`) and records,
 * for every object, the file it was declared in, so that problems can name it.
 *
 * The file comes from kustomize itself: each directory is built through a throw-away wrapper
 * kustomization with `buildMetadata: [originAnnotations]`, which adds a
 * `config.kubernetes.io/origin` annotation; the annotation is removed again from the result, so
 * what is rendered is exactly what Flux would apply. Builds are cached per directory for the
 * life of a builder, and, when FLUXPILOT_KUSTOMIZE_CACHE names a folder, across builders and
 * processes by the content of the tree (build-cache.ts), so a test run builds each tree once.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { arrayOrEmpty, isRecord, recordOrEmpty, stringOr } from "../core/guards";
import { CachedBuild, KustomizeBuildCache } from "./build-cache";
import { kustomizationFile } from "./kustomization-file";
import { GitOpsError, GitOpsProblem } from "./problems";
import { KubeObject, parseYamlDocuments } from "./yaml";

/** kubectl carries the real kustomize; found on PATH, or FLUXPILOT_KUBECTL names another binary. */
export const KUBECTL = process.env.FLUXPILOT_KUBECTL ?? "kubectl";

const ORIGIN_ANNOTATION = "config.kubernetes.io/origin";

export interface RenderedObject {
    object: KubeObject;
    /**
     * Where the object comes from, for problems: the repository-relative file it was declared in
     * (kustomize's origin), followed by `via <dir>` when that file lies outside the directory
     * built (an overlay's base), since the overlay may be what changed it.
     */
    sourceFile: string;
}

export interface BuildResult {
    /** Repository-relative directory that was built. */
    dir: string;
    objects: RenderedObject[];
}

/** kubectl cannot be started: a problem of this machine, not of the GitOps tree. */
export class KubectlUnavailableError extends Error {
    constructor(cause: string) {
        super(`cannot run ${KUBECTL} kustomize (${cause}): install kubectl, or set FLUXPILOT_KUBECTL to a kubectl binary`);
        this.name = "KubectlUnavailableError";
    }
}

/**
 * The fields of a Flux Kustomization's spec that kustomize-controller writes into the
 * kustomization.yaml of spec.path before it builds (fluxcd/pkg kustomize/kustomize_generator.go,
 * GenerateManifest): targetNamespace becomes `namespace`, namePrefix/nameSuffix are set,
 * patches and components are appended, and images are merged by name.
 */
export interface FluxBuildOverlay {
    targetNamespace?: string;
    namePrefix?: string;
    nameSuffix?: string;
    patches?: unknown[];
    images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
    components?: string[];
}

const OVERLAY_FIELDS = ["targetNamespace", "namePrefix", "nameSuffix", "patches", "images", "components"] as const;

/** The overlay fields a Flux Kustomization spec sets (an empty object when none). */
export function overlayOf(spec: unknown): FluxBuildOverlay {
    const fields = recordOrEmpty(spec);
    const overlay: Record<string, unknown> = {};
    for (const field of OVERLAY_FIELDS) if (fields[field] !== undefined) overlay[field] = fields[field];
    return overlay;
}

// Folders at the root never copied into the scratch tree: they hold no Kubernetes configuration.
const SCRATCH_SKIP = new Set([".git", "node_modules", ".cache", "out"]);

export class KustomizeBuilder {
    private readonly cache = new Map<string, BuildResult | GitOpsError>();
    private scratchRoot: string | undefined;

    /**
     * @param root repository root; directories and origins are reported relative to it.
     * @param shared builds shared with other builders and processes (build-cache.ts); by default
     * the cache FLUXPILOT_KUSTOMIZE_CACHE names, if any.
     */
    constructor(
        readonly root: string,
        private readonly shared: KustomizeBuildCache | undefined = KustomizeBuildCache.fromEnvironment(KUBECTL),
    ) {}

    /** Builds `dir` (absolute or relative to the root); throws GitOpsError naming the directory. */
    build(dir: string): BuildResult {
        const absolute = path.resolve(this.root, dir);
        let result = this.cache.get(absolute);
        if (!result) {
            try {
                result = this.buildUncached(absolute);
            } catch (error) {
                if (!(error instanceof GitOpsError)) throw error;
                result = error;
            }
            this.cache.set(absolute, result);
        }
        if (result instanceof GitOpsError) throw result;
        return result;
    }

    /** Like build, but returns the problems instead of throwing. */
    tryBuild(dir: string): { result?: BuildResult; problems: GitOpsProblem[] } {
        try {
            return { result: this.build(dir), problems: [] };
        } catch (error) {
            if (error instanceof GitOpsError) return { problems: [...error.problems] };
            throw error;
        }
    }

    /**
     * Builds `dir` the way kustomize-controller builds a Flux Kustomization's spec.path: when the
     * directory has no kustomization.yaml one is generated listing its manifests and its
     * sub-directories that have one, and the spec's overlay fields are written into it. Like the
     * controller, this edits a copy of the tree (made once per builder), never the repository.
     */
    buildFlux(dir: string, overlay: FluxBuildOverlay = {}): BuildResult {
        const absolute = path.resolve(this.root, dir);
        const plain = Object.keys(overlay).length === 0 && kustomizationFile(absolute) !== undefined;
        if (plain || !fs.existsSync(absolute) || !fs.statSync(absolute).isDirectory()) return this.build(dir);
        const cacheKey = `${absolute}\0${JSON.stringify(overlay)}`;
        let result = this.cache.get(cacheKey);
        if (!result) {
            try {
                result = this.buildInScratch(absolute, overlay);
            } catch (error) {
                if (!(error instanceof GitOpsError)) throw error;
                result = error;
            }
            this.cache.set(cacheKey, result);
        }
        if (result instanceof GitOpsError) throw result;
        return result;
    }

    /** Like buildFlux, but returns the problems instead of throwing. */
    tryBuildFlux(dir: string, overlay: FluxBuildOverlay = {}): { result?: BuildResult; problems: GitOpsProblem[] } {
        try {
            return { result: this.buildFlux(dir, overlay), problems: [] };
        } catch (error) {
            if (error instanceof GitOpsError) return { problems: [...error.problems] };
            throw error;
        }
    }

    private scratch(): string {
        if (!this.scratchRoot) {
            const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-flux-tree-"));
            // Only the root's own tooling folders are skipped; an `out/` deeper down may be content.
            fs.cpSync(this.root, scratch, { recursive: true, filter: (source) => path.dirname(source) !== this.root || !SCRATCH_SKIP.has(path.basename(source)) });
            this.scratchRoot = scratch;
            // The copy lives as long as the process; remove it on the way out.
            process.once("exit", () => fs.rmSync(scratch, { recursive: true, force: true }));
        }
        return this.scratchRoot;
    }

    private buildInScratch(absolute: string, overlay: FluxBuildOverlay): BuildResult {
        const dir = this.relative(absolute);
        const scratchDir = path.join(this.scratch(), dir);
        const existing = kustomizationFile(scratchDir);
        const original = existing ? fs.readFileSync(existing, "utf8") : undefined;
        const target = existing ?? path.join(scratchDir, "kustomization.yaml");
        const problems: GitOpsProblem[] = [];
        const kustomization = original !== undefined ? recordOrEmpty(YAML.parse(original)) : generateKustomization(scratchDir);
        applyOverlay(kustomization, overlay, scratchDir, dir, problems);
        if (problems.length > 0) throw new GitOpsError(`cannot build ${dir}`, problems);
        fs.writeFileSync(target, YAML.stringify(kustomization));
        try {
            return this.buildAt(scratchDir, dir, this.scratch());
        } finally {
            if (original !== undefined) fs.writeFileSync(target, original);
            else fs.rmSync(target);
        }
    }

    private buildUncached(absolute: string): BuildResult {
        const dir = this.relative(absolute);
        if (!fs.existsSync(absolute) || !fs.statSync(absolute).isDirectory()) {
            throw new GitOpsError(`cannot build ${dir}`, [{ file: dir, message: "directory does not exist" }]);
        }
        if (!kustomizationFile(absolute)) {
            throw new GitOpsError(`cannot build ${dir}`, [
                {
                    file: dir,
                    message: `no kustomization.yaml: add one listing this directory's resources`,
                },
            ]);
        }
        return this.buildAt(absolute, dir, this.root);
    }

    /** Builds `absolute` (under `base`, the repository root or its scratch copy); `dir` names it. */
    private buildAt(absolute: string, dir: string, base: string): BuildResult {
        const key = this.shared?.keyOf(absolute, base, dir, SCRATCH_SKIP);
        let build = key !== undefined ? this.shared?.get(key) : undefined;
        if (!build) {
            build = this.runKustomize(absolute, dir, base);
            if (key !== undefined) this.shared?.set(key, build);
        }
        if ("failure" in build) throw new GitOpsError(build.failure, build.problems);
        return { dir, objects: build.objects };
    }

    /** Runs kustomize on `absolute`: the objects with their origins, or the problem kustomize reported. */
    private runKustomize(absolute: string, dir: string, base: string): CachedBuild {
        const wrapper = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-kustomize-"));
        try {
            // kustomize refuses absolute resource paths, so the wrapper refers to the directory relatively.
            fs.writeFileSync(
                path.join(wrapper, "kustomization.yaml"),
                YAML.stringify({
                    apiVersion: "kustomize.config.k8s.io/v1beta1",
                    kind: "Kustomization",
                    resources: [path.relative(wrapper, absolute)],
                    buildMetadata: ["originAnnotations"],
                }),
            );
            const run = spawnSync(KUBECTL, ["kustomize", wrapper], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
            if (run.error) throw new KubectlUnavailableError(run.error.message);
            if (run.status !== 0) {
                return {
                    failure: `kustomize build of ${dir} failed`,
                    problems: [{ file: dir, message: `kustomize build failed: ${cleanKustomizeError(run.stderr, wrapper, base)}` }],
                };
            }
            const parsed = parseYamlDocuments(run.stdout, `kustomize build ${dir}`);
            if (parsed.problems.length > 0) return { failure: `kustomize build of ${dir} gave bad YAML`, problems: parsed.problems };
            return { objects: parsed.documents.map((document) => this.withOrigin(recordOrEmpty(document), wrapper, dir, base)) };
        } finally {
            fs.rmSync(wrapper, { recursive: true, force: true });
        }
    }

    private withOrigin(object: KubeObject, wrapper: string, dir: string, base: string): RenderedObject {
        const metadata = recordOrEmpty(object.metadata);
        const annotations = isRecord(metadata.annotations) ? metadata.annotations : undefined;
        const origin = annotations?.[ORIGIN_ANNOTATION];
        let sourceFile = dir;
        if (annotations && typeof origin === "string") {
            const originPath = stringOr(recordOrEmpty(YAML.parse(origin)).path);
            if (originPath) {
                const file = path.relative(base, path.resolve(wrapper, originPath)) || ".";
                const inside = dir === "." || file.startsWith(dir + path.sep);
                sourceFile = inside ? file : `${file} via ${dir}`;
            }
            delete annotations[ORIGIN_ANNOTATION];
            if (Object.keys(annotations).length === 0) delete metadata.annotations;
        }
        return { object, sourceFile };
    }

    private relative(absolute: string): string {
        return path.relative(this.root, absolute) || ".";
    }
}

/**
 * What kustomize-controller generates for a directory without a kustomization file
 * (findOrGenerateKustomization and scanManifests in fluxcd/pkg kustomize/kustomize_generator.go):
 * every .yaml/.yml file below it, except that a sub-directory holding a kustomization file is
 * listed as a directory and not descended into. An empty directory gets a placeholder namespace.
 */
export function generateKustomization(dir: string): Record<string, unknown> {
    const resources: string[] = [];
    const walk = (current: string): void => {
        for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(current, entry.name);
            if (entry.isDirectory()) {
                if (kustomizationFile(full)) resources.push(`./${path.relative(dir, full)}`);
                else walk(full);
            } else if (/\.ya?ml$/.test(entry.name)) {
                resources.push(`./${path.relative(dir, full)}`);
            }
        }
    };
    walk(dir);
    const generated: Record<string, unknown> = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization" };
    if (resources.length > 0) generated.resources = resources;
    else generated.namespace = "_placeholder";
    return generated;
}

/** Writes a Flux Kustomization's overlay fields into `kustomization`, as GenerateManifest does. */
function applyOverlay(kustomization: Record<string, unknown>, overlay: FluxBuildOverlay, absolute: string, dir: string, problems: GitOpsProblem[]): void {
    if (overlay.targetNamespace !== undefined) kustomization.namespace = overlay.targetNamespace;
    if (overlay.namePrefix !== undefined) kustomization.namePrefix = overlay.namePrefix;
    if (overlay.nameSuffix !== undefined) kustomization.nameSuffix = overlay.nameSuffix;
    if (overlay.patches?.length) kustomization.patches = [...arrayOrEmpty(kustomization.patches), ...overlay.patches];
    for (const component of overlay.components ?? []) {
        if (path.isAbsolute(component) || /^[a-z]+:\/\//.test(component)) {
            problems.push({ file: dir, message: `spec.components entry "${component}" must be a local path relative to spec.path` });
            continue;
        }
        if (!fs.existsSync(path.join(absolute, component))) {
            problems.push({ file: dir, message: `spec.components entry "${component}" does not exist under ${dir}` });
            continue;
        }
        kustomization.components = [...arrayOrEmpty(kustomization.components), component];
    }
    for (const image of overlay.images ?? []) {
        const images = listField(kustomization, "images");
        const same = images.filter(isRecord).find((i) => i.name === image.name);
        if (!same) {
            images.push({ ...image });
            continue;
        }
        // The spec wins for the fields it sets; newTag and digest are replaced together.
        if (image.newName) same.newName = image.newName;
        if (image.newTag || image.digest) {
            same.newTag = image.newTag;
            same.digest = image.digest;
            for (const k of ["newTag", "digest"]) if (same[k] === undefined) delete same[k];
        }
    }
}

/** The list under `field`, created empty when the field is missing, so that it can be appended to. */
function listField(record: Record<string, unknown>, field: string): unknown[] {
    const value = record[field];
    if (Array.isArray(value)) return value as unknown[];
    const list: unknown[] = [];
    record[field] = list;
    return list;
}

/**
 * kustomize's error without the klog prefix and without the layer our wrapper adds, with the
 * temporary wrapper's paths made repository-relative.
 */
function cleanKustomizeError(stderr: string, wrapper: string, root: string): string {
    let text = stderr
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.length > 0)
        .join(" ")
        .replace(/^E\d{4} [\d:.]+\s+\d+ run\.go:\d+\] "command failed" err=/, "")
        .replace(/^"(.*)"$/, "$1");
    for (const prefix of [path.relative(wrapper, root) + path.sep, root + path.sep, wrapper]) {
        text = text.split(prefix).join("");
    }
    // The wrapper's own layer: "accumulating resources from '<dir>': '<dir>' must resolve to a file': recursed accumulation of path '<dir>': ..."
    const wrapped =
        /^accumulating resources: accumulation err='accumulating resources from '[^']*': '[^']*' must resolve to a file': recursed accumulation of path '[^']*': (.*?)(': must build at directory: .*)?$/.exec(
            text,
        );
    return wrapped ? wrapped[1] : text;
}
