/**
 * A hand-built stack with one compliant cluster per cloud, shaped like the resources the program
 * registers (test/plan/snapshots list them), and helpers to run policies over it.
 */
import * as pulumi from "@pulumi/pulumi";
import { FluxPilotPolicy } from "../../policy/define";
import { PackConfig } from "../../policy/offline/config";
import { evaluatePolicies, PlannedResource, PolicyReport } from "../../policy/offline/evaluate";

const STACK = "urn:pulumi:prod::fluxpilot::";

export type Stack = Record<string, PlannedResource>;

function component(type: string, name: string, extra: Partial<PlannedResource> = {}): PlannedResource {
    return { urn: `${STACK}${type}::${name}`, type, name, parent: "", provider: "", dependencies: [], protect: true, inputs: {}, ...extra };
}

function child(parent: PlannedResource, type: string, name: string, inputs: Record<string, unknown>, provider?: PlannedResource): PlannedResource {
    const parentType = parent.urn.slice(STACK.length).split("::")[0];
    return {
        urn: `${STACK}${parentType}$${type}::${name}`,
        type,
        name,
        parent: parent.urn,
        provider: provider ? `${provider.urn}::provider-id` : "",
        dependencies: [],
        protect: parent.protect,
        inputs,
    };
}

const TAGS = { environment: "prod", "managed-by": "fluxpilot", cluster: "c" };
const EXEC_KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: c\n  user:\n    exec:\n      command: aws\n";

/** A fresh compliant stack: EKS, GKE and AKS clusters, each with its Flux install. */
export function compliantStack(): Stack {
    const eks = component("fluxpilot:clusters:EksCluster", "c-eks");
    const awsProvider = child(eks, "pulumi:providers:aws", "c-eks-aws", { region: "eu-west-1", defaultTags: JSON.stringify({ tags: TAGS }) });
    const gke = component("fluxpilot:clusters:GkeCluster", "c-gke");
    const gcpProvider = child(gke, "pulumi:providers:gcp", "c-gke-gcp", { project: "p", defaultLabels: JSON.stringify(TAGS) });
    const aks = component("fluxpilot:clusters:AksCluster", "c-aks");
    const shielded = { enableSecureBoot: true, enableIntegrityMonitoring: true };
    const stack: Stack = {
        eks,
        awsProvider,
        eksCluster: child(
            eks,
            "aws:eks/cluster:Cluster",
            "c-eks-cluster",
            {
                version: "1.35",
                vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"], subnetIds: [] },
                encryptionConfig: { provider: { keyArn: pulumi.unknown }, resources: ["secrets"] },
                enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            },
            awsProvider,
        ),
        launchTemplate: child(
            eks,
            "aws:ec2/launchTemplate:LaunchTemplate",
            "c-eks-system",
            { metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 } },
            awsProvider,
        ),
        nodeGroup: child(eks, "aws:eks/nodeGroup:NodeGroup", "c-eks-system", { version: "1.35", launchTemplate: { id: pulumi.unknown, version: "1" } }, awsProvider),
        addon: child(eks, "aws:eks/addon:Addon", "c-eks-coredns", { addonName: "coredns", addonVersion: pulumi.unknown, clusterName: "c-eks" }, awsProvider),
        oidc: child(eks, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "c-eks-oidc", {}, awsProvider),
        eksK8s: child(eks, "pulumi:providers:kubernetes", "c-eks-k8s", { kubeconfig: EXEC_KUBECONFIG }),
        gke,
        gcpProvider,
        gkeCluster: child(
            gke,
            "gcp:container/cluster:Cluster",
            "c-gke-cluster",
            {
                minMasterVersion: "1.35",
                privateClusterConfig: { enablePrivateEndpoint: false, enablePrivateNodes: true, masterIpv4CidrBlock: "172.16.0.0/28" },
                masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "203.0.113.0/24" }], gcpPublicCidrsAccessEnabled: false },
                databaseEncryption: { state: "ENCRYPTED", keyName: pulumi.unknown },
                loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER"] },
                workloadIdentityConfig: { workloadPool: "p.svc.id.goog" },
                nodeConfig: { workloadMetadataConfig: { mode: "GKE_METADATA" }, shieldedInstanceConfig: { ...shielded } },
                enableShieldedNodes: true,
                releaseChannel: { channel: "STABLE" },
                datapathProvider: "ADVANCED_DATAPATH",
            },
            gcpProvider,
        ),
        nodePool: child(
            gke,
            "gcp:container/nodePool:NodePool",
            "c-gke-system",
            { version: "1.35.2-gke.1200", nodeConfig: { workloadMetadataConfig: { mode: "GKE_METADATA" }, shieldedInstanceConfig: { ...shielded }, resourceLabels: TAGS } },
            gcpProvider,
        ),
        firewall: child(
            gke,
            "gcp:compute/firewall:Firewall",
            "c-gke-webhooks",
            { direction: "INGRESS", sourceRanges: ["172.16.0.0/28"], allows: [{ protocol: "tcp", ports: ["8443", "9443", "15017"] }] },
            gcpProvider,
        ),
        gkeK8s: child(gke, "pulumi:providers:kubernetes", "c-gke-k8s", { kubeconfig: pulumi.unknown }),
        aks,
        aksCluster: child(aks, "azure-native:containerservice:ManagedCluster", "c-aks-cluster", {
            kubernetesVersion: "1.35",
            agentPoolProfiles: [{ name: "system", orchestratorVersion: "1.35" }],
            apiServerAccessProfile: { enablePrivateCluster: false, authorizedIPRanges: ["203.0.113.0/24"] },
            securityProfile: { workloadIdentity: { enabled: true }, azureKeyVaultKms: { enabled: true, keyId: "https://kv/keys/etcd/1" } },
            addonProfiles: { omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: pulumi.unknown } } },
            oidcIssuerProfile: { enabled: true },
            disableLocalAccounts: true,
            enableRBAC: true,
            aadProfile: { managed: true, enableAzureRBAC: true },
            networkProfile: { networkPolicy: "cilium" },
            autoUpgradeProfile: { upgradeChannel: "patch" },
            tags: TAGS,
        }),
        agentPool: child(aks, "azure-native:containerservice:AgentPool", "c-aks-apps", { orchestratorVersion: "1.35", tags: TAGS }),
        dcra: child(aks, "azure-native:monitor:DataCollectionRuleAssociation", "c-aks-insights", {}),
        diagnostics: child(aks, "azure-native:monitor:DiagnosticSetting", "c-aks-control-plane", {
            logs: [
                { category: "kube-apiserver", enabled: true },
                { category: "kube-audit-admin", enabled: true },
            ],
        }),
        aksK8s: child(aks, "pulumi:providers:kubernetes", "c-aks-k8s", { kubeconfig: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: EXEC_KUBECONFIG } }),
    };
    for (const cluster of ["eks", "gke", "aks"]) {
        stack[`${cluster}Flux`] = component("fluxpilot:flux:Flux", `c-${cluster}-flux`, { dependencies: [stack[`${cluster}K8s`].urn] });
    }
    return stack;
}

export const MANDATORY: PackConfig = { all: "mandatory" };

export function run(stack: Stack, policies: readonly FluxPilotPolicy[], config: PackConfig = MANDATORY): Promise<PolicyReport> {
    return evaluatePolicies(Object.values(stack), policies, config);
}

/** "<policy>: <message>" of every violation, for readable assertions. */
export async function violationsOf(stack: Stack, policies: readonly FluxPilotPolicy[], config: PackConfig = MANDATORY): Promise<string[]> {
    return (await run(stack, policies, config)).violations.map((v) => `${v.policy}: ${v.message}`);
}

/** Sets a value at a dotted path of a resource's inputs (creating objects on the way); undefined deletes it. */
export function setInput(resource: PlannedResource, path: string, value: unknown): void {
    const keys = path.split(".");
    let target: Record<string, unknown> = resource.inputs;
    for (const key of keys.slice(0, -1)) {
        const next = target[key];
        if (typeof next !== "object" || next === null) target[key] = {};
        target = target[key] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1];
    if (value === undefined) delete target[last];
    else target[last] = value;
}
