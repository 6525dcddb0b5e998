/**
 * Default installer: the Flux Operator and a FluxInstance, both from their pinned Helm charts.
 * The FluxInstance is a value of the `flux-instance` chart, so Helm (not Pulumi) creates it, after
 * the operator release has installed its CRD; Pulumi only ever sees two `helm.sh/v3:Release`s.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isDeepStrictEqual } from "util";
import { parseAllDocuments, stringify } from "yaml";
import { FLUX_NAMESPACE, FluxProblem, FluxSettings, gitRefName, KUSTOMIZE_CONTROLLER_SA, SYNC_NAME, SyncSpec } from "../../../core/flux";
import type { ControllerIdentityPatch } from "../../../core/sops";
import type { FluxInstaller } from "../../clusters/flux-installer";
import type { KubernetesCluster } from "../../clusters/kubernetes-cluster";

export const OPERATOR_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator";
export const INSTANCE_CHART = "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-instance";
/** Where the operator pulls the Flux controller images from. */
export const DISTRIBUTION_REGISTRY = "ghcr.io/fluxcd";
/** How long the instance release's health check waits for Flux and the first sync. */
const HEALTHCHECK_TIMEOUT = "10m";

/**
 * Lock-down is `cluster.multitenant` alone: flux-operator's multitenant profile (v0.58.1,
 * internal/builder/profiles.go, profileClusterMultitenant) adds --no-cross-namespace-refs,
 * --no-remote-bases and --default-service-account to the controllers and sets
 * `serviceAccountName: kustomize-controller` on the sync Kustomization, so no patch of ours
 * repeats them.
 */
/**
 * The flux-instance chart writes most strings into its template unquoted (`ref: {{ .Values.instance.sync.ref }}`
 * in templates/instance.yaml, checked at chart 0.49.0), so a value holding a newline could add
 * objects to the release. The stack model refuses such values; this refuses any that would not read
 * back as exactly itself, should one get past it. Quoting here instead would break the day the
 * chart quotes them itself.
 */
export function plainScalar(field: string, value: string): string {
    let readBack: unknown;
    try {
        const docs = /^\S+$/.test(value) ? parseAllDocuments(`v: ${value}\n`) : [];
        readBack = docs.length === 1 && docs[0].errors.length === 0 ? docs[0].toJS() : undefined;
    } catch {
        readBack = undefined; // an alias to nothing, for one
    }
    if (!isDeepStrictEqual(readBack, { v: value })) {
        throw new Error(`flux-instance value ${field} ${JSON.stringify(value)} is not a plain YAML scalar; the stack model should have refused it`);
    }
    return value;
}

/**
 * The FluxInstance `kustomize.patches` that give kustomize-controller its cloud identity for SOPS
 * (the cluster's key, core/sops.ts): annotations on its service account, labels on its pods.
 * Strategic merge patches with a target, the form the Flux Operator documents ("Flux Instance
 * Customization", https://fluxcd.control-plane.io/operator/flux-kustomize) and Flux's own
 * workload identity guide uses for kustomize-controller's KMS access
 * (https://fluxcd.io/flux/installation/configuration/workload-identity/).
 */
export function kustomizeControllerPatches(identity: ControllerIdentityPatch): { target: { kind: string; name: string }; patch: string }[] {
    // The controller's ServiceAccount and Deployment share its name; each is patched only when there is something to add.
    const patch = (apiVersion: string, kind: string, wanted: Record<string, string>, metadata: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
        Object.keys(wanted).length === 0
            ? []
            : [{ target: { kind, name: KUSTOMIZE_CONTROLLER_SA }, patch: stringify({ apiVersion, kind, metadata: { name: KUSTOMIZE_CONTROLLER_SA, ...metadata }, ...rest }) }];
    return [
        ...patch("v1", "ServiceAccount", identity.serviceAccountAnnotations, { annotations: identity.serviceAccountAnnotations }),
        ...patch("apps/v1", "Deployment", identity.podLabels, {}, { spec: { template: { metadata: { labels: identity.podLabels } } } }),
    ];
}

/** The cluster's SOPS key identity, resolved; nothing to patch on a cluster without a key. */
function controllerIdentity(cluster: KubernetesCluster): pulumi.Output<ControllerIdentityPatch> {
    const key = cluster.sopsKey;
    return pulumi.output({ serviceAccountAnnotations: key?.serviceAccountAnnotations ?? {}, podLabels: key?.podLabels ?? {} });
}

/** Values of the flux-instance chart: the FluxInstance spec. Pure, so tests read it directly. */
export function instanceValues(settings: FluxSettings, sync: SyncSpec, credentials: string | undefined, identity?: ControllerIdentityPatch) {
    const ref = gitRefName(sync.ref);
    const patches = identity ? kustomizeControllerPatches(identity) : [];
    return {
        instance: {
            distribution: { version: settings.version, registry: DISTRIBUTION_REGISTRY },
            components: settings.components,
            cluster: {
                type: settings.clusterType,
                domain: plainScalar("cluster.domain", settings.clusterDomain),
                networkPolicy: settings.networkPolicy,
                multitenant: settings.lockdown,
                tenantDefaultServiceAccount: plainScalar("cluster.tenantDefaultServiceAccount", settings.tenantServiceAccount),
            },
            sync: {
                kind: "GitRepository",
                name: SYNC_NAME,
                url: plainScalar("sync.url", sync.url),
                ref: ref === undefined ? undefined : plainScalar("sync.ref", ref),
                path: plainScalar("sync.path", sync.path),
                interval: plainScalar("sync.interval", sync.interval),
                ...(credentials ? { pullSecret: plainScalar("sync.pullSecret", credentials) } : {}),
            },
            ...(patches.length > 0 ? { kustomize: { patches } } : {}),
        },
        // A post-install hook waits until the FluxInstance is ready, so the release (and `pulumi up`)
        // completes only once Flux runs and its CRDs exist.
        healthcheck: { enabled: true, timeout: HEALTHCHECK_TIMEOUT },
    };
}

export const operatorInstaller: FluxInstaller = {
    id: "flux-operator",
    title: "Flux Operator (FluxInstance)",
    // FluxInstance kustomize.patches (kustomizeControllerPatches above).
    decryptsWithClusterKey: true,
    validate(_settings, context): FluxProblem[] {
        if ("semver" in context.gitops.ref) {
            return [
                {
                    field: "installer",
                    key: "fluxpilot:gitops.semver",
                    value: context.gitops.ref.semver,
                    message: "is not supported by the flux-operator installer: a FluxInstance follows one Git ref name",
                    fix: "follow a branch or a tag, or choose installer aks-extension on AKS",
                },
            ];
        }
        return [];
    },
    prepare({ name, parent }) {
        const namespace = new k8s.core.v1.Namespace(
            `${name}-ns`,
            {
                metadata: {
                    name: FLUX_NAMESPACE,
                    labels: {
                        "app.kubernetes.io/part-of": "flux",
                        "app.kubernetes.io/managed-by": "fluxpilot",
                        // Flux's controllers meet the restricted profile; warn if anything here does not.
                        "pod-security.kubernetes.io/warn": "restricted",
                        "pod-security.kubernetes.io/warn-version": "latest",
                    },
                },
            },
            { parent },
        );
        return [namespace];
    },
    install({ name, parent, cluster, settings, sync }, credentials, after) {
        const common = { namespace: FLUX_NAMESPACE, createNamespace: false, cleanupOnFail: true, maxHistory: 5 };
        const operator = new k8s.helm.v3.Release(
            `${name}-operator`,
            { ...common, name: "flux-operator", chart: OPERATOR_CHART, version: settings.operatorChartVersion, atomic: true, timeout: 600 },
            { parent, dependsOn: after },
        );
        const instance = new k8s.helm.v3.Release(
            `${name}-instance`,
            {
                ...common,
                name: "flux",
                chart: INSTANCE_CHART,
                version: settings.operatorChartVersion,
                values: controllerIdentity(cluster).apply((identity) => instanceValues(settings, sync, credentials, identity)),
                waitForJobs: true,
                timeout: 900,
            },
            { parent, dependsOn: [operator, ...after] },
        );
        return { ready: [instance], version: pulumi.output(settings.version) };
    },
};
