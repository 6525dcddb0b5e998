/**
 * The Azure AKS cluster provider: `cloud: azure` in the stack file. Besides the generic Flux
 * installer, AKS clusters can take Flux from Azure's managed `microsoft.flux` extension.
 */
import { managedClusterDefaults, validateManagedCluster } from "../managed";
import { defineClusterProvider } from "../provider";
import { AksCluster } from "./cluster";
import { adminGroupProblems, AKS_DEFAULT_VERSION, AKS_MACHINE_TYPES, AKS_VERSIONS, AksClusterConfig, aksSchema, validateAks } from "./config";
import { aksOfflineFixtures } from "./fixtures";
import { aksExtensionInstaller } from "./flux-extension";

import { AKS_PERMISSION_FORM } from "./workload-identity";
import { workloadIdentityProblems } from "../workload-identity";

export const aksProvider = defineClusterProvider({
    cloud: "azure",
    title: "Azure AKS",
    schema: aksSchema,
    supportedVersions: AKS_VERSIONS,
    withDefaults(raw, preset): AksClusterConfig {
        return {
            ...managedClusterDefaults(raw, preset, { machineType: AKS_MACHINE_TYPES[preset.environment], defaultVersion: AKS_DEFAULT_VERSION }),
            cloud: "azure",
            subscriptionId: raw.subscriptionId,
            network: {
                vnetCidr: raw.network?.vnetCidr ?? "10.30.0.0/16",
                nodesCidr: raw.network?.nodesCidr ?? "10.30.0.0/20",
                serviceCidr: raw.network?.serviceCidr ?? "10.31.0.0/16",
                podCidr: raw.network?.podCidr ?? "192.168.0.0/16",
            },
            // patch keeps the minor version the stack pins and applies patches automatically.
            autoUpgradeChannel: raw.autoUpgradeChannel ?? "patch",
            kubernetesVersionPinned: raw.kubernetesVersion !== undefined,
            adminGroupObjectIds: raw.adminGroupObjectIds ?? [],
            kubeloginMode: raw.kubeloginMode ?? "azurecli",
            highlyAvailable: preset.highlyAvailable,
        };
    },
    validate(config, preset, key) {
        return [
            ...validateManagedCluster(config, preset, key, "Azure AKS", AKS_VERSIONS),
            ...validateAks(config, key),
            ...adminGroupProblems(config, preset.environment, key),
            ...workloadIdentityProblems(config.workloadIdentities, `${key}.workloadIdentities`, AKS_PERMISSION_FORM),
        ];
    },
    create(args, opts) {
        return new AksCluster(args.name, args, opts);
    },
    flux: { clusterType: "azure", installers: [aksExtensionInstaller] },
    offlineFixtures: aksOfflineFixtures,
});

export { AKS_AAD_SERVER_APP_ID, AKS_LOG_CATEGORIES, AKS_RBAC_PROPAGATION, AksCluster, aksKubeloginArgs, aksKeyVaultName, aksServerAndCa, deployerPrincipalType } from "./cluster";
export type { AksClusterArgs, AzureClusterRef } from "./cluster";
export * from "./config";
export { aksExtensionInstaller, extensionSettings, fluxConfigurationSpec } from "./flux-extension";
