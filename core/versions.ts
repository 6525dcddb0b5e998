/**
 * Every external version the program pins, in one place. docs/versions.md lists each one with
 * where it was checked; a test keeps that table and this file in step. Change a version here and
 * in that table together, and only to a version you can show exists (tag, registry entry, notes).
 */

/** Kubernetes minor versions each cloud supports, newest first, and what a cluster runs by default. */
export const KUBERNETES_VERSIONS = {
    /** EKS Kubernetes release calendar (standard support), as given in issue 3; not re-checkable offline. */
    eks: { supported: ["1.36", "1.35", "1.34", "1.33"], default: "1.35" },
    /** GKE release schedule, as given in issue 3; not re-checkable offline. */
    gke: { supported: ["1.36", "1.35", "1.34", "1.33"], default: "1.35" },
    /** AKS Kubernetes release calendar, as given in issue 3; not re-checkable offline. */
    aks: { supported: ["1.36", "1.35", "1.34", "1.33"], default: "1.35" },
} as const;

/** Flux distribution range the FluxInstance follows; flux-operator v0.58.1 bundles 2.9.0 to 2.9.4 (config/data/flux). */
export const FLUX_DISTRIBUTION_VERSION = "2.9.x";

/**
 * flux-operator and flux-instance charts (oci://ghcr.io/controlplaneio-fluxcd/charts), released
 * under the operator's version (controlplaneio-fluxcd/charts: chart 0.49.0 has appVersion v0.49.0).
 * v0.58.1 is the newest release tag of controlplaneio-fluxcd/flux-operator (2026-08-19); 0.59.0,
 * pinned before, has no release.
 */
export const FLUX_OPERATOR_CHART_VERSION = "0.58.1";

/** microsoft.flux AKS cluster extension; it decides the Flux version on AKS. Not verifiable offline. */
export const AKS_FLUX_EXTENSION_VERSION = "1.19.5";

/**
 * cluster-autoscaler Helm chart (https://kubernetes.github.io/autoscaler), installed by Flux on EKS
 * clusters (infrastructure/cloud/aws/cluster-autoscaler/release.yaml, which a test keeps equal to
 * this): tag cluster-autoscaler-chart-9.59.0 of kubernetes/autoscaler, Chart.yaml version 9.59.0,
 * appVersion 1.35.0.
 */
export const CLUSTER_AUTOSCALER_CHART_VERSION = "9.59.0";

/**
 * The cluster-autoscaler image for each EKS Kubernetes minor: its minor must be the cluster's
 * (kubernetes/autoscaler cluster-autoscaler/README.md, "Releases": use the newest release of the
 * cluster's minor). The newest cluster-autoscaler-<version> tag of each minor in kubernetes/autoscaler.
 * release.yaml sets the tag of the minor the stacks' EKS clusters run; a test keeps them in step.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<(typeof KUBERNETES_VERSIONS.eks.supported)[number], string>> = {
    "1.36": "v1.36.1",
    "1.35": "v1.35.2",
    "1.34": "v1.34.5",
    "1.33": "v1.33.6",
};

/** Every pinned version by the name docs/versions.md uses for it. */
export const PINNED_VERSIONS: Readonly<Record<string, string>> = {
    "EKS Kubernetes": KUBERNETES_VERSIONS.eks.supported.join(", "),
    "GKE Kubernetes": KUBERNETES_VERSIONS.gke.supported.join(", "),
    "AKS Kubernetes": KUBERNETES_VERSIONS.aks.supported.join(", "),
    "Flux distribution": FLUX_DISTRIBUTION_VERSION,
    "flux-operator chart": FLUX_OPERATOR_CHART_VERSION,
    "flux-instance chart": FLUX_OPERATOR_CHART_VERSION,
    "microsoft.flux extension": AKS_FLUX_EXTENSION_VERSION,
    "cluster-autoscaler chart": CLUSTER_AUTOSCALER_CHART_VERSION,
    "cluster-autoscaler image": Object.values(CLUSTER_AUTOSCALER_IMAGE_TAGS).join(", "),
};
