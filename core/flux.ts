/**
 * Names other parts of the project rely on. The GitOps content under `clusters/<env>` refers to
 * the sync source by name, so these are a contract: changing them breaks every Kustomization.
 */

/** Namespace Flux runs in, on every installer. */
export const FLUX_NAMESPACE = "flux-system";

/** Name of the GitRepository (and root Kustomization) that syncs `clusters/<env>`. */
export const SYNC_NAME = "flux-system";

/** Secret holding the Git credentials Pulumi writes (deploy key or basic auth), as `flux bootstrap` names it. */
export const GIT_CREDENTIALS_SECRET = "flux-system";

/** Flux's own controller service account, which platform-level Kustomizations run as under lock-down. */
export const KUSTOMIZE_CONTROLLER_SA = "kustomize-controller";

/** Controllers as the FluxInstance `components` field (and the AKS extension settings) name them. */
export const fluxComponents = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
    "source-watcher",
] as const;
export type FluxComponent = (typeof fluxComponents)[number];

/** `cloud` of the AKS cluster kind (components/clusters/aks.ts); the managed extension exists only there. */
export const AKS_CLOUD = "azure";
