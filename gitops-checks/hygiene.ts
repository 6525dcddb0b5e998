/**
 * Checks over everything an environment applies, whatever its kind: one owner per object name,
 * and no `latest` tag anywhere (images, Helm values, kustomize image overrides).
 */
import { scalarText } from "../core/guards";
import { RenderedObject } from "./kustomize";
import { GitOpsProblem } from "./problems";
import { apiVersionOf, describeObject, metadataOf } from "./yaml";
import { groupOf } from "./flux";

export interface OwnedObject extends RenderedObject {
    /** The Flux Kustomization that applies it (`namespace/name`). */
    owner: string;
}

/**
 * Names are unique per kind (API group + kind) and namespace across every Kustomization of an
 * environment: two copies would overwrite each other, and two Flux Kustomizations applying the
 * same object would fight over it and prune it from under each other.
 */
export function checkUniqueNames(objects: readonly OwnedObject[]): GitOpsProblem[] {
    const seen = new Map<string, OwnedObject>();
    const problems: GitOpsProblem[] = [];
    for (const current of objects) {
        const { object } = current;
        const metadata = metadataOf(object);
        const id = `${groupOf(apiVersionOf(object))}/${String(object.kind)}/${scalarText(metadata.namespace) ?? ""}/${String(metadata.name)}`;
        const first = seen.get(id);
        if (!first) {
            seen.set(id, current);
            continue;
        }
        problems.push({
            file: current.sourceFile,
            object: describeObject(object),
            message: `declared twice: also in ${first.sourceFile} (applied by ${first.owner}; this one by ${current.owner})`,
        });
    }
    return problems;
}

const TAG_KEYS = new Set(["tag", "newTag", "imageTag"]);

/** Every `latest` tag: an image reference ending in :latest, or a tag field set to latest. */
export function checkNoLatestTag(objects: readonly RenderedObject[]): GitOpsProblem[] {
    const problems: GitOpsProblem[] = [];
    for (const { object, sourceFile } of objects) {
        const visit = (value: unknown, at: string, key: string): void => {
            if (typeof value === "string") {
                const isLatestTag = TAG_KEYS.has(key) && value.trim().toLowerCase() === "latest";
                const isLatestImage = /^[\w.-]+(:\d+)?(\/[\w.-]+)*:latest$/i.test(value.trim());
                if (isLatestTag || isLatestImage) {
                    problems.push({ file: sourceFile, object: describeObject(object), rule: "CKV_K8S_14", message: `${at} is "${value}": pin an explicit version, never latest` });
                }
            } else if (Array.isArray(value)) {
                value.forEach((item, i) => visit(item, `${at}[${i}]`, key));
            } else if (value && typeof value === "object") {
                for (const [k, v] of Object.entries(value)) visit(v, at ? `${at}.${k}` : k, k);
            }
        };
        visit(object, "", "");
    }
    return problems;
}
