/**
 * Clusters whose Flux cannot decrypt with the cluster's SOPS key. Every Kustomization of
 * `clusters/<env>` decrypts with kustomize-controller's own cloud identity, which only some
 * installers give it (`FluxInstaller.decryptsWithClusterKey`; not the AKS `microsoft.flux`
 * extension, docs/secrets.md), so an encrypted Secret would fail its Kustomization elsewhere. A
 * warning, not a refusal: an environment without encrypted Secrets syncs fine.
 */
import type { FluxSettings } from "../components/flux/settings";
import { findInstaller } from "../components/flux/installers";
import type { ConfigProblem } from "../core/problems";

export interface ClusterInstallerKey {
    /** The cluster's name. */
    name: string;
    /** Where its installer is set: `fluxpilot:clusters[i].flux.installer` or `fluxpilot:flux.installer`. */
    installerKey: string;
}

export function sopsDecryptionWarnings(clusters: readonly ClusterInstallerKey[], fluxByCluster: Readonly<Record<string, FluxSettings>>): ConfigProblem[] {
    return clusters.flatMap(({ name, installerKey }) => {
        const installer = fluxByCluster[name]?.installer;
        if (installer === undefined || findInstaller(installer)?.decryptsWithClusterKey !== false) return [];
        return [
            {
                key: installerKey,
                value: installer,
                message: `gives cluster ${name}'s kustomize-controller no identity for the cluster's SOPS key, so an encrypted Secret synced there fails its Kustomization`,
                fix: "use installer flux-operator on this cluster to decrypt SOPS Secrets, or keep encrypted Secrets out of this environment (docs/secrets.md)",
            },
        ];
    });
}
