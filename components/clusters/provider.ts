/**
 * The contract every cluster kind honours, whatever the cloud. The rest of the program (Flux
 * bootstrap, stack outputs) relies only on this file, so adding a cloud means one new module
 * that exports a `ClusterKind` and one line in `registry.ts`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import { ConfigProblem } from "../../core/problems";
import { fluxSchema } from "../flux/settings";
import { cidr, Environment, kubernetesMinorVersion, positiveInt, resourceName, rule } from "../../core/rules";

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

/** Fields every cluster has; a kind adds its own with `clusterSchema(cloud, extra)`. */
export const commonClusterFields = {
    name: resourceName,
    region: z.string(rule("must be a string", "set the region, e.g. eu-west-1")).min(1, rule("is empty", "set the region or location of the cluster")),
    kubernetesVersion: kubernetesMinorVersion.optional(),
    nodePools: z.array(nodePoolSchema).optional(),
    endpoint: endpointSchema.partial().optional(),
    protect: z.boolean(rule("must be true or false", "set protect: true to guard against deletion")).optional(),
    tags: z.record(z.string(), z.string()).optional(),
    /** Overrides of the stack's `fluxpilot:flux` settings for this cluster (e.g. installer: aks-extension). */
    flux: fluxSchema.optional(),
};

/** Settings shared by every environment preset that a cluster kind turns into cloud specifics. */
export interface EnvironmentPreset {
    environment: Environment;
    /** Pool size when the stack does not list pools. */
    nodes: { min: number; max: number };
    /** true: the API endpoint must not be open to 0.0.0.0/0 and defaults to private. */
    restrictEndpoint: boolean;
    /** Protect clusters against `pulumi destroy` and replacement. */
    protect: boolean;
    /** Spread nodes over zones (three where the region has them). */
    highlyAvailable: boolean;
}

/** What a kind receives when it creates a cluster: the defaulted config and stack-wide facts. */
export interface ClusterContext {
    environment: Environment;
    /** Labels/tags put on every cloud resource: environment, cluster, managed-by. */
    tags: Record<string, string>;
}

/** The outputs every cluster component exposes; Flux and the stack outputs use nothing else. */
export interface KubernetesCluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly cloud: string;
    readonly region: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly kubernetesVersion: pulumi.Output<string>;
    /** Secret. Uses the cloud's exec credential plugin, never a static token. */
    readonly kubeconfig: pulumi.Output<string>;
    /** OIDC issuer for workload identity; undefined where the cluster has none. */
    readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
    /** Kubernetes provider bound to this cluster, for everything installed into it. */
    readonly provider: k8s.Provider;
    /**
     * Azure Resource Manager coordinates of an AKS cluster, for what is installed through Azure
     * rather than the Kubernetes API (the microsoft.flux extension). Only the AKS kind sets it.
     */
    readonly azure?: AzureClusterRef;
}

export interface AzureClusterRef {
    resourceGroupName: pulumi.Output<string>;
    /** The managed cluster's resource name. */
    clusterName: pulumi.Output<string>;
    /** The azure-native provider the cluster was created with, when not the default one. */
    provider?: pulumi.ProviderResource;
}

/** Base shape of a defaulted cluster config; kinds extend it. */
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
}

export interface ClusterKind<Raw extends { cloud: string } = any, Config extends ClusterConfigBase = any> {
    /** The value of `cloud` in the stack config. */
    readonly cloud: string;
    /** What the kind is, for messages: "Amazon EKS". */
    readonly title: string;
    /** Strict schema of the raw config entry (unknown keys are errors). */
    readonly schema: z.ZodType<Raw>;
    /** Kubernetes minor versions this kind accepts; the first is the default. */
    readonly supportedVersions: readonly string[];
    /** Fills every optional setting from the environment preset. */
    withDefaults(raw: Raw, preset: EnvironmentPreset): Config;
    /** Rules that need the whole defaulted entry; `key` is the entry's config key prefix. */
    validate(config: Config, preset: EnvironmentPreset, key: string): ConfigProblem[];
    /**
     * Rules across this kind's clusters in one stack (e.g. cloud names derived from cluster names
     * that could collide); optional. Each entry carries its config key prefix.
     */
    validateTogether?(clusters: readonly { config: Config; key: string }[]): ConfigProblem[];
    /** Creates the cluster; only called once the whole stack config is valid. */
    create(config: Config, context: ClusterContext, opts?: pulumi.ComponentResourceOptions): KubernetesCluster;
}
