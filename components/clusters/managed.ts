/**
 * Defaults and rules shared by every managed cluster provider (EKS, GKE, AKS): node pool sizing,
 * Kubernetes version support, API endpoint exposure, CIDR layout and naming checks, and the
 * exec-plugin kubeconfig and Kubernetes provider every kind exposes. Kinds call these so the
 * rules read, and the outputs look, the same on every cloud.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { ConfigProblem } from "../../core/problems";
import { Environment } from "../../core/environments";
import { cidrContains, cidrsOverlap, cidrWithPrefix, parseCidr } from "../../core/cidr";
import { managedClusterFields, EndpointConfig, ManagedClusterConfig, NodePoolConfig } from "./provider";
import { EnvironmentPreset } from "../../core/environments";

const managedRawSchema = z.object(managedClusterFields);
type ManagedRaw = z.infer<typeof managedRawSchema>;

export const OPEN_TO_THE_INTERNET = "0.0.0.0/0";

export interface ManagedDefaults {
    /** Machine type for the default pool in this environment. */
    machineType: string;
    /** Kubernetes minor version when the stack names none. */
    defaultVersion: string;
}

/** The common managed-cluster fields with every gap filled from the environment preset. */
export function managedClusterDefaults(raw: ManagedRaw, preset: EnvironmentPreset, defaults: ManagedDefaults): Omit<ManagedClusterConfig, "cloud"> {
    const nodePools: NodePoolConfig[] = raw.nodePools ?? [{ name: "system", machineType: defaults.machineType, minNodes: preset.nodes.min, maxNodes: preset.nodes.max }];
    const endpoint: EndpointConfig = {
        // Restricted environments default to a private endpoint; the others to a public one.
        publicAccess: raw.endpoint?.publicAccess ?? !preset.restrictEndpoint,
        allowedCidrs: raw.endpoint?.allowedCidrs ?? (preset.restrictEndpoint ? [] : [OPEN_TO_THE_INTERNET]),
    };
    return {
        name: raw.name,
        region: raw.region,
        kubernetesVersion: raw.kubernetesVersion ?? defaults.defaultVersion,
        nodePools,
        endpoint,
        protect: raw.protect ?? preset.protect,
        tags: raw.tags ?? {},
        workloadIdentities: raw.workloadIdentities ?? [],
    };
}

export interface ManagedRuleOptions {
    /** The cloud runs the nodes (GKE Autopilot): the config must list no node pool. */
    nodesManagedByCloud?: boolean;
}

/** Rules every managed cluster must pass; `key` is the entry's config key, e.g. `fluxpilot:clusters[0]`. */
export function validateManagedCluster(
    config: ManagedClusterConfig,
    preset: EnvironmentPreset,
    key: string,
    title: string,
    supportedVersions: readonly string[],
    options: ManagedRuleOptions = {},
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
    if (options.nodesManagedByCloud) {
        if (config.nodePools.length > 0) {
            problems.push({
                key: `${key}.nodePools`,
                value: config.nodePools.map((p) => p.name),
                message: `lists node pools, but ${title} provisions nodes itself in this mode`,
                fix: "remove nodePools, or turn the mode off to manage node pools yourself",
            });
        }
    } else if (config.nodePools.length === 0) {
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
        return [
            {
                key: `${key}.allowedCidrs`,
                value: endpoint.allowedCidrs,
                message: `opens the API server to the whole internet, which ${preset.environment} does not allow`,
                fix: "list only your office/VPN/CI egress ranges, or set publicAccess: false",
            },
        ];
    }
    if (endpoint.allowedCidrs.length === 0) {
        return [
            {
                key: `${key}.allowedCidrs`,
                value: [],
                message: "is empty while publicAccess is true, so no one could reach the public endpoint",
                fix: "list the CIDR blocks allowed to reach the API server, or set publicAccess: false",
            },
        ];
    }
    return [];
}

// ---- Shared rules used by the providers for their cloud-specific settings ----

/** A CIDR setting: its full key, its value, and what it is for (in messages). */
export interface CidrSetting {
    key: string;
    cidr: string;
    what: string;
}

/** One problem per pair of ranges that overlap; they must be disjoint for routing to work. */
export function overlappingCidrProblems(ranges: readonly CidrSetting[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    ranges.forEach((a, i) => {
        for (const b of ranges.slice(i + 1)) {
            if (cidrsOverlap(a.cidr, b.cidr)) {
                problems.push({
                    key: b.key,
                    value: b.cidr,
                    message: `overlaps the ${a.what} (${a.key} = ${a.cidr})`,
                    fix: `choose a ${b.what} that shares no address with ${a.cidr}`,
                });
            }
        }
    });
    return problems;
}

/** One problem per range that does not lie inside `outer`. */
export function containedCidrProblems(outer: CidrSetting, inners: readonly CidrSetting[]): ConfigProblem[] {
    return inners
        .filter((inner) => !cidrContains(outer.cidr, inner.cidr))
        .map((inner) => ({
            key: inner.key,
            value: inner.cidr,
            message: `is not inside the ${outer.what} (${outer.key} = ${outer.cidr})`,
            fix: `choose a ${inner.what} within ${outer.cidr}, or widen ${outer.key}`,
        }));
}

/** A problem when the block's prefix length is outside [smallest, largest] (e.g. /16../20). */
export function cidrSizeProblems(setting: CidrSetting, largest: number, smallest: number, why: string): ConfigProblem[] {
    const { prefix } = parseCidr(setting.cidr);
    if (prefix >= largest && prefix <= smallest) return [];
    return [
        {
            key: setting.key,
            value: setting.cidr,
            message: `is a /${prefix}, but the ${setting.what} must be ${largest === smallest ? `a /${largest}` : `between /${largest} and /${smallest}`} (${why})`,
            fix:
                largest === smallest
                    ? `use a /${largest}, e.g. ${cidrWithPrefix(setting.cidr, largest)}`
                    : `use a block between /${largest} and /${smallest}, e.g. ${cidrWithPrefix(setting.cidr, Math.min(Math.max(prefix, largest), smallest))}`,
        },
    ];
}

/** Checks a value against the cloud's naming pattern, e.g. a region or a machine type. */
export function patternProblems(key: string, value: string, pattern: RegExp, what: string, example: string): ConfigProblem[] {
    return pattern.test(value) ? [] : [{ key, value, message: `is not a valid ${what}`, fix: `write it like ${example}` }];
}

/** Every pool's machine type must look like the cloud's own (catches one cloud's size used on another). */
export function machineTypeProblems(pools: readonly NodePoolConfig[], key: string, pattern: RegExp, what: string, example: string): ConfigProblem[] {
    return pools.flatMap((pool, index) => patternProblems(`${key}.nodePools[${index}].machineType`, pool.machineType, pattern, what, example));
}

/** Days control-plane logs are kept: long enough for an audit in prod, cheap elsewhere. */
export function auditLogRetentionDays(environment: Environment): number {
    return environment === "prod" ? 365 : environment === "staging" ? 90 : 30;
}

// ---- Kubeconfig and Kubernetes provider, the same shape on every cloud ----

/** The exec credential plugin a kubeconfig runs to get a short-lived token. */
export interface ExecCredentialPlugin {
    command: string;
    args: pulumi.Input<string[]>;
    /** Shown by kubectl when the command is missing. */
    installHint: string;
    provideClusterInfo?: boolean;
}

export interface KubeconfigArgs {
    /** Name of the cluster, context and user entries. */
    name: pulumi.Input<string>;
    /** https:// URL of the API server. */
    server: pulumi.Input<string>;
    /** Base64 PEM of the cluster CA, as kubeconfigs carry it. */
    certificateAuthorityData: pulumi.Input<string>;
    exec: ExecCredentialPlugin;
}

/**
 * A kubeconfig that authenticates with the cloud's exec plugin, so it holds no token and no key.
 * It is still marked secret: the endpoint and CA of a private cluster are not for logs.
 */
export function execKubeconfig(args: KubeconfigArgs): pulumi.Output<string> {
    const document = pulumi.all([args.name, args.server, args.certificateAuthorityData, args.exec.args]).apply(([name, server, ca, execArgs]) =>
        stringifyYaml({
            apiVersion: "v1",
            kind: "Config",
            "current-context": name,
            clusters: [{ name, cluster: { server, "certificate-authority-data": ca } }],
            contexts: [{ name, context: { cluster: name, user: name } }],
            users: [
                {
                    name,
                    user: {
                        exec: {
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            command: args.exec.command,
                            args: execArgs,
                            interactiveMode: "IfAvailable",
                            installHint: args.exec.installHint,
                            provideClusterInfo: args.exec.provideClusterInfo ?? false,
                        },
                    },
                },
            ],
        }),
    );
    return pulumi.secret(document);
}

/** The Kubernetes provider everything inside the cluster is installed with. */
export function clusterKubernetesProvider(name: string, kubeconfig: pulumi.Output<string>, parent: pulumi.Resource, dependsOn: pulumi.Resource[] = []): k8s.Provider {
    return new k8s.Provider(`${name}-k8s`, { kubeconfig, enableServerSideApply: true }, { parent, dependsOn });
}
