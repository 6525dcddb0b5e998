/**
 * Azure Kubernetes Service: a resource group, a virtual network and node subnet, a user-assigned
 * control-plane identity, a Key Vault key for KMS encryption of Secrets, and the managed cluster
 * with Entra ID (AAD) RBAC, local accounts disabled, Azure CNI overlay with Cilium network policy, OIDC issuer and workload identity, an
 * auto-upgrade channel, an allow-listed or private API server, control-plane logs in Log
 * Analytics, and autoscaling system and user node pools.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as azure from "@pulumi/azure-native/provider";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as monitor from "@pulumi/azure-native/monitor";
import * as network from "@pulumi/azure-native/network";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import * as resources from "@pulumi/azure-native/resources";
import * as time from "@pulumiverse/time";
import { parse as parseYaml } from "yaml";
import { ClusterArgs, KubernetesCluster, NodePoolConfig } from "../provider";
import { auditLogRetentionDays, clusterKubernetesProvider, execKubeconfig, OPEN_TO_THE_INTERNET } from "../managed";
import { cidrHost } from "../../../core/cidr";
import { AksClusterConfig, AksKubeloginMode, channelMovesMinor } from "./config";
import { createAksWorkloadIdentities } from "./workload-identity";
import { createAksSopsKey } from "./sops-key";
import type { ClusterSopsKey } from "../kubernetes-cluster";
import { arrayOrEmpty, recordOrEmpty } from "../../../core/guards";
import { rbacVaultProperties } from "./key-vault";

/** Control-plane log categories sent to Log Analytics; kube-audit-admin is the audit trail without reads. */
export const AKS_LOG_CATEGORIES = ["kube-apiserver", "kube-audit-admin", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler", "guard"] as const;

/** Application ID of the AKS AAD server, the audience of kubelogin tokens (same in every tenant). */
export const AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/**
 * How long the first install into a new cluster waits after the deployer's cluster-admin role
 * assignment. AKS: "New role assignments can take up to five minutes to propagate and be updated
 * by the authorization server" (https://learn.microsoft.com/azure/aks/manage-azure-rbac, "Before
 * you begin"); until then the Flux install gets a 403. The wait happens when the assignment is
 * created or replaced (the sleep's trigger), never on later updates; hashicorp/time's time_sleep
 * is the usual Terraform answer to the same delay.
 */
export const AKS_RBAC_PROPAGATION = "5m";

/**
 * The kubelogin arguments for a login mode (kubelogin docs, "get-token": exec plugin examples).
 * Credentials never go on the command line (the kubeconfig is an output); kubelogin reads them
 * from the environment of the process that runs it.
 */
export function aksKubeloginArgs(mode: AksKubeloginMode, tenantId: string): string[] {
    const base = ["get-token", "--login", mode, "--server-id", AKS_AAD_SERVER_APP_ID];
    // spn needs the tenant (-t, or AZURE_TENANT_ID); the other modes take it from their sign-in.
    return mode === "spn" ? [...base, "--tenant-id", tenantId] : base;
}

const KUBELOGIN_HINTS: Record<AksKubeloginMode, string> = {
    azurecli: "sign in with 'az login'",
    workloadidentity: "set AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_AUTHORITY_HOST and AZURE_FEDERATED_TOKEN_FILE (a current federated token)",
    spn: "set AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) of a service principal",
};

/** Built-in role definition IDs (the same in every subscription). */
const NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7";
const AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b";
const KEY_VAULT_CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424";

/** Public client IDs of the Azure CLI and Azure PowerShell: whoever signs in through them is a user. */
const INTERACTIVE_CLIENT_IDS = ["04b07795-8ddb-461a-bbee-02f9e1bf7b46", "1950a258-227b-4e31-a9cf-717495945fc2"];

/**
 * The principal type of the identity running Pulumi. Azure rejects a role assignment whose
 * principalType does not match the principal (and the SDK defaults to User), so it is derived from
 * the client the credentials belong to: a person via the Azure CLI or PowerShell, else a service
 * principal or managed identity (CI).
 */
export function deployerPrincipalType(clientId: string): "User" | "ServicePrincipal" {
    return INTERACTIVE_CLIENT_IDS.includes(clientId.toLowerCase()) ? "User" : "ServicePrincipal";
}

/**
 * Key Vault names are global, 3-24 characters: the cluster name, shortened, plus a hash of the
 * subscription so that the same cluster name in another subscription does not collide.
 */
export function aksKeyVaultName(clusterName: string, subscriptionId: string, purpose: "kv" | "sk" = "kv"): string {
    const digest = createHash("sha256").update(`${subscriptionId}/${clusterName}`).digest("hex").slice(0, 6);
    return `${clusterName.slice(0, 13).replace(/-+$/, "")}-${purpose}-${digest}`.replace(/--+/g, "-");
}

const ZONES = ["1", "2", "3"];

/** Reads the API server and CA out of the kubeconfig AKS returns, to build our own around kubelogin. */
export function aksServerAndCa(encodedKubeconfig: string): { server: string; ca: string } {
    const document: unknown = parseYaml(Buffer.from(encodedKubeconfig, "base64").toString("utf8"));
    const first = arrayOrEmpty(recordOrEmpty(document).clusters)[0];
    const cluster = recordOrEmpty(recordOrEmpty(first).cluster);
    const server = cluster.server;
    const ca = cluster["certificate-authority-data"];
    if (typeof server !== "string" || !server || typeof ca !== "string" || !ca) {
        throw new Error("the kubeconfig returned by AKS has no server or certificate-authority-data");
    }
    return { server, ca };
}

/** Azure Resource Manager coordinates of an AKS cluster, for what Azure installs rather than the Kubernetes API (the microsoft.flux extension). */
export interface AzureClusterRef {
    resourceGroupName: pulumi.Output<string>;
    /** The managed cluster's resource name. */
    clusterName: pulumi.Output<string>;
    /** The azure-native provider the cluster was created with, when not the default one. */
    provider?: pulumi.ProviderResource;
}

export type AksClusterArgs = ClusterArgs<AksClusterConfig>;

/** Every default Container Insights table (logs, inventory, events, performance) in one stream group. */
const CONTAINER_INSIGHTS_STREAM = "Microsoft-ContainerInsights-Group-Default";

/** The version to pin on the cluster and its pools: none when the upgrade channel moves the minor version. */
function pinnedVersion(args: AksClusterConfig): string | undefined {
    return channelMovesMinor(args.autoUpgradeChannel) ? undefined : args.kubernetesVersion;
}

export class AksCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly cloud = "azure";
    public readonly region: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly kubernetesVersion: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
    public readonly cloudAccount: pulumi.Output<string>;
    public readonly identityFacts: Record<string, pulumi.Output<string>>;
    public readonly sopsKey: ClusterSopsKey;
    public readonly provider: k8s.Provider;
    public readonly resourceGroupName: pulumi.Output<string>;
    /** ARM coordinates, for what is installed through Azure (the microsoft.flux extension). */
    public readonly azure: AzureClusterRef;

    constructor(name: string, args: AksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fluxpilot:clusters:AksCluster", name, {}, opts);

        const provider = new azure.Provider(`${name}-azure`, { subscriptionId: args.subscriptionId, location: args.region }, { parent: this });
        const o = { parent: this, provider };
        const tags = args.tags;
        const client = authorization.getClientConfigOutput({ parent: this, provider });
        const roleDefinition = (id: string) => pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${id}`;

        const group = new resources.ResourceGroup(`${name}-rg`, { resourceGroupName: `${args.name}-rg`, location: args.region, tags }, o);

        // ---- Network ----
        const vnet = new network.VirtualNetwork(
            `${name}-vnet`,
            {
                virtualNetworkName: `${args.name}-vnet`,
                resourceGroupName: group.name,
                location: args.region,
                addressSpace: { addressPrefixes: [args.network.vnetCidr] },
                tags,
            },
            o,
        );
        const subnet = new network.Subnet(
            `${name}-nodes`,
            {
                subnetName: "nodes",
                resourceGroupName: group.name,
                virtualNetworkName: vnet.name,
                addressPrefix: args.network.nodesCidr,
                // Egress goes through the cluster's load balancer, not Azure's implicit default.
                defaultOutboundAccess: false,
            },
            o,
        );

        // ---- Identity: the control plane manages load balancers and routes in the node subnet ----
        const identity = new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            {
                resourceName: `${args.name}-control-plane`,
                resourceGroupName: group.name,
                location: args.region,
                tags,
            },
            o,
        );
        const subnetAccess = new authorization.RoleAssignment(
            `${name}-identity-network`,
            {
                principalId: identity.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: roleDefinition(NETWORK_CONTRIBUTOR),
                scope: subnet.id,
            },
            o,
        );

        // ---- KMS: Secrets in etcd are envelope-encrypted with a Key Vault key ----
        const vault = new keyvault.Vault(
            `${name}-kms`,
            {
                vaultName: client.subscriptionId.apply((subscription) => aksKeyVaultName(args.name, subscription)),
                resourceGroupName: group.name,
                location: args.region,
                properties: rbacVaultProperties(client.tenantId, args.environment),
                tags,
            },
            o,
        );
        const etcdKey = new keyvault.Key(
            `${name}-etcd`,
            {
                keyName: "etcd-encryption",
                vaultName: vault.name,
                resourceGroupName: group.name,
                properties: { kty: "RSA", keySize: 2048, keyOps: ["encrypt", "decrypt", "wrapKey", "unwrapKey"] },
                tags,
            },
            o,
        );
        const kmsAccess = new authorization.RoleAssignment(
            `${name}-identity-kms`,
            {
                principalId: identity.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: roleDefinition(KEY_VAULT_CRYPTO_USER),
                scope: vault.id,
            },
            o,
        );

        // ---- Control-plane logs ----
        const workspace = new operationalinsights.Workspace(
            `${name}-logs`,
            {
                workspaceName: `${args.name}-logs`,
                resourceGroupName: group.name,
                location: args.region,
                sku: { name: "PerGB2018" },
                retentionInDays: auditLogRetentionDays(args.environment),
                tags,
            },
            o,
        );

        // ---- Cluster ----
        const [systemPool, ...userPools] = args.nodePools;
        // AKS spells "anyone" as no ranges at all; dropping only 0.0.0.0/0 from a longer list would
        // silently narrow the endpoint to the remaining ranges.
        const publicRanges = args.endpoint.allowedCidrs.includes(OPEN_TO_THE_INTERNET) ? [] : args.endpoint.allowedCidrs;
        const cluster = new containerservice.ManagedCluster(
            `${name}-cluster`,
            {
                resourceName: args.name,
                resourceGroupName: group.name,
                location: args.region,
                dnsPrefix: args.name,
                kubernetesVersion: pinnedVersion(args),
                sku: { name: "Base", tier: args.highlyAvailable ? "Standard" : "Free" },
                identity: { type: containerservice.ResourceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
                // Entra ID sign-in with Azure RBAC for Kubernetes authorization (CKV_AZURE_5).
                enableRBAC: true,
                aadProfile: { managed: true, enableAzureRBAC: true, tenantID: client.tenantId, adminGroupObjectIDs: args.adminGroupObjectIds },
                // No static admin kubeconfig can be issued (CKV_AZURE_141).
                disableLocalAccounts: true,
                oidcIssuerProfile: { enabled: true },
                securityProfile: {
                    workloadIdentity: { enabled: true },
                    imageCleaner: { enabled: true, intervalHours: 168 },
                    azureKeyVaultKms: { enabled: true, keyId: etcdKey.keyUriWithVersion, keyVaultNetworkAccess: "Public", keyVaultResourceId: vault.id },
                },
                autoUpgradeProfile: { upgradeChannel: args.autoUpgradeChannel, nodeOSUpgradeChannel: "NodeImage" },
                apiServerAccessProfile: args.endpoint.publicAccess
                    ? { enablePrivateCluster: false, authorizedIPRanges: publicRanges } // CKV_AZURE_6
                    : { enablePrivateCluster: true }, // CKV_AZURE_115
                networkProfile: {
                    networkPlugin: "azure",
                    networkPluginMode: "overlay",
                    // Cilium enforces NetworkPolicy (CKV_AZURE_7).
                    networkDataplane: "cilium",
                    networkPolicy: "cilium",
                    podCidr: args.network.podCidr,
                    serviceCidr: args.network.serviceCidr,
                    dnsServiceIP: cidrHost(args.network.serviceCidr, 10),
                    loadBalancerSku: "standard",
                    outboundType: "loadBalancer",
                },
                addonProfiles: {
                    // Container insights (CKV_AZURE_4) and Azure Policy for Kubernetes (CKV_AZURE_116).
                    omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: workspace.id, useAADAuth: "true" } },
                    azurepolicy: { enabled: true },
                },
                // The system pool is created with the cluster (AKS requires one); user pools are
                // separate resources, so adding or changing them never touches the cluster.
                agentPoolProfiles: [{ ...this.poolProfile(args, tags, systemPool, subnet, userPools.length > 0), name: systemPool.name, mode: "System" }],
                tags,
            },
            {
                ...o,
                dependsOn: [subnetAccess, kmsAccess],
                // The autoscaler owns the current size; Pulumi owns minNodes/maxNodes.
                ignoreChanges: ["agentPoolProfiles[0].count"],
            },
        );

        // With AAD (managed identity) auth the monitoring agent collects only what a Data
        // Collection Rule associated with the cluster names; without one Container Insights stays
        // empty (Azure Monitor docs, "Enable monitoring for AKS clusters": managed identity auth
        // needs a DCR and its association; the Terraform sample there creates both). The rule
        // sends the default Container Insights streams to the cluster's workspace.
        const insightsRule = new monitor.DataCollectionRule(
            `${name}-insights`,
            {
                dataCollectionRuleName: `MSCI-${args.region}-${args.name}`,
                resourceGroupName: group.name,
                location: args.region,
                kind: "Linux",
                description: `Container Insights of AKS cluster ${args.name}`,
                dataSources: {
                    extensions: [
                        {
                            name: "ContainerInsightsExtension",
                            extensionName: "ContainerInsights",
                            streams: [CONTAINER_INSIGHTS_STREAM],
                            extensionSettings: { dataCollectionSettings: { interval: "1m", namespaceFilteringMode: "Off", enableContainerLogV2: true } },
                        },
                    ],
                },
                destinations: { logAnalytics: [{ name: "workspace", workspaceResourceId: workspace.id }] },
                dataFlows: [{ streams: [CONTAINER_INSIGHTS_STREAM], destinations: ["workspace"] }],
                tags,
            },
            o,
        );
        new monitor.DataCollectionRuleAssociation(
            `${name}-insights`,
            {
                associationName: "ContainerInsightsExtension",
                resourceUri: cluster.id,
                dataCollectionRuleId: insightsRule.id,
                description: "Container Insights of this cluster; deleting it stops the collection.",
            },
            o,
        );

        new monitor.DiagnosticSetting(
            `${name}-control-plane`,
            {
                name: "control-plane-logs",
                resourceUri: cluster.id,
                workspaceId: workspace.id,
                logAnalyticsDestinationType: "Dedicated",
                logs: AKS_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
            },
            o,
        );

        // The deploying identity administers the cluster, as on EKS, so Flux can be installed.
        const deployerAdmin = new authorization.RoleAssignment(
            `${name}-deployer-admin`,
            {
                principalId: client.objectId,
                principalType: client.clientId.apply(deployerPrincipalType),
                roleDefinitionId: roleDefinition(AKS_RBAC_CLUSTER_ADMIN),
                scope: cluster.id,
            },
            o,
        );
        // Nothing reaches the Kubernetes API before the assignment has propagated (see AKS_RBAC_PROPAGATION).
        const adminPropagated = new time.Sleep(
            `${name}-deployer-admin-propagation`,
            {
                createDuration: AKS_RBAC_PROPAGATION,
                triggers: { roleAssignment: deployerAdmin.id },
            },
            { parent: this },
        );

        const pools = userPools.map(
            (pool) =>
                new containerservice.AgentPool(
                    `${name}-${pool.name}`,
                    {
                        ...this.poolProfile(args, tags, pool, subnet, false),
                        agentPoolName: pool.name,
                        resourceName: cluster.name,
                        resourceGroupName: group.name,
                        mode: "User",
                    },
                    {
                        ...o,
                        // Pool names are fixed, so a replacement must remove the old pool first.
                        deleteBeforeReplace: true,
                        // The autoscaler owns the current size; Pulumi owns minNodes/maxNodes.
                        ignoreChanges: ["count"],
                    },
                ),
        );

        // Server and CA from AKS's own user kubeconfig; the credential is ours (kubelogin).
        const credentials = containerservice.listManagedClusterUserCredentialsOutput(
            { resourceGroupName: group.name, resourceName: cluster.name, format: "exec" },
            { parent: this, provider, dependsOn: [cluster] },
        );
        const access = credentials.kubeconfigs.apply((configs) => {
            try {
                return aksServerAndCa(configs[0].value);
            } catch (error) {
                throw new pulumi.ResourceError((error as Error).message, this);
            }
        });

        this.clusterName = cluster.name;
        this.region = pulumi.output(args.region);
        this.resourceGroupName = group.name;
        this.azure = { resourceGroupName: group.name, clusterName: cluster.name, provider };
        this.endpoint = args.endpoint.publicAccess ? pulumi.interpolate`https://${cluster.fqdn}` : pulumi.interpolate`https://${cluster.privateFQDN}`;
        this.kubernetesVersion = cluster.currentKubernetesVersion;
        this.oidcIssuerUrl = cluster.oidcIssuerProfile.apply((profile) => profile?.issuerURL);
        this.cloudAccount = client.subscriptionId;
        const identityArgs = {
            name,
            clusterName: args.name,
            region: args.region,
            resourceGroupName: group.name,
            resourceGroupId: group.id,
            oidcIssuerUrl: this.oidcIssuerUrl,
            roleDefinition,
            tags,
            parent: this,
            provider,
        };
        this.identityFacts = createAksWorkloadIdentities({ ...identityArgs, identities: args.workloadIdentities });
        this.sopsKey = createAksSopsKey({
            ...identityArgs,
            environment: args.environment,
            vaultName: client.subscriptionId.apply((subscription) => aksKeyVaultName(args.name, subscription, "sk")),
            tenantId: client.tenantId,
            cryptoUserRole: roleDefinition(KEY_VAULT_CRYPTO_USER),
        });
        this.kubeconfig = execKubeconfig({
            name: cluster.name,
            server: access.server,
            certificateAuthorityData: access.ca,
            exec: {
                command: "kubelogin",
                args: client.tenantId.apply((tenant) => aksKubeloginArgs(args.kubeloginMode, tenant)),
                installHint: `Install kubelogin (az aks install-cli, or https://azure.github.io/kubelogin/) and ${KUBELOGIN_HINTS[args.kubeloginMode]}.`,
            },
        });
        this.provider = clusterKubernetesProvider(name, this.kubeconfig, this, [deployerAdmin, adminPropagated, ...pools]);

        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            kubernetesVersion: this.kubernetesVersion,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
            region: this.region,
            resourceGroupName: this.resourceGroupName,
            cloudAccount: this.cloudAccount,
            identityFacts: this.identityFacts,
            sopsKey: this.sopsKey.key,
        });
    }

    /** Settings shared by the inline system pool and the user pools. */
    private poolProfile(args: AksClusterConfig, tags: Record<string, string>, pool: NodePoolConfig, subnet: network.Subnet, dedicateToSystem: boolean) {
        return {
            vmSize: pool.machineType,
            enableAutoScaling: true,
            minCount: pool.minNodes,
            maxCount: pool.maxNodes,
            count: Math.max(pool.minNodes, 1),
            availabilityZones: args.highlyAvailable ? ZONES : undefined,
            orchestratorVersion: pinnedVersion(args),
            osType: "Linux",
            osSKU: "AzureLinux",
            osDiskSizeGB: pool.diskSizeGb ?? 128,
            osDiskType: "Managed",
            // Room for the daemonsets and workloads of a general-purpose node (CKV_AZURE_168).
            maxPods: 110,
            vnetSubnetID: subnet.id,
            enableNodePublicIP: false,
            type: "VirtualMachineScaleSets",
            scaleSetPriority: pool.spot ? "Spot" : "Regular",
            scaleSetEvictionPolicy: pool.spot ? "Delete" : undefined,
            nodeLabels: { ...pool.labels, "fluxpilot.dev/pool": pool.name },
            // With user pools present, only critical add-ons run on system nodes (CKV_AZURE_232).
            nodeTaints: dedicateToSystem ? ["CriticalAddonsOnly=true:NoSchedule"] : undefined,
            upgradeSettings: { maxSurge: "33%" },
            tags: { ...tags, pool: pool.name },
        };
    }
}
