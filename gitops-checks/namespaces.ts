/**
 * Namespaces exist before anything is applied into them. Flux applies a Kustomization's
 * Namespaces before its other objects, and a Kustomization only after those it depends on are
 * ready; so a namespace is there in time when it is a namespace every cluster has, or is
 * created by the same Kustomization, by one it depends on (directly or not), or by the entry
 * point that declares them all. A namespace created anywhere else may come too late, and the
 * apply fails with "namespace not found".
 */
import { BOOTSTRAP_NAMESPACE } from "./flux";
import { GitOpsProblem } from "./problems";
import type { RenderedEnvironment } from "./render";
import { describeObject, metadataOf } from "./yaml";
import { recordOrEmpty } from "../core/guards";

/** Namespaces Kubernetes creates, plus the one the Flux bootstrap creates. */
export const PREEXISTING_NAMESPACES: ReadonlySet<string> = new Set(["default", "kube-system", "kube-public", "kube-node-lease", BOOTSTRAP_NAMESPACE]);

export function checkNamespacesExist(rendered: RenderedEnvironment): GitOpsProblem[] {
    const [root, ...synced] = rendered.kustomizations;
    const created = new Map(
        rendered.kustomizations.map((k) => [
            k.name,
            new Set(k.objects.filter((o) => o.object.kind === "Namespace" && o.object.apiVersion === "v1").map((o) => String(metadataOf(o.object).name))),
        ]),
    );
    const dependsOn = new Map(rendered.entry.kustomizations.map((k) => [k.name, k.dependsOn.map((d) => d.name)]));
    const reachable = (name: string, seen = new Set<string>()): Set<string> => {
        if (seen.has(name)) return seen;
        seen.add(name);
        for (const next of dependsOn.get(name) ?? []) reachable(next, seen);
        return seen;
    };

    const problems: GitOpsProblem[] = [];
    for (const k of [root, ...synced]) {
        const available = new Set(PREEXISTING_NAMESPACES);
        for (const source of [root.name, ...reachable(k.name)]) for (const ns of created.get(source) ?? []) available.add(ns);
        for (const { object, sourceFile } of k.objects) {
            const uses: [string, unknown][] = [["metadata.namespace", metadataOf(object).namespace]];
            // helm-controller creates the target namespace itself when asked to (install.createNamespace).
            let createdByHelm: unknown;
            if (object.kind === "HelmRelease") {
                const spec = recordOrEmpty(object.spec);
                uses.push(["spec.targetNamespace", spec.targetNamespace], ["spec.storageNamespace", spec.storageNamespace]);
                if (recordOrEmpty(spec.install).createNamespace === true) createdByHelm = spec.targetNamespace;
            }
            for (const [field, namespace] of uses) {
                if (typeof namespace !== "string" || available.has(namespace) || namespace === createdByHelm) continue;
                problems.push({
                    file: sourceFile,
                    object: describeObject(object),
                    message: `${field} is ${namespace}, which neither ${k.namespace}/${k.name} nor a Kustomization it depends on creates: add the Namespace to it, or dependsOn the one that creates it`,
                });
            }
        }
    }
    return problems;
}
