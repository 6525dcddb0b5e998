/**
 * Defaults and rules shared by every managed cluster kind (EKS, GKE, AKS): node pool sizing,
 * Kubernetes version support and API endpoint exposure. Kinds call these so the rules read the
 * same on every cloud.
 */
import { ConfigProblem } from "../../stacks/errors";
import { commonClusterFields, EndpointConfig, EnvironmentPreset, ManagedClusterConfig, NodePoolConfig } from "./contract";
import { z } from "zod";

const commonRawSchema = z.object(commonClusterFields);
type CommonRaw = z.infer<typeof commonRawSchema>;

export const OPEN_TO_THE_INTERNET = "0.0.0.0/0";

export interface ManagedDefaults {
    /** Machine type for the default pool in this environment. */
    machineType: string;
    supportedVersions: readonly string[];
}

/** The common managed-cluster fields with every gap filled from the environment preset. */
export function managedClusterDefaults(raw: CommonRaw, preset: EnvironmentPreset, defaults: ManagedDefaults): Omit<ManagedClusterConfig, "cloud"> {
    const nodePools: NodePoolConfig[] = raw.nodePools ?? [
        { name: "system", machineType: defaults.machineType, minNodes: preset.nodes.min, maxNodes: preset.nodes.max },
    ];
    const endpoint: EndpointConfig = {
        // Restricted environments default to a private endpoint; the others to a public one.
        publicAccess: raw.endpoint?.publicAccess ?? !preset.restrictEndpoint,
        allowedCidrs: raw.endpoint?.allowedCidrs ?? (preset.restrictEndpoint ? [] : [OPEN_TO_THE_INTERNET]),
    };
    return {
        name: raw.name,
        region: raw.region,
        kubernetesVersion: raw.kubernetesVersion ?? defaults.supportedVersions[0],
        nodePools,
        endpoint,
        protect: raw.protect ?? preset.protect,
        tags: raw.tags ?? {},
    };
}

/** Rules every managed cluster must pass; `key` is the entry's config key, e.g. `fluxpilot:clusters[0]`. */
export function validateManagedCluster(
    config: ManagedClusterConfig,
    preset: EnvironmentPreset,
    key: string,
    title: string,
    supportedVersions: readonly string[],
): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (!supportedVersions.includes(config.kubernetesVersion)) {
        problems.push({
            key: `${key}.kubernetesVersion`,
            value: config.kubernetesVersion,
            message: `is not a Kubernetes version ${title} supports`,
            fix: `use one of ${supportedVersions.join(", ")}`,
        });
    }
    if (config.nodePools.length === 0) {
        problems.push({ key: `${key}.nodePools`, value: [], message: "lists no node pool", fix: "add at least one node pool, or remove the key to use the default pool" });
    }
    const seen = new Set<string>();
    config.nodePools.forEach((pool, index) => {
        const poolKey = `${key}.nodePools[${index}]`;
        if (seen.has(pool.name)) {
            problems.push({ key: `${poolKey}.name`, value: pool.name, message: "repeats the name of another pool in this cluster", fix: "give each node pool a unique name" });
        }
        seen.add(pool.name);
        if (pool.minNodes > pool.maxNodes) {
            problems.push({
                key: `${poolKey}.minNodes`,
                value: pool.minNodes,
                message: `is greater than maxNodes (${pool.maxNodes})`,
                fix: "set minNodes to at most maxNodes, or raise maxNodes",
            });
        }
        if (pool.maxNodes < 1) {
            problems.push({ key: `${poolKey}.maxNodes`, value: pool.maxNodes, message: "must allow at least one node", fix: "set maxNodes to 1 or more" });
        }
    });
    problems.push(...validateEndpoint(config.endpoint, preset, `${key}.endpoint`));
    return problems;
}

function validateEndpoint(endpoint: EndpointConfig, preset: EnvironmentPreset, key: string): ConfigProblem[] {
    if (!endpoint.publicAccess) return [];
    if (preset.restrictEndpoint && endpoint.allowedCidrs.includes(OPEN_TO_THE_INTERNET)) {
        return [{
            key: `${key}.allowedCidrs`,
            value: endpoint.allowedCidrs,
            message: `opens the API server to the whole internet, which ${preset.environment} does not allow`,
            fix: "list only your office/VPN/CI egress ranges, or set publicAccess: false",
        }];
    }
    if (endpoint.allowedCidrs.length === 0) {
        return [{
            key: `${key}.allowedCidrs`,
            value: [],
            message: "is empty while publicAccess is true, so no one could reach the public endpoint",
            fix: "list the CIDR blocks allowed to reach the API server, or set publicAccess: false",
        }];
    }
    return [];
}
