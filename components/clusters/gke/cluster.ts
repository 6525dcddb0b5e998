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
import { ClusterArgs, KubernetesCluster, NodePoolConfig } from "../provider";
import { clusterKubernetesProvider, execKubeconfig } from "../managed";
import { createGkeWorkloadIdentities } from "./workload-identity";
import { createGkeSopsKey } from "./sops-key";
import type { ClusterSopsKey } from "../kubernetes-cluster";

import { GKE_LOG_COMPONENTS, GKE_REQUIRED_APIS, GKE_WEBHOOK_PORTS, GkeClusterConfig, gkeMaintenanceWindow, gkeNodeAccountId, PODS_RANGE, SERVICES_RANGE } from "./config";

const NODE_OAUTH_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];

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

export type GkeClusterArgs = ClusterArgs<GkeClusterConfig>;

export class GkeCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly cloud = "gcp";
    public readonly region: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly kubernetesVersion: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
    public readonly cloudAccount: pulumi.Output<string>;
    public readonly identityFacts: Record<string, pulumi.Output<string>>;
    public readonly sopsKey: ClusterSopsKey;
    public readonly provider: k8s.Provider;
    public readonly nodeServiceAccount: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fluxpilot:clusters:GkeCluster", name, {}, opts);

        // Labels reach every resource that takes them through the provider's default labels.
        const provider = new gcp.Provider(`${name}-gcp`, { project: args.project, region: args.region, defaultLabels: args.tags }, { parent: this });

        // ---- Google APIs: a fresh project has none of these enabled ----
        // Everything below waits for them; the KMS grant needs the container API above all, since
        // the GKE service agent it names exists only once that API is on. Left on at destroy
        // (disableOnDestroy false), as terraform-google-modules/project-factory advises, because
        // other workloads of the project may use them.
        const apis = GKE_REQUIRED_APIS.map(
            (api) =>
                new projects.Service(
                    `${name}-api-${api.split(".")[0]}`,
                    {
                        project: args.project,
                        service: api,
                        disableOnDestroy: false,
                        disableDependentServices: false,
                    },
                    { parent: this, provider },
                ),
        );
        const o = { parent: this, provider, dependsOn: apis };

        // ---- Network ----
        const network = new compute.Network(
            `${name}-network`,
            {
                autoCreateSubnetworks: false,
                routingMode: "REGIONAL",
                description: `Network of GKE cluster ${args.name}`,
            },
            o,
        );
        const subnet = new compute.Subnetwork(
            `${name}-nodes`,
            {
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
            },
            o,
        );
        const router = new compute.Router(`${name}-router`, { network: network.id, region: args.region }, o);
        new compute.RouterNat(
            `${name}-nat`,
            {
                router: router.name,
                region: args.region,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            o,
        );

        // ---- Admission webhooks: the control plane reaches nodes on 443 and 10250 only ----
        // A private cluster's firewall lets the control-plane range reach nodes on tcp 443 and
        // 10250 alone (GKE docs, "Add firewall rules for specific use cases"), so webhooks served
        // on other ports (Kyverno 9443, cert-manager/others 8443, Istio 15017) time out and every
        // admission they enforce fails. Opened as terraform-google-kubernetes-engine's
        // `add_master_webhook_firewall_rules` does (firewall_inbound_ports, same three ports). The
        // network holds this cluster's nodes only, so the rule needs no target tag.
        const webhooks = new compute.Firewall(
            `${name}-webhooks`,
            {
                network: network.id,
                direction: "INGRESS",
                description: `Control plane of GKE cluster ${args.name} to admission webhooks on its nodes`,
                sourceRanges: [args.network.masterCidr],
                allows: [{ protocol: "tcp", ports: [...GKE_WEBHOOK_PORTS] }],
                logConfig: { metadata: "INCLUDE_ALL_METADATA" },
            },
            o,
        );

        // ---- Identity for nodes: a least-privilege account, not the Compute Engine default ----
        const nodeAccount = new serviceaccount.Account(
            `${name}-nodes`,
            {
                project: args.project,
                accountId: gkeNodeAccountId(args.name),
                displayName: `Nodes of GKE cluster ${args.name}`,
            },
            o,
        );
        const nodeRole = new projects.IAMMember(
            `${name}-nodes`,
            {
                project: args.project,
                role: "roles/container.defaultNodeServiceAccount",
                member: pulumi.interpolate`serviceAccount:${nodeAccount.email}`,
            },
            o,
        );
        // The kubelet pulls images as the node account, and container.defaultNodeServiceAccount
        // grants logging and monitoring only, so private Artifact Registry pulls need this role
        // (GKE docs, "Use least privileged IAM service accounts"; terraform-google-kubernetes-engine
        // grants it when grant_registry_access is set).
        const registryRole = new projects.IAMMember(
            `${name}-nodes-registry`,
            {
                project: args.project,
                role: "roles/artifactregistry.reader",
                member: pulumi.interpolate`serviceAccount:${nodeAccount.email}`,
            },
            o,
        );

        // ---- Application-layer Secrets encryption with a Cloud KMS key ----
        const projectNumber = organizations.getProjectOutput({ projectId: args.project }, { parent: this, provider }).number;
        const keyRing = new kms.KeyRing(`${name}-keyring`, { location: args.region }, o);
        const secretsKey = new kms.CryptoKey(
            `${name}-secrets`,
            {
                keyRing: keyRing.id,
                purpose: "ENCRYPT_DECRYPT",
                // 90 days (CKV_GCP_43).
                rotationPeriod: "7776000s",
            },
            o,
        );
        const keyAccess = new kms.CryptoKeyIAMMember(
            `${name}-secrets`,
            {
                cryptoKeyId: secretsKey.id,
                role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: pulumi.interpolate`serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`,
            },
            o,
        );

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
            // Auto-upgrades (required by the release channel) happen inside this window only.
            maintenancePolicy: { recurringWindow: gkeMaintenanceWindow(args.maintenanceWindow) },
            minMasterVersion: args.kubernetesVersion,
            workloadIdentityConfig: { workloadPool: `${args.project}.svc.id.goog` },
            databaseEncryption: { state: "ENCRYPTED", keyName: secretsKey.id },
            loggingConfig: { enableComponents: [...GKE_LOG_COMPONENTS] },
            resourceLabels: args.tags,
            deletionProtection: args.protect,
        };
        const cluster = new container.Cluster(
            `${name}-cluster`,
            args.autopilot
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
                  },
            { ...o, dependsOn: [...apis, keyAccess, nodeRole], ignoreChanges: args.autopilot ? [] : ["nodeConfig"] },
        );

        const zones = args.highlyAvailable
            ? undefined
            : compute.getZonesOutput({ project: args.project, region: args.region, status: "UP" }, { parent: this, provider, dependsOn: apis }).names;
        const pools = args.autopilot ? [] : args.nodePools.map((pool) => this.nodePool(name, args, pool, cluster, nodeAccount, zones, o));

        this.clusterName = cluster.name;
        this.region = pulumi.output(args.region);
        this.endpoint = pulumi.interpolate`https://${cluster.endpoint}`;
        this.kubernetesVersion = cluster.masterVersion;
        this.nodeServiceAccount = nodeAccount.email;
        this.cloudAccount = pulumi.output(args.project);
        // After the cluster: its creation creates the project's workload pool.
        this.identityFacts = createGkeWorkloadIdentities({
            name,
            clusterName: args.name,
            project: args.project,
            identities: args.workloadIdentities,
            parent: this,
            provider,
            dependsOn: [cluster],
        });
        this.sopsKey = createGkeSopsKey({ name, clusterName: args.name, project: args.project, region: args.region, parent: this, provider, dependsOn: [...apis, cluster] });
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
        // Nothing is installed before webhooks can be reached and nodes can pull images.
        this.provider = clusterKubernetesProvider(name, this.kubeconfig, this, [...(pools.length > 0 ? pools : [cluster]), webhooks, registryRole]);

        this.registerOutputs({
            clusterName: this.clusterName,
            region: this.region,
            endpoint: this.endpoint,
            kubernetesVersion: this.kubernetesVersion,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
            nodeServiceAccount: this.nodeServiceAccount,
            cloudAccount: this.cloudAccount,
            identityFacts: this.identityFacts,
            sopsKey: this.sopsKey.key,
        });
    }

    private nodePool(
        name: string,
        args: GkeClusterConfig,
        pool: NodePoolConfig,
        cluster: container.Cluster,
        nodeAccount: serviceaccount.Account,
        zones: pulumi.Output<string[]> | undefined,
        o: { parent: pulumi.Resource; provider: pulumi.ProviderResource },
    ): container.NodePool {
        return new container.NodePool(
            `${name}-${pool.name}`,
            {
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
                    resourceLabels: args.tags,
                },
            },
            {
                ...o,
                // Pool names are fixed, so a replacement must remove the old pool first.
                deleteBeforeReplace: true,
            },
        );
    }
}
