/**
 * Every way this program can install Flux. Adding one (for example the fluxcd-community `flux2`
 * chart): write a module exporting a `FluxInstaller`, add its id to `installerIds` and its entry
 * to `installers`; the config schema, validation and the Flux component pick it up from here.
 */
import { aksExtensionInstaller } from "../../clusters/aks/flux-extension";
import { operatorInstaller } from "./operator";
import { FluxInstaller } from "../../clusters/flux-installer";

export const installerIds = ["flux-operator", "aks-extension"] as const;
export type InstallerId = (typeof installerIds)[number];

const installers: Record<InstallerId, FluxInstaller> = {
    "flux-operator": operatorInstaller,
    "aks-extension": aksExtensionInstaller,
};

export function findInstaller(id: InstallerId): FluxInstaller {
    return installers[id];
}
