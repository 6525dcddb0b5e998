/**
 * The cluster's SOPS key on AWS: a KMS key (alias `alias/<cluster>-sops`, yearly rotation) that
 * only kustomize-controller may decrypt with, through its own EKS Pod Identity role.
 *
 * The key policy keeps the default statement that gives the account the key ("allows access to
 * the AWS account and enables IAM policies"), so administrators manage it and whoever runs `sops
 * encrypt` gets kms:Encrypt through an IAM policy. Decrypt is then narrowed by an explicit Deny:
 * kms:Decrypt and kms:ReEncryptFrom (which would re-wrap the data key under a key the caller can
 * use) for every principal whose `aws:PrincipalArn` is not the controller's role. A Pod Identity
 * session is an assumed-role session, and for those `aws:PrincipalArn` is the role's ARN, not the
 * session's. An explicit Deny wins over any IAM policy and any grant. The role needs no IAM
 * policy of its own: a key policy that names a role grants it by itself.
 *
 * Sources: AWS KMS Developer Guide, "Default key policy"
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html) and "Policy
 * evaluation logic" (explicit deny); IAM User Guide, global condition key aws:PrincipalArn
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn);
 * Flux, "Amazon Web Services" integration (https://fluxcd.io/flux/integrations/aws): the
 * kustomize-controller decrypts SOPS with AWS KMS using the controller's identity, and EKS Pod
 * Identity needs no service account annotation.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws/provider";
import * as eks from "@pulumi/aws/eks";
import * as kms from "@pulumi/aws/kms";
import { FLUX_NAMESPACE, KUSTOMIZE_CONTROLLER_SA } from "../../../core/flux";
import type { ClusterSopsKey } from "../kubernetes-cluster";
import { identityFactName } from "../workload-identity";
import { createEksWorkloadIdentities } from "./workload-identity";

/** kustomize-controller as a workload identity with no IAM policy: the key policy is its only grant. */
export const KUSTOMIZE_CONTROLLER_IDENTITY = { namespace: FLUX_NAMESPACE, serviceAccount: KUSTOMIZE_CONTROLLER_SA, permissions: [] };

/** Actions that give the caller the plaintext data key, directly or under another key. */
export const DECRYPTING_ACTIONS = ["kms:Decrypt", "kms:ReEncryptFrom"];

/** The key policy: the account administers the key, the controller's role alone decrypts. */
export function sopsKeyPolicy(partition: string, account: string, controllerRoleArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Id: "fluxpilot-sops",
        Statement: [
            {
                Sid: "EnableIamPoliciesForTheAccount",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${account}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "KustomizeControllerDecrypts",
                Effect: "Allow",
                Principal: { AWS: controllerRoleArn },
                Action: ["kms:Decrypt", "kms:DescribeKey"],
                Resource: "*",
            },
            {
                Sid: "NobodyElseDecrypts",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: DECRYPTING_ACTIONS,
                Resource: "*",
                Condition: { ArnNotEquals: { "aws:PrincipalArn": controllerRoleArn } },
            },
        ],
    });
}

export interface EksSopsKeyArgs {
    name: string;
    clusterName: string;
    cluster: eks.Cluster;
    partition: pulumi.Output<string>;
    account: pulumi.Output<string>;
    parent: pulumi.Resource;
    provider: aws.Provider;
}

export function createEksSopsKey(args: EksSopsKeyArgs): ClusterSopsKey {
    const o = { parent: args.parent, provider: args.provider };
    const identities = createEksWorkloadIdentities({
        name: args.name,
        clusterName: args.clusterName,
        cluster: args.cluster,
        identities: [KUSTOMIZE_CONTROLLER_IDENTITY],
        parent: args.parent,
        provider: args.provider,
    });
    const controllerRoleArn = identities[identityFactName(KUSTOMIZE_CONTROLLER_IDENTITY)];
    const key = new kms.Key(
        `${args.name}-sops`,
        {
            description: `SOPS data keys of EKS cluster ${args.clusterName}; only its kustomize-controller decrypts`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: pulumi.all([args.partition, args.account, controllerRoleArn]).apply(([partition, account, role]) => sopsKeyPolicy(partition, account, role)),
        },
        o,
    );
    new kms.Alias(`${args.name}-sops`, { name: `alias/${args.clusterName}-sops`, targetKeyId: key.keyId }, o);
    return { kind: "kms", key: key.arn, serviceAccountAnnotations: {}, podLabels: {} };
}
