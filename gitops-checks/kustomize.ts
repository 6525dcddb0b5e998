/**
 * Builds kustomization directories with the real kustomize (`kubectl kustomize`) and records,
 * for every object, the file it was declared in, so that problems can name it.
 *
 * The file comes from kustomize itself: each directory is built through a throw-away wrapper
 * kustomization with `buildMetadata: [originAnnotations]`, which adds a
 * `config.kubernetes.io/origin` annotation; the annotation is removed again from the result, so
 * what is rendered is exactly what Flux would apply. Builds are cached per directory for the
 * life of a builder, so a test run builds each directory once.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { GitOpsError, GitOpsProblem } from "./problems";
import { KubeObject, parseYamlDocuments } from "./yaml";

/** kubectl carries the real kustomize; found on PATH, or FLUXPILOT_KUBECTL names another binary. */
export const KUBECTL = process.env.FLUXPILOT_KUBECTL ?? "kubectl";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
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

export function kustomizationFile(dir: string): string | undefined {
    return KUSTOMIZATION_FILES.map((name) => path.join(dir, name)).find((file) => fs.existsSync(file));
}

export class KustomizeBuilder {
    private readonly cache = new Map<string, BuildResult | GitOpsError>();

    /** @param root repository root; directories and origins are reported relative to it. */
    constructor(readonly root: string) {}

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

    private buildUncached(absolute: string): BuildResult {
        const dir = this.relative(absolute);
        if (!fs.existsSync(absolute) || !fs.statSync(absolute).isDirectory()) {
            throw new GitOpsError(`cannot build ${dir}`, [
                { file: dir, message: "directory does not exist" },
            ]);
        }
        if (!kustomizationFile(absolute)) {
            throw new GitOpsError(`cannot build ${dir}`, [
                {
                    file: dir,
                    message: `no kustomization.yaml: add one listing this directory's resources`,
                },
            ]);
        }
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
                throw new GitOpsError(`kustomize build of ${dir} failed`, [
                    { file: dir, message: `kustomize build failed: ${cleanKustomizeError(run.stderr, wrapper, this.root)}` },
                ]);
            }
            const parsed = parseYamlDocuments(run.stdout, `kustomize build ${dir}`);
            if (parsed.problems.length > 0) throw new GitOpsError(`kustomize build of ${dir} gave bad YAML`, parsed.problems);
            const objects = parsed.documents.map((document) => this.withOrigin(document as KubeObject, wrapper, dir));
            return { dir, objects };
        } finally {
            fs.rmSync(wrapper, { recursive: true, force: true });
        }
    }

    private withOrigin(object: KubeObject, wrapper: string, dir: string): RenderedObject {
        const annotations = object.metadata?.annotations as Record<string, string> | undefined;
        const origin = annotations?.[ORIGIN_ANNOTATION];
        let sourceFile = dir;
        if (annotations && origin !== undefined) {
            const originPath = (YAML.parse(origin) as { path?: string } | null)?.path;
            if (originPath) {
                const file = this.relative(path.resolve(wrapper, originPath));
                const inside = dir === "." || file.startsWith(dir + path.sep);
                sourceFile = inside ? file : `${file} via ${dir}`;
            }
            delete annotations[ORIGIN_ANNOTATION];
            if (Object.keys(annotations).length === 0) delete object.metadata!.annotations;
        }
        return { object, sourceFile };
    }

    private relative(absolute: string): string {
        return path.relative(this.root, absolute) || ".";
    }
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
    const wrapped = /^accumulating resources: accumulation err='accumulating resources from '[^']*': '[^']*' must resolve to a file': recursed accumulation of path '[^']*': (.*?)(': must build at directory: .*)?$/.exec(text);
    return wrapped ? wrapped[1] : text;
}
