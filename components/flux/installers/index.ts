/**
 * Every way this program can install Flux: the generic installers below, which work on any
 * cluster, and those a cluster provider offers for its own clusters (e.g. the AKS extension,
 * in components/clusters/aks). Adding a generic one (for example the fluxcd-community `flux2`
 * chart): write a module exporting a `FluxInstaller` and list it here.
 */
import type { FluxInstaller } from "../../clusters/flux-installer";
import { clusterProviders, findClusterProvider } from "../../clusters/registry";
import { operatorInstaller } from "./operator";

const genericInstallers: readonly FluxInstaller[] = [operatorInstaller];

/** The installer a cluster gets when the settings name none. */
export const DEFAULT_INSTALLER = operatorInstaller.id;

/** What a cluster of `cloud` may use: the generic installers, then those its provider offers. */
export function installersFor(cloud: string): readonly FluxInstaller[] {
    return [...genericInstallers, ...(findClusterProvider(cloud)?.flux.installers ?? [])];
}

/** Every installer id some cluster may use, for the stack-wide setting. */
export function knownInstallerIds(): string[] {
    return [...new Set([...genericInstallers, ...clusterProviders().flatMap((p) => p.flux.installers ?? [])].map((i) => i.id))];
}

/** The installer with this id: for a cluster of `cloud` when given, else among all. */
export function findInstaller(id: string, cloud?: string): FluxInstaller | undefined {
    const candidates = cloud === undefined ? [...genericInstallers, ...clusterProviders().flatMap((p) => p.flux.installers ?? [])] : installersFor(cloud);
    return candidates.find((installer) => installer.id === id);
}
