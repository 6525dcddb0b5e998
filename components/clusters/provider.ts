/**
 * The contract every cluster provider honours, whatever the cloud. The rest of the program (the
 * stack model, the Flux bootstrap, the stack outputs, the offline runtime) relies only on this file
 * and the registry, so adding a provider means one folder that exports a `ClusterProvider` and
 * one line in `registry.ts` (see docs/architecture.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { Environment, EnvironmentPreset } from "../../core/environments";
import { ClusterType } from "../../core/flux";
import { ConfigProblem } from "../../core/problems";
import { cidr, kubernetesMinorVersion, positiveInt, resourceName, rule } from "../../core/rules";
import { FluxInstaller } from "./flux-installer";
import { KubernetesCluster } from "./kubernetes-cluster";
import { OfflineFixtures } from "./offline-fixtures";
import { WorkloadIdentityConfig, workloadIdentitySchema } from "./workload-identity";

/** Upper bound on nodes per pool: above it, a typo (300 for 30) is likelier than intent. */
export const MAX_NODES_PER_POOL = 100;

export const nodePoolSchema = z.strictObject({
    name: resourceName,
    machineType: z
        .string(rule("must be a string", "set the instance/VM size, e.g. m6i.large"))
        .trim()
        .min(1, rule("is empty", "set the instance/VM size for this cloud, e.g. m6i.large, e2-standard-4, Standard_D4s_v5")),
    minNodes: positiveInt("minNodes", MAX_NODES_PER_POOL),
    maxNodes: positiveInt("maxNodes", MAX_NODES_PER_POOL),
    diskSizeGb: z.int(rule("must be a whole number", "set diskSizeGb in GiB, e.g. 100")).min(20).max(2048).optional(),
    spot: z.boolean(rule("must be true or false", "set spot: true for interruptible capacity")).optional(),
    labels: z.record(z.string(), z.string()).optional(),
});
export type NodePoolConfig = z.infer<typeof nodePoolSchema>;

/**
 * API server endpoint exposure. `publicAccess: false` keeps the endpoint private (reach it from the
 * VPC/VNet or a bastion); with `publicAccess: true`, only `allowedCidrs` may reach it.
 */
export const endpointSchema = z.strictObject({
    publicAccess: z.boolean(rule("must be true or false", "set publicAccess: false for a private endpoint")),
    allowedCidrs: z.array(cidr),
});
export type EndpointConfig = z.infer<typeof endpointSchema>;

/** Fields every cluster entry has, managed or adopted. */
export const clusterFields = {
    name: resourceName,
    region: z.string(rule("must be a string", "set the region, e.g. eu-west-1")).min(1, rule("is empty", "set the region or location of the cluster")),
    protect: z.boolean(rule("must be true or false", "set protect: true to guard against deletion")).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    /**
     * Overrides of the stack's `fluxpilot:flux` settings for this cluster (e.g. installer:
     * aks-extension). The Flux settings sit above this layer, so the stack model parses this
     * value with their schema; here it is only reserved, so that it is a known key.
     */
    flux: z.unknown().optional(),
};

/** Fields every cluster whose control plane and nodes the program creates has, on every cloud. */
export const managedClusterFields = {
    ...clusterFields,
    kubernetesVersion: kubernetesMinorVersion.optional(),
    nodePools: z.array(nodePoolSchema).optional(),
    endpoint: endpointSchema.partial().optional(),
    /** Cloud identities for in-cluster controllers (workload-identity.ts). */
    workloadIdentities: z.array(workloadIdentitySchema).optional(),
};

export type { KubernetesCluster };

/** Stack-wide facts a cluster component receives beside its own config. */
export interface ClusterContext {
    environment: Environment;
    /** Labels/tags put on every cloud resource: environment, cluster, managed-by. */
    tags: Record<string, string>;
}

/** The arguments of every cluster component: its defaulted config with the stack-wide facts. */
export type ClusterArgs<Config extends ClusterConfigBase> = Config & ClusterContext;

/** Base shape of a raw (parsed, not yet defaulted) cluster entry. */
export interface ClusterRawBase {
    cloud: string;
    name: string;
    flux?: unknown;
}

/** Base shape of a defaulted cluster config; providers extend it. */
export interface ClusterConfigBase {
    name: string;
    cloud: string;
    region: string;
    protect: boolean;
    tags: Record<string, string>;
}

/** A cluster whose control plane and nodes this program creates. */
export interface ManagedClusterConfig extends ClusterConfigBase {
    kubernetesVersion: string;
    nodePools: NodePoolConfig[];
    endpoint: EndpointConfig;
    workloadIdentities: WorkloadIdentityConfig[];
}

/** What a provider tells the Flux bootstrap, so that Flux never switches on the cloud. */
export interface FluxSupport<Cluster extends KubernetesCluster> {
    /** FluxInstance `cluster.type` of this provider's clusters. */
    clusterType: ClusterType;
    /** Installers only this provider's clusters support, beside the generic ones. */
    installers?: readonly FluxInstaller<Cluster>[];
}

export interface ClusterProvider<
    Raw extends ClusterRawBase = ClusterRawBase,
    Config extends ClusterConfigBase = ClusterConfigBase,
    Cluster extends KubernetesCluster = KubernetesCluster,
> {
    /** The value of `cloud` in the stack config. */
    readonly cloud: string;
    /** What the provider builds, for messages: "Amazon EKS". */
    readonly title: string;
    /** Strict schema of the raw config entry (unknown keys are errors). */
    readonly schema: z.ZodType<Raw>;
    /** Kubernetes minor versions this provider accepts, newest first; empty where the version is not ours to set. */
    readonly supportedVersions: readonly string[];
    /** Fills every optional setting from the environment preset. */
    withDefaults(raw: Raw, preset: EnvironmentPreset): Config;
    /** Rules that need the whole defaulted entry; `key` is the entry's config key prefix. */
    validate(config: Config, preset: EnvironmentPreset, key: string): ConfigProblem[];
    /**
     * Rules across this provider's clusters in one stack (e.g. cloud names derived from cluster
     * names that could collide); optional. Each entry carries its config key prefix.
     */
    validateTogether?(clusters: readonly { config: Config; key: string }[]): ConfigProblem[];
    /** Creates the cluster component; only called once the whole stack config is valid. */
    create(args: ClusterArgs<Config>, opts?: pulumi.ComponentResourceOptions): Cluster;
    readonly flux: FluxSupport<Cluster>;
    /** Canned cloud answers for the offline plan and the tests (mock-runtime/). */
    readonly offlineFixtures?: OfflineFixtures;
}

/**
 * Declares a provider with its raw, config and cluster types inferred from its schema and methods
 * and checked against each other. The result also fits the registry's `ClusterProvider` (the base
 * types); the stack model pairs each raw entry with the provider whose schema parsed it, so one
 * provider's methods never see another's values.
 */
export function defineClusterProvider<Raw extends ClusterRawBase, Config extends ClusterConfigBase, Cluster extends KubernetesCluster>(
    provider: ClusterProvider<Raw, Config, Cluster>,
): ClusterProvider<Raw, Config, Cluster> {
    return provider;
}
