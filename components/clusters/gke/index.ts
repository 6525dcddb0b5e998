/**
 * The Google GKE cluster provider: `cloud: gcp` in the stack file.
 */
import { managedClusterDefaults, validateManagedCluster } from "../managed";
import { defineClusterProvider } from "../provider";
import { GkeCluster } from "./cluster";
import { GKE_DEFAULT_VERSION, GKE_MACHINE_TYPES, GKE_MAINTENANCE_WINDOWS, GKE_VERSIONS, GkeClusterConfig, gkeSchema, nodeAccountCollisions, validateGke } from "./config";
import { gkeOfflineFixtures } from "./fixtures";
import { GKE_PERMISSION_FORM } from "./workload-identity";
import { workloadIdentityProblems } from "../workload-identity";

export const gkeProvider = defineClusterProvider({
    cloud: "gcp",
    title: "Google GKE",
    schema: gkeSchema,
    supportedVersions: GKE_VERSIONS,
    withDefaults(raw, preset): GkeClusterConfig {
        const autopilot = raw.autopilot ?? false;
        const base = managedClusterDefaults(raw, preset, { machineType: GKE_MACHINE_TYPES[preset.environment], defaultVersion: GKE_DEFAULT_VERSION });
        return {
            ...base,
            // Autopilot has no pools of ours; keep what the config listed so validation can point at it.
            nodePools: autopilot ? (raw.nodePools ?? []) : base.nodePools,
            cloud: "gcp",
            project: raw.project,
            network: {
                nodesCidr: raw.network?.nodesCidr ?? "10.10.0.0/20",
                podsCidr: raw.network?.podsCidr ?? "10.16.0.0/14",
                servicesCidr: raw.network?.servicesCidr ?? "10.20.0.0/20",
                masterCidr: raw.network?.masterCidr ?? "172.16.0.0/28",
            },
            // prod trails the others by a channel, so every version runs in staging first.
            releaseChannel: raw.releaseChannel ?? (preset.environment === "prod" ? "STABLE" : "REGULAR"),
            autopilot,
            maintenanceWindow: raw.maintenanceWindow ?? GKE_MAINTENANCE_WINDOWS[preset.environment],
            highlyAvailable: preset.highlyAvailable,
        };
    },
    validate(config, preset, key) {
        return [
            ...validateManagedCluster(config, preset, key, "Google GKE", GKE_VERSIONS, { nodesManagedByCloud: config.autopilot }),
            ...validateGke(config, key),
            ...workloadIdentityProblems(config.workloadIdentities, `${key}.workloadIdentities`, GKE_PERMISSION_FORM),
        ];
    },
    validateTogether(clusters) {
        return nodeAccountCollisions(clusters);
    },
    create(args, opts) {
        return new GkeCluster(args.name, args, opts);
    },
    flux: { clusterType: "gcp" },
    offlineFixtures: gkeOfflineFixtures,
});

export { GkeCluster } from "./cluster";
export type { GkeClusterArgs } from "./cluster";
export * from "./config";
