/**
 * AKS alternative: Azure's managed `microsoft.flux` cluster extension, then a FluxConfiguration
 * that syncs `clusters/<env>`. Both are Azure Resource Manager resources; Azure installs the
 * controllers and creates the GitRepository and Kustomization, so Pulumi never registers a Flux
 * custom resource here either.
 */
import * as pulumi from "@pulumi/pulumi";
import { Extension, FluxConfiguration } from "@pulumi/azure-native/kubernetesconfiguration";
import { durationSeconds, FLUX_NAMESPACE, fluxComponents, FluxProblem, FluxSettings, SYNC_NAME, SyncSpec } from "../../../core/flux";
import type { FluxInstaller } from "../flux-installer";
import type { AksCluster } from "./cluster";

/** Components the extension can switch on and off (it has no source-watcher). */
const extensionComponents = fluxComponents.filter((c) => c !== "source-watcher");

const CLUSTER_TARGET = { clusterRp: "Microsoft.ContainerService", clusterResourceName: "managedClusters" };

/** `configurationSettings` of the extension: one `<component>.enabled` per controller, and lock-down. */
export function extensionSettings(settings: FluxSettings): Record<string, string> {
    const values: Record<string, string> = {};
    for (const component of extensionComponents) {
        values[`${component}.enabled`] = String(settings.components.includes(component));
    }
    // Enforces --no-cross-namespace-refs and a default service account on the controllers.
    values["multiTenancy.enforce"] = String(settings.lockdown);
    return values;
}

/** The FluxConfiguration's Git source and its one Kustomization, the entry point of this environment. */
export function fluxConfigurationSpec(sync: SyncSpec, credentials: string | undefined) {
    const interval = durationSeconds(sync.interval);
    return {
        namespace: FLUX_NAMESPACE,
        scope: "cluster",
        sourceKind: "GitRepository",
        gitRepository: {
            url: sync.url,
            repositoryRef: { ...sync.ref },
            syncIntervalInSeconds: interval,
            timeoutInSeconds: 600,
            ...(credentials ? { localAuthRef: credentials } : {}),
        },
        kustomizations: {
            clusters: { path: `./${sync.path}`, prune: true, wait: true, syncIntervalInSeconds: interval, retryIntervalInSeconds: 60, timeoutInSeconds: 600 },
        },
        waitForReconciliation: true,
        reconciliationWaitDuration: "PT15M",
    };
}

/** The ARM coordinates of the AKS cluster, and the options that put a resource in its subscription. */
function azureTarget(cluster: AksCluster, parent: pulumi.Resource) {
    const azure = cluster.azure;
    return {
        args: { resourceGroupName: azure.resourceGroupName, clusterName: azure.clusterName, ...CLUSTER_TARGET },
        opts: { parent, ...(azure.provider ? { provider: azure.provider } : {}) },
    };
}

/** Offered by the AKS provider only, so the cluster it receives is always an AKS cluster. */
export const aksExtensionInstaller: FluxInstaller<AksCluster> = {
    id: "aks-extension",
    title: "AKS microsoft.flux extension (FluxConfiguration)",
    // Azure documents workload identity for the extension's source-controller only (docs/secrets.md).
    decryptsWithClusterKey: false,
    validate(settings): FluxProblem[] {
        const problems: FluxProblem[] = [];
        // The extension's configuration settings cover the controllers and multiTenancy.enforce only
        // (Azure: "GitOps Flux v2 configurations", extension configuration settings); these
        // settings would be dropped silently, so anything but their default is refused.
        const unmapped: [field: string, value: unknown, fallback: unknown, what: string][] = [
            ["networkPolicy", settings.networkPolicy, true, "Flux's network policies are the extension's own; they cannot be turned off from here"],
            ["tenantServiceAccount", settings.tenantServiceAccount, "default", "under multiTenancy.enforce the extension picks the tenants' default service account itself"],
            ["clusterDomain", settings.clusterDomain, "cluster.local", "the extension assumes cluster.local"],
        ];
        for (const [field, value, fallback, what] of unmapped) {
            if (value !== fallback) {
                problems.push({
                    field,
                    value,
                    message: `cannot be honoured by the microsoft.flux extension: ${what}`,
                    fix: `remove ${field} for this cluster, or use installer flux-operator`,
                });
            }
        }
        if (settings.components.includes("source-watcher")) {
            problems.push({
                field: "components",
                value: settings.components,
                message: "lists source-watcher, which the microsoft.flux extension does not offer",
                fix: "remove source-watcher, or use installer flux-operator",
            });
        }
        return problems;
    },
    prepare({ name, parent, cluster, settings }) {
        const target = azureTarget(cluster, parent);
        const extension = new Extension(
            `${name}-extension`,
            {
                ...target.args,
                extensionName: "flux",
                extensionType: "microsoft.flux",
                // Pinned: Azure upgrades the extension only when this version changes.
                version: settings.aksExtensionVersion,
                autoUpgradeMinorVersion: false,
                scope: { cluster: { releaseNamespace: FLUX_NAMESPACE } },
                configurationSettings: extensionSettings(settings),
            },
            target.opts,
        );
        return [extension];
    },
    install({ name, parent, cluster, settings, sync }, credentials, after) {
        const target = azureTarget(cluster, parent);
        const configuration = new FluxConfiguration(
            `${name}-sync`,
            {
                ...target.args,
                // Named like the flux-operator sync, so clusters/<env> refers to GitRepository flux-system either way.
                fluxConfigurationName: SYNC_NAME,
                ...fluxConfigurationSpec(sync, credentials),
            },
            { ...target.opts, dependsOn: after },
        );
        return { ready: [configuration], version: pulumi.output(`microsoft.flux ${settings.aksExtensionVersion}`) };
    },
};
