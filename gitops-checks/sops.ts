/**
 * Secrets in Git are SOPS-encrypted, and only where Flux decrypts them: a Secret with SOPS
 * metadata (a top-level `sops` block) must be applied by a Flux Kustomization with
 * `spec.decryption.provider: sops`; otherwise kustomize-controller applies the ciphertext as the
 * Secret's values. (A Secret without SOPS metadata is the `no-plaintext-secret` rule's.)
 * Source: Flux docs, "Manage Kubernetes secrets with SOPS"
 * (https://fluxcd.io/flux/guides/mozilla-sops/) and the Kustomization API's `spec.decryption`.
 */
import { GitOpsProblem } from "./problems";
import { RenderedEnvironment } from "./render";
import { describeObject } from "./yaml";
import { recordOrEmpty } from "../core/guards";

export const SOPS_RULE = "sops-decryption";

/** Every SOPS-encrypted Secret applied by a Kustomization that does not decrypt. */
export function checkSopsDecryption(rendered: RenderedEnvironment): GitOpsProblem[] {
    const problems: GitOpsProblem[] = [];
    for (const applied of rendered.kustomizations) {
        const flux = [rendered.entry.root, ...rendered.entry.kustomizations].find((k) => k?.name === applied.name && k.namespace === applied.namespace);
        // The root Kustomization made by the Flux installer is not in Git: it does not decrypt.
        const provider = recordOrEmpty(recordOrEmpty(flux?.rendered.object.spec).decryption).provider;
        if (provider === "sops") continue;
        for (const { object, sourceFile } of applied.objects) {
            if (object.kind !== "Secret" || object.sops === undefined) continue;
            problems.push({
                file: sourceFile,
                object: describeObject(object),
                rule: SOPS_RULE,
                message: `is SOPS-encrypted, but Kustomization ${applied.namespace}/${applied.name} (./${applied.path}) does not decrypt: Flux would apply the ciphertext. Move the file under a path whose Kustomization sets spec.decryption.provider: sops`,
            });
        }
    }
    return problems;
}
