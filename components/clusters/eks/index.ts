/**
 * The Amazon EKS cluster provider: `cloud: aws` in the stack file.
 */
import { defineClusterProvider } from "../provider";
import { EksCluster } from "./cluster";
import { EKS_DEFAULT_VERSION, EKS_MACHINE_TYPES, EKS_VERSIONS, eksSchema, EksClusterConfig, validateEks } from "./config";
import { eksOfflineFixtures } from "./fixtures";
import { EKS_PERMISSION_FORM } from "./workload-identity";
import { builtInIdentityProblems } from "./cluster-autoscaler";
import { workloadIdentityProblems } from "../workload-identity";
import { managedClusterDefaults, validateManagedCluster } from "../managed";

export const eksProvider = defineClusterProvider({
    cloud: "aws",
    title: "Amazon EKS",
    schema: eksSchema,
    supportedVersions: EKS_VERSIONS,
    withDefaults(raw, preset): EksClusterConfig {
        return {
            ...managedClusterDefaults(raw, preset, { machineType: EKS_MACHINE_TYPES[preset.environment], defaultVersion: EKS_DEFAULT_VERSION }),
            cloud: "aws",
            network: { vpcCidr: raw.network?.vpcCidr ?? "10.0.0.0/16", serviceCidr: raw.network?.serviceCidr ?? "172.20.0.0/16" },
            accessEntries: raw.accessEntries ?? [],
            addons: raw.addons ?? {},
            supportType: raw.supportType ?? "STANDARD",
            controlPlaneLogGroup: raw.controlPlaneLogGroup ?? "create",
            natPerZone: preset.highlyAvailable,
        };
    },
    validate(config, preset, key) {
        return [
            ...validateManagedCluster(config, preset, key, "Amazon EKS", EKS_VERSIONS),
            ...validateEks(config, key),
            ...workloadIdentityProblems(config.workloadIdentities, `${key}.workloadIdentities`, EKS_PERMISSION_FORM),
            ...builtInIdentityProblems(config.workloadIdentities, `${key}.workloadIdentities`),
        ];
    },
    create(args, opts) {
        return new EksCluster(args.name, args, opts);
    },
    flux: { clusterType: "aws" },
    offlineFixtures: eksOfflineFixtures,
});

export { EksCluster } from "./cluster";
export type { EksClusterArgs } from "./cluster";
export * from "./config";
