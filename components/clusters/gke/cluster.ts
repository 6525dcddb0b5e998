/**
 * Google Kubernetes Engine: a VPC-native network with secondary ranges for pods and services and
 * Cloud NAT for the private nodes; a regional cluster with Workload Identity, a release channel,
 * shielded nodes, Dataplane V2 (network policy enforcement), Secrets encrypted with a Cloud KMS
 * key, and autoscaling node pools running as their own service account. Autopilot is one switch.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as gcp from "@pulumi/gcp/provider";
import * as compute from "@pulumi/gcp/compute";
import * as container from "@pulumi/gcp/container";
import * as kms from "@pulumi/gcp/kms";
import * as organizations from "@pulumi/gcp/organizations";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import { z } from "zod";
import { ConfigProblem } from "../../../core/problems";
import { cidr, rule } from "../../../core/rules";
import { ClusterContext, ClusterKind, commonClusterFields, KubernetesCluster, ManagedClusterConfig, NodePoolConfig } from "../provider";
import {
    cidrSizeProblems,
    clusterKubernetesProvider,
    execKubeconfig,
    machineTypeProblems,
    managedClusterDefaults,
    overlappingCidrProblems,
    patternProblems,
    validateManagedCluster,
} from "../managed";

/** Checked 2026-11 against the GKE release schedule given in issue 3: 1.33 to 1.36 are available. */
export const GKE_VERSIONS = ["1.35", "1.36", "1.34", "1.33"] as const;

export const GKE_MACHINE_TYPES = { dev: "e2-standard-2", staging: "n2-standard-2", prod: "n2-standard-4", local: "e2-standard-2" } as const;

export const GKE_RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE"] as const;

/** Control-plane components whose logs go to Cloud Logging (audit logs are always on in GCP). */
export const GKE_LOG_COMPONENTS = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"] as const;

const PODS_RANGE = "pods";
const SERVICES_RANGE = "services";

const gkeSchema = z.strictObject({
    ...commonClusterFields,
    cloud: z.literal("gcp"),
    project: z
        .string(rule("is missing", "set the GCP project ID, e.g. acme-platform-prod"))
        .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, rule("is not a GCP project ID", "use the project ID (6-30 lowercase letters, digits, '-'), not its name or number")),
    network: z
        .strictObject({
            /** Primary range of the subnet: node addresses. */
            nodesCidr: cidr.optional(),
            /** Secondary range for pod addresses. */
            podsCidr: cidr.optional(),
            /** Secondary range for Service addresses. */
            servicesCidr: cidr.optional(),
            /** The control plane's own /28 (private cluster). */
            masterCidr: cidr.optional(),
        })
        .optional(),
    releaseChannel: z.enum(GKE_RELEASE_CHANNELS, rule("is not a release channel", `use one of ${GKE_RELEASE_CHANNELS.join(", ")}`)).optional(),
    autopilot: z.boolean(rule("must be true or false", "set autopilot: true to let GKE run the nodes")).optional(),
});

export type GkeClusterRaw = z.infer<typeof gkeSchema>;

export interface GkeClusterConfig extends ManagedClusterConfig {
    cloud: "gcp";
    project: string;
    network: { nodesCidr: string; podsCidr: string; servicesCidr: string; masterCidr: string };
    releaseChannel: (typeof GKE_RELEASE_CHANNELS)[number];
    autopilot: boolean;
    /** Nodes in every zone of the region (true) or in one zone (cheaper). The control plane is regional either way. */
    highlyAvailable: boolean;
}

/** Service account IDs are 6-30 characters; keep the cluster name recognisable inside that. */
export function gkeNodeAccountId(clusterName: string): string {
    return `${clusterName.slice(0, 23).replace(/-+$/, "")}-nodes`;
}

const NODE_OAUTH_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];

export class GkeCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly cloud = "gcp";
    public readonly region: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly kubernetesVersion: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
    public readonly provider: k8s.Provider;
    public readonly nodeServiceAccount: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterConfig, context: ClusterContext, opts?: pulumi.ComponentResourceOptions) {
        super("fluxpilot:clusters:GkeCluster", name, {}, opts);

        // Labels reach every resource that takes them through the provider's default labels.
        const provider = new gcp.Provider(`${name}-gcp`, { project: args.project, region: args.region, defaultLabels: context.tags }, { parent: this });
        const o = { parent: this, provider };

        // ---- Network ----
        const network = new compute.Network(`${name}-network`, {
            autoCreateSubnetworks: false,
            routingMode: "REGIONAL",
            description: `Network of GKE cluster ${args.name}`,
        }, o);
        const subnet = new compute.Subnetwork(`${name}-nodes`, {
            network: network.id,
            region: args.region,
            ipCidrRange: args.network.nodesCidr,
            secondaryIpRanges: [
                { rangeName: PODS_RANGE, ipCidrRange: args.network.podsCidr },
                { rangeName: SERVICES_RANGE, ipCidrRange: args.network.servicesCidr },
            ],
            // Private nodes reach Google APIs without public addresses.
            privateIpGoogleAccess: true,
            // VPC flow logs (CKV_GCP_26), sampled to keep the cost down.
            logConfig: { aggregationInterval: "INTERVAL_10_MIN", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
        }, o);
        const router = new compute.Router(`${name}-router`, { network: network.id, region: args.region }, o);
        new compute.RouterNat(`${name}-nat`, {
            router: router.name,
            region: args.region,
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        }, o);

        // ---- Identity for nodes: a least-privilege account, not the Compute Engine default ----
        const nodeAccount = new serviceaccount.Account(`${name}-nodes`, {
            project: args.project,
            accountId: gkeNodeAccountId(args.name),
            displayName: `Nodes of GKE cluster ${args.name}`,
        }, o);
        const nodeRole = new projects.IAMMember(`${name}-nodes`, {
            project: args.project,
            role: "roles/container.defaultNodeServiceAccount",
            member: pulumi.interpolate`serviceAccount:${nodeAccount.email}`,
        }, o);

        // ---- Application-layer Secrets encryption with a Cloud KMS key ----
        const projectNumber = organizations.getProjectOutput({ projectId: args.project }, { parent: this, provider }).number;
        const keyRing = new kms.KeyRing(`${name}-keyring`, { location: args.region }, o);
        const secretsKey = new kms.CryptoKey(`${name}-secrets`, {
            keyRing: keyRing.id,
            purpose: "ENCRYPT_DECRYPT",
            // 90 days (CKV_GCP_43).
            rotationPeriod: "7776000s",
        }, o);
        const keyAccess = new kms.CryptoKeyIAMMember(`${name}-secrets`, {
            cryptoKeyId: secretsKey.id,
            role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member: pulumi.interpolate`serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`,
        }, o);

        // ---- Cluster ----
        const common: container.ClusterArgs = {
            name: args.name,
            location: args.region,
            network: network.id,
            subnetwork: subnet.id,
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: { clusterSecondaryRangeName: PODS_RANGE, servicesSecondaryRangeName: SERVICES_RANGE },
            privateClusterConfig: {
                enablePrivateNodes: true,
                enablePrivateEndpoint: !args.endpoint.publicAccess,
                masterIpv4CidrBlock: args.network.masterCidr,
            },
            masterAuthorizedNetworksConfig: {
                cidrBlocks: args.endpoint.allowedCidrs.map((block) => ({ cidrBlock: block, displayName: `allowed ${block}` })),
                gcpPublicCidrsAccessEnabled: false,
            },
            masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
            enableLegacyAbac: false,
            releaseChannel: { channel: args.releaseChannel },
            minMasterVersion: args.kubernetesVersion,
            workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
            databaseEncryption: { state: "ENCRYPTED", keyName: secretsKey.id },
            loggingConfig: { enableComponents: [...GKE_LOG_COMPONENTS] },
            resourceLabels: context.tags,
            deletionProtection: args.protect,
        };
        const cluster = new container.Cluster(`${name}-cluster`, args.autopilot
            ? {
                ...common,
                enableAutopilot: true,
                // Autopilot always runs shielded nodes with Dataplane V2; it needs the node account only.
                clusterAutoscaling: { autoProvisioningDefaults: { serviceAccount: nodeAccount.email, oauthScopes: NODE_OAUTH_SCOPES } },
            }
            : {
                ...common,
                // The default pool cannot be managed separately; it is removed once the cluster exists
                // and our pools are separate resources, so pool changes never replace the cluster.
                // It still needs our node account (projects often disable the default one), hence
                // nodeConfig here, which is ignored after creation: otherwise the provider sees it
                // differ from the removed pool and replaces the cluster on every run
                // (hashicorp/terraform-provider-google#12070).
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeConfig: nodeSecurity(nodeAccount.email),
                enableShieldedNodes: true,
                // Dataplane V2 enforces NetworkPolicy (CKV_GCP_12) without the Calico add-on.
                datapathProvider: "ADVANCED_DATAPATH",
            }, { ...o, dependsOn: [keyAccess, nodeRole], ignoreChanges: args.autopilot ? [] : ["nodeConfig"] });

        const zones = args.highlyAvailable
            ? undefined
            : compute.getZonesOutput({ project: args.project, region: args.region, status: "UP" }, { parent: this, provider }).names;
        const pools = args.autopilot ? [] : args.nodePools.map((pool) => this.nodePool(name, args, pool, cluster, nodeAccount, zones, context, o));

        this.clusterName = cluster.name;
        this.region = pulumi.output(args.region);
        this.endpoint = pulumi.interpolate`https://${cluster.endpoint}`;
        this.kubernetesVersion = cluster.masterVersion;
        this.nodeServiceAccount = nodeAccount.email;
        this.oidcIssuerUrl = pulumi.interpolate`https://container.googleapis.com/v1/projects/${args.project}/locations/${args.region}/clusters/${cluster.name}`;
        this.kubeconfig = execKubeconfig({
            name: pulumi.interpolate`gke_${args.project}_${args.region}_${cluster.name}`,
            server: this.endpoint,
            certificateAuthorityData: cluster.masterAuth.apply((auth) => auth?.clusterCaCertificate ?? ""),
            exec: {
                command: "gke-gcloud-auth-plugin",
                args: [],
                installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                provideClusterInfo: true,
            },
        });
        this.provider = clusterKubernetesProvider(name, this.kubeconfig, this, pools.length > 0 ? pools : [cluster]);

        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            kubernetesVersion: this.kubernetesVersion,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
            nodeServiceAccount: this.nodeServiceAccount,
        });
    }

    private nodePool(
        name: string,
        args: GkeClusterConfig,
        pool: NodePoolConfig,
        cluster: container.Cluster,
        nodeAccount: serviceaccount.Account,
        zones: pulumi.Output<string[]> | undefined,
        context: ClusterContext,
        o: { parent: pulumi.Resource; provider: pulumi.ProviderResource },
    ): container.NodePool {
        return new container.NodePool(`${name}-${pool.name}`, {
            name: pool.name,
            cluster: cluster.name,
            location: args.region,
            nodeLocations: zones ? [zones[0]] : undefined,
            // Per zone, and fixed: the autoscaler takes it from here; changing it would replace the pool.
            initialNodeCount: 1,
            autoscaling: { totalMinNodeCount: pool.minNodes, totalMaxNodeCount: pool.maxNodes, locationPolicy: "BALANCED" },
            // Auto-upgrade is required by the release channel; auto-repair replaces broken nodes (CKV_GCP_9/10).
            management: { autoRepair: true, autoUpgrade: true },
            upgradeSettings: { maxSurge: 1, maxUnavailable: 0, strategy: "SURGE" },
            nodeConfig: {
                ...nodeSecurity(nodeAccount.email),
                machineType: pool.machineType,
                diskSizeGb: pool.diskSizeGb ?? 100,
                diskType: "pd-balanced",
                spot: pool.spot ?? false,
                labels: { ...pool.labels, "fluxpilot.dev/pool": pool.name },
                resourceLabels: context.tags,
            },
        }, {
            ...o,
            // Pool names are fixed, so a replacement must remove the old pool first.
            deleteBeforeReplace: true,
        });
    }
}

/** Node settings shared by the bootstrap pool and every pool: the security baseline for GKE nodes. */
function nodeSecurity(serviceAccount: pulumi.Input<string>) {
    return {
        serviceAccount,
        oauthScopes: NODE_OAUTH_SCOPES,
        // Container-Optimized OS (CKV_GCP_22).
        imageType: "COS_CONTAINERD",
        // Secure boot and integrity monitoring (CKV_GCP_68, CKV_GCP_72).
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        // The GKE metadata server hides node credentials from pods (CKV_GCP_69).
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        metadata: { "disable-legacy-endpoints": "true" },
    };
}

/** GCP labels: lowercase keys and values of letters, digits, '_' and '-'. */
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

export function validateGke(config: GkeClusterConfig, key: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    problems.push(...patternProblems(`${key}.region`, config.region, /^[a-z]+-[a-z]+\d+$/, "GCP region", "europe-west1"));
    problems.push(...machineTypeProblems(config.nodePools, key, /^[a-z][a-z0-9]*-[a-z0-9-]+$/, "Compute Engine machine type", "n2-standard-4"));
    const n = config.network;
    const ranges = [
        { key: `${key}.network.nodesCidr`, cidr: n.nodesCidr, what: "node range" },
        { key: `${key}.network.podsCidr`, cidr: n.podsCidr, what: "pod range" },
        { key: `${key}.network.servicesCidr`, cidr: n.servicesCidr, what: "Service range" },
        { key: `${key}.network.masterCidr`, cidr: n.masterCidr, what: "control-plane range" },
    ];
    problems.push(...overlappingCidrProblems(ranges));
    problems.push(...cidrSizeProblems(ranges[3], 28, 28, "GKE requires a /28 for a private control plane"));
    problems.push(...cidrSizeProblems(ranges[1], 9, 21, "each node takes a /24 of pod addresses"));
    for (const [name, value] of Object.entries(config.tags)) {
        if (!LABEL_KEY.test(name) || !LABEL_VALUE.test(value)) {
            problems.push({
                key: `${key}.tags.${name}`,
                value,
                message: "is not a valid GCP label",
                fix: "use lowercase letters, digits, '_' and '-' (keys start with a letter, both at most 63 characters)",
            });
        }
    }
    return problems;
}

/**
 * Node service account IDs keep only the first 23 characters of the cluster name, so two
 * clusters in one project whose names share those would claim the same account.
 */
export function nodeAccountCollisions(clusters: readonly { config: GkeClusterConfig; key: string }[]): ConfigProblem[] {
    const first = new Map<string, { name: string; key: string }>();
    const problems: ConfigProblem[] = [];
    for (const { config, key } of clusters) {
        const accountId = gkeNodeAccountId(config.name);
        const id = `${config.project}/${accountId}`;
        const earlier = first.get(id);
        // The same name twice is reported as a duplicate cluster name already.
        if (earlier && earlier.name !== config.name) {
            problems.push({
                key: `${key}.name`,
                value: config.name,
                message: `gives the same node service account (${accountId}) as ${earlier.key} (${earlier.name}) in project ${config.project}, because account IDs keep only the first 23 characters of the name`,
                fix: "rename one of the two clusters so that their first 23 characters differ",
            });
        } else if (!earlier) {
            first.set(id, { name: config.name, key: `${key}.name` });
        }
    }
    return problems;
}

export const gkeKind: ClusterKind<GkeClusterRaw, GkeClusterConfig> = {
    cloud: "gcp",
    title: "Google GKE",
    schema: gkeSchema,
    supportedVersions: GKE_VERSIONS,
    withDefaults(raw, preset) {
        const autopilot = raw.autopilot ?? false;
        const base = managedClusterDefaults(raw, preset, { machineType: GKE_MACHINE_TYPES[preset.environment], supportedVersions: GKE_VERSIONS });
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
            highlyAvailable: preset.highlyAvailable,
        };
    },
    validate(config, preset, key) {
        return [
            ...validateManagedCluster(config, preset, key, this.title, GKE_VERSIONS, { nodesManagedByCloud: config.autopilot }),
            ...validateGke(config, key),
        ];
    },
    validateTogether(clusters) {
        return nodeAccountCollisions(clusters);
    },
    create(config, context, opts) {
        return new GkeCluster(config.name, config, context, opts);
    },
};
