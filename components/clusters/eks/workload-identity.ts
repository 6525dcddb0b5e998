/**
 * Workload identities on EKS with EKS Pod Identity: per identity an IAM role that only the Pod
 * Identity service may assume, and only for this cluster, namespace and service account (the
 * session tags Pod Identity sets: eks-cluster-arn, kubernetes-namespace,
 * kubernetes-service-account), the policies the stack file lists, and the association that binds
 * the role to the service account. The eks-pod-identity-agent add-on (cluster.ts) serves the
 * credentials to the pods.
 *
 * Sources: Amazon EKS User Guide, "Create IAM role with trust policy required by EKS Pod
 * Identity" (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html) and "Enable or
 * disable session tags" (pod-id-abac.html); terraform-aws-modules/terraform-aws-eks-pod-identity
 * (the same trust statement, sts:AssumeRole + sts:TagSession).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws/provider";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import { identityFactName, identitySuffix, PermissionForm, WorkloadIdentityConfig } from "../workload-identity";

/** IAM policy ARNs: AWS managed (`iam::aws:policy/`) or customer managed (`iam::<account>:policy/`). */
export const EKS_PERMISSION_FORM: PermissionForm = {
    pattern: /^arn:aws(-[a-z]+)*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/,
    what: "an IAM policy ARN",
    example: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess or arn:aws:iam::111122223333:policy/my-controller",
};

/** The trust policy of one identity's role: Pod Identity, for this cluster and this service account only. */
export function podIdentityTrustPolicy(clusterArn: string, identity: WorkloadIdentityConfig): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksPodIdentityForOneServiceAccount",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:RequestTag/eks-cluster-arn": clusterArn,
                        "aws:RequestTag/kubernetes-namespace": identity.namespace,
                        "aws:RequestTag/kubernetes-service-account": identity.serviceAccount,
                    },
                },
            },
        ],
    });
}

export interface EksWorkloadIdentityArgs {
    name: string;
    clusterName: string;
    cluster: eks.Cluster;
    identities: readonly WorkloadIdentityConfig[];
    parent: pulumi.Resource;
    provider: aws.Provider;
}

/** Creates the roles and associations; returns each role ARN by cluster fact name. */
export function createEksWorkloadIdentities(args: EksWorkloadIdentityArgs): Record<string, pulumi.Output<string>> {
    const facts: Record<string, pulumi.Output<string>> = {};
    for (const identity of args.identities) facts[identityFactName(identity)] = createEksPodIdentity(args, identity).arn;
    return facts;
}

/**
 * One identity: its role, the attachments of its listed policies, an inline policy when the
 * program writes one itself (the built-in cluster-autoscaler identity, cluster-autoscaler.ts), and
 * the association.
 */
export function createEksPodIdentity(args: Omit<EksWorkloadIdentityArgs, "identities">, identity: WorkloadIdentityConfig, inlinePolicy?: pulumi.Input<string>): iam.Role {
    const o = { parent: args.parent, provider: args.provider };
    const id = `${args.name}-wi-${identity.namespace}-${identity.serviceAccount}`;
    const role = new iam.Role(
        id,
        {
            // IAM role names are at most 64 characters: the cluster name (30) and a stable suffix.
            name: `${args.clusterName}-wi-${identitySuffix(args.clusterName, identity)}`,
            description: `Pod Identity of ${identity.namespace}/${identity.serviceAccount} on EKS cluster ${args.clusterName}`,
            assumeRolePolicy: args.cluster.arn.apply((arn) => podIdentityTrustPolicy(arn, identity)),
        },
        o,
    );
    identity.permissions.forEach((policyArn, index) => {
        new iam.RolePolicyAttachment(`${id}-${index}`, { role: role.name, policyArn }, o);
    });
    if (inlinePolicy !== undefined) new iam.RolePolicy(id, { role: role.name, policy: inlinePolicy }, o);
    new eks.PodIdentityAssociation(
        id,
        {
            clusterName: args.cluster.name,
            namespace: identity.namespace,
            serviceAccount: identity.serviceAccount,
            roleArn: role.arn,
        },
        o,
    );
    return role;
}
