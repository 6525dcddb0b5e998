/**
 * The cloud side of cluster-autoscaler on EKS (issue 12 item 4): the Pod Identity role of
 * kube-system/cluster-autoscaler, which every EKS cluster gets without being asked, with an
 * inline policy that lets it resize this cluster's managed node groups and nothing else. Flux
 * installs the autoscaler itself (infrastructure/cloud/aws/cluster-autoscaler); the role ARN
 * reaches it as the cluster fact identity_kube_system_cluster_autoscaler.
 *
 * The actions are those of "Full Cluster Autoscaler Features Policy (Recommended)" in
 * kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md (tag
 * cluster-autoscaler-1.35.2), which uses auto-discovery, with the README's advice applied:
 * restrict the two write actions. They are conditioned on the tags EKS puts on the Auto Scaling
 * group of every managed node group for auto-discovery (k8s.io/cluster-autoscaler/enabled and
 * k8s.io/cluster-autoscaler/<cluster-name>, Amazon EKS User Guide, managed-node-groups.html), as
 * terraform-aws-modules/terraform-aws-iam (iam-role-for-service-accounts-eks/policies.tf)
 * conditions them on `autoscaling:ResourceTag/kubernetes.io/cluster/<name>: owned`. The
 * Describe actions do not support resource-level permissions and keep `*`, as in the README and
 * in both terraform-aws-iam and terraform-aws-eks-pod-identity (cluster_autoscaler.tf);
 * eks:DescribeNodegroup, which the README grants on `*`, is narrowed to this cluster's node
 * groups. docs/clusters.md, "Node autoscaling".
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigProblem } from "../../../core/problems";
import { WorkloadIdentityConfig } from "../workload-identity";

/** The service account the Helm chart runs as (rbac.serviceAccount.name in release.yaml). */
export const CLUSTER_AUTOSCALER_ACCOUNT = { namespace: "kube-system", serviceAccount: "cluster-autoscaler" } as const;

/** Read-only calls cluster-autoscaler makes; none of them supports resource-level permissions. */
export const CLUSTER_AUTOSCALER_DESCRIBE_ACTIONS = [
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeScalingActivities",
    "ec2:DescribeImages",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
] as const;

/** The only calls that change anything: the size of a group, and removing one of its instances. */
export const CLUSTER_AUTOSCALER_SCALE_ACTIONS = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"] as const;

/** The auto-discovery tags EKS sets on a managed node group's Auto Scaling group, with their values. */
export function autoDiscoveryTags(clusterName: string): Record<string, string> {
    return { "k8s.io/cluster-autoscaler/enabled": "true", [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned" };
}

/** The inline policy of the autoscaler's role, for one cluster and its node groups' ARNs. */
export function clusterAutoscalerPolicy(clusterName: string, nodeGroupArns: readonly string[]): string {
    const tagConditions = Object.fromEntries(Object.entries(autoDiscoveryTags(clusterName)).map(([tag, value]) => [`autoscaling:ResourceTag/${tag}`, value]));
    const statements: Record<string, unknown>[] = [
        { Sid: "DiscoverGroupsAndInstanceTypes", Effect: "Allow", Action: [...CLUSTER_AUTOSCALER_DESCRIBE_ACTIONS], Resource: "*" },
        // Both tags must match (keys in one StringEquals are ANDed): a group of another cluster,
        // or one of this cluster's taken out of discovery, cannot be resized.
        { Sid: "ScaleThisClustersNodeGroups", Effect: "Allow", Action: [...CLUSTER_AUTOSCALER_SCALE_ACTIONS], Resource: "*", Condition: { StringEquals: tagConditions } },
    ];
    // A cluster without node pools has no ARN to name; an empty Resource list is invalid IAM.
    if (nodeGroupArns.length > 0) {
        // Labels and taints of a group scaled to zero (README: "eks:DescribeNodegroup").
        statements.push({ Sid: "ReadThisClustersNodeGroups", Effect: "Allow", Action: ["eks:DescribeNodegroup"], Resource: [...nodeGroupArns] });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The policy as an output, once the node groups' ARNs are known. */
export function clusterAutoscalerPolicyOutput(clusterName: string, nodeGroupArns: readonly pulumi.Input<string>[]): pulumi.Output<string> {
    return pulumi.all([...nodeGroupArns]).apply((arns) => clusterAutoscalerPolicy(clusterName, arns));
}

/**
 * The stack file may not declare kube-system/cluster-autoscaler on EKS: the program creates that
 * identity itself, and a second role and association for the same account would collide.
 */
export function builtInIdentityProblems(identities: readonly WorkloadIdentityConfig[], key: string): ConfigProblem[] {
    return identities.flatMap((identity, index) =>
        identity.namespace === CLUSTER_AUTOSCALER_ACCOUNT.namespace && identity.serviceAccount === CLUSTER_AUTOSCALER_ACCOUNT.serviceAccount
            ? [
                  {
                      key: `${key}[${index}]`,
                      value: `${identity.namespace}/${identity.serviceAccount}`,
                      message: "is created on every EKS cluster by the program already, scoped to the cluster's own node groups (docs/clusters.md, Node autoscaling)",
                      fix: "remove this entry; its role ARN is the cluster fact identity_kube_system_cluster_autoscaler",
                  },
              ]
            : [],
    );
}
