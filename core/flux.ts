/**
 * Flux's vocabulary, shared by the cluster providers (which may offer an installer) and the Flux
 * bootstrap: the names the GitOps content relies on, the controllers, the cluster types, and the
 * resolved settings an installer receives.
 *
 * The names are a contract: the GitOps content under `clusters/<env>` refers to the sync source by
 * name, so changing them breaks every Kustomization.
 */
import type { Environment } from "./environments";
import type { GitopsConfig, GitRef } from "./git";

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

/** FluxInstance `cluster.type`: enables the platform's specifics (e.g. workload identity). */
export const clusterTypes = ["kubernetes", "openshift", "aws", "azure", "gcp"] as const;
export type ClusterType = (typeof clusterTypes)[number];

/** The Flux settings of one cluster, every gap filled (see components/flux/settings.ts). */
export interface FluxSettings {
    /** Id of the installer: the generic Flux Operator, or one the cluster's provider offers. */
    installer: string;
    version: string;
    components: FluxComponent[];
    clusterType: ClusterType;
    clusterDomain: string;
    networkPolicy: boolean;
    lockdown: boolean;
    tenantServiceAccount: string;
    operatorChartVersion: string;
    aksExtensionVersion: string;
    webhook: { enabled: boolean; ingress?: WebhookIngress };
}

/**
 * The receiver served over TLS through an Ingress of the cluster's ingress controller, which
 * terminates TLS with the certificate the annotations or `tlsSecretName` name (docs/flux.md).
 */
export interface WebhookIngress {
    /** The DNS name GitHub calls; its certificate must be valid for it. */
    host: string;
    /** spec.ingressClassName; GKE Ingress takes its class from an annotation instead. */
    className?: string;
    /** The controller's own settings: its certificate, scheme, static IP... */
    annotations: Record<string, string>;
    /** A TLS Secret in flux-system holding the certificate (cert-manager, AKS app routing). */
    tlsSecretName?: string;
}

/** A problem with one Flux setting; `field` is relative (`components`), `key` overrides it when the cause lies elsewhere. */
export interface FluxProblem {
    field: string;
    key?: string;
    value?: unknown;
    message: string;
    fix: string;
}

export interface FluxValidationContext {
    environment: Environment;
    /** The cluster's `cloud`; undefined for the stack-wide settings. */
    cloud?: string;
    gitops: GitopsConfig;
}

/** What Flux syncs: the Git source and the entry point in it. */
export interface SyncSpec {
    url: string;
    ref: GitRef;
    /** Repository-relative, e.g. `clusters/prod`. */
    path: string;
    interval: string;
}

/** `refs/heads/main`, `refs/tags/v1.2.0`: the Git ref name forms Flux accepts in `spec.ref.name`. */
export function gitRefName(ref: GitRef): string | undefined {
    if ("branch" in ref) return `refs/heads/${ref.branch}`;
    if ("tag" in ref) return `refs/tags/${ref.tag}`;
    return undefined;
}

/** Flux duration ("1m30s", "500ms") in whole seconds, at least 1. */
export function durationSeconds(duration: string): number {
    const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
    let total = 0;
    for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|s|m|h)/g)) {
        total += Number(amount) * units[unit];
    }
    return Math.max(1, Math.round(total));
}
