/**
 * Pods get cloud credentials through workload identity, never from the node's identity. GKE: the
 * GKE metadata server on every node (CKV_GCP_69) and a workload pool. AKS: the OIDC issuer and
 * Microsoft Entra Workload ID. EKS: IAM roles for service accounts need the cluster's OIDC
 * provider, and EKS Pod Identity needs its agent add-on; a cluster must offer one of them
 * (https://docs.aws.amazon.com/eks/latest/userguide/service-accounts.html). checkov has no check
 * for the EKS and AKS settings.
 */
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as container from "@pulumi/gcp/container";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { check, forTypes, resourcePolicy, siblingsOf, stackPolicy, typeOf } from "../define";

const REMEDIATION = "Keep the workload identity settings the cluster component sets; grant pods cloud access through service-account bindings, not node roles.";

export const workloadIdentity = resourcePolicy({
    name: "workload-identity",
    description: "GKE and AKS clusters give pods cloud identities through workload identity, not through the node's identity.",
    severity: "high",
    checkov: ["CKV_GCP_69"],
    remediationSteps: REMEDIATION,
    validateResource: forTypes(
        check(container.Cluster, ({ workloadIdentityConfig, nodeConfig }, _, report) => {
            if (workloadIdentityConfig?.workloadPool === undefined) report("workloadIdentityConfig.workloadPool is not set");
            if (nodeConfig !== undefined && nodeConfig.workloadMetadataConfig?.mode !== "GKE_METADATA") {
                report(`nodeConfig.workloadMetadataConfig.mode is ${JSON.stringify(nodeConfig.workloadMetadataConfig?.mode ?? "unset")}, not "GKE_METADATA"`);
            }
        }),
        check(container.NodePool, ({ nodeConfig }, _, report) => {
            if (nodeConfig?.workloadMetadataConfig?.mode !== "GKE_METADATA") {
                report(
                    `nodeConfig.workloadMetadataConfig.mode is ${JSON.stringify(nodeConfig?.workloadMetadataConfig?.mode ?? "unset")}, not "GKE_METADATA": pods can read the node's credentials`,
                );
            }
        }),
        check(containerservice.ManagedCluster, ({ oidcIssuerProfile, securityProfile }, _, report) => {
            if (oidcIssuerProfile?.enabled !== true) report("oidcIssuerProfile.enabled is not true");
            if (securityProfile?.workloadIdentity?.enabled !== true) report("securityProfile.workloadIdentity.enabled is not true");
        }),
    ),
});

const EKS_CLUSTER = typeOf(eks.Cluster);
const OIDC_PROVIDER = typeOf(iam.OpenIdConnectProvider);
const ADDON = typeOf(eks.Addon);

export const eksWorkloadIdentity = stackPolicy({
    name: "eks-workload-identity",
    description: "An EKS cluster has an IAM OIDC provider (IAM roles for service accounts) or the EKS Pod Identity agent add-on.",
    severity: "high",
    checkov: [],
    remediationSteps: REMEDIATION,
    validateStack: ({ resources }, report) => {
        for (const cluster of resources.filter((r) => r.type === EKS_CLUSTER)) {
            const siblings = siblingsOf(cluster, resources);
            const oidc = siblings.some((r) => r.type === OIDC_PROVIDER);
            const podIdentity = siblings.some((r) => r.type === ADDON && r.props["addonName"] === "eks-pod-identity-agent");
            if (!oidc && !podIdentity) {
                report(`EKS cluster ${cluster.name} has neither an IAM OIDC provider nor the eks-pod-identity-agent add-on: pods can only use the node role`, cluster.urn);
            }
        }
    },
});
