/**
 * Typical time to create one resource of a type, in seconds, for the critical-path estimate
 * (critical-path.ts, `npm run bench`). Estimates to compare chains with each other, not
 * promises: real times vary with region, size and the cloud's load. Sources are listed in
 * docs/benchmarks.md ("Critical path"); the larger figures come from them, the small ones
 * (IAM, subnets, keys) are API calls that complete in seconds.
 */
export interface CreationTime {
    /** Matched against the resource type: exact type, or a prefix ending in ":" for a package. */
    type: string;
    seconds: number;
}

export const CREATION_TIMES: readonly CreationTime[] = [
    // EKS control plane: "9 minutes or less, on average" (AWS, 2021); terraform-aws-eks#3218's log shows 10m6s.
    { type: "aws:eks/cluster:Cluster", seconds: 600 },
    // Managed node group: EC2 instances launched and joined, commonly 3-5 minutes.
    { type: "aws:eks/nodeGroup:NodeGroup", seconds: 240 },
    // Add-ons wait for their pods (CoreDNS needs nodes): about a minute.
    { type: "aws:eks/addon:Addon", seconds: 60 },
    // A NAT gateway becomes available within a few minutes.
    { type: "aws:ec2/natGateway:NatGateway", seconds: 120 },
    // GKE regional control plane: about 5 minutes; a node pool about 3.
    { type: "gcp:container/cluster:Cluster", seconds: 300 },
    { type: "gcp:container/nodePool:NodePool", seconds: 180 },
    // Enabling a Google API on a project takes up to a minute or two.
    { type: "gcp:projects/service:Service", seconds: 60 },
    // Cloud Router / NAT: about a minute.
    { type: "gcp:compute/routerNat:RouterNat", seconds: 60 },
    // AKS: 5-15 minutes expected for the managed cluster with its system pool (Azure/AKS#1017, #2980); 7 used.
    { type: "azure-native:containerservice:ManagedCluster", seconds: 420 },
    { type: "azure-native:containerservice:AgentPool", seconds: 240 },
    // Key Vault and Log Analytics workspace: about a minute each.
    { type: "azure-native:keyvault:Vault", seconds: 60 },
    { type: "azure-native:operationalinsights:Workspace", seconds: 60 },
    // Flux's Helm releases wait for their controllers to be ready: about a minute each.
    { type: "kubernetes:helm.sh/v3:Release", seconds: 60 },
    // Components and providers create nothing in a cloud.
    { type: "pulumi:", seconds: 0 },
    { type: "fluxpilot:", seconds: 0 },
];

/** Any other custom resource: a single API call. */
export const DEFAULT_CREATION_SECONDS = 10;

export function creationSeconds(type: string, custom: boolean): number {
    if (!custom) return 0;
    const exact = CREATION_TIMES.find((t) => t.type === type);
    if (exact) return exact.seconds;
    const prefix = CREATION_TIMES.find((t) => t.type.endsWith(":") && type.startsWith(t.type));
    return prefix ? prefix.seconds : DEFAULT_CREATION_SECONDS;
}
