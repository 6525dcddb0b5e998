/**
 * The API server is not reachable from the whole internet: private, or public only to an
 * allow-list without 0.0.0.0/0. checkov's CKV_AWS_39 and CKV_AZURE_115 ask for a private endpoint
 * outright; the program allows an allow-listed public one (the CI runners and the office VPN must
 * reach it, docs/clusters.md), which is what CKV_AWS_38, CKV_GCP_18/20 and CKV_AZURE_6 check.
 * Either passes here; a public endpoint without a list, or with 0.0.0.0/0, fails (CKV_AZURE_6
 * accepts 0.0.0.0/0 in the list; docs/policy.md lists each difference).
 */
import * as eks from "@pulumi/aws/eks";
import * as container from "@pulumi/gcp/container";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { check, forTypes, resourcePolicy, WHOLE_INTERNET } from "../define";

export const apiEndpointRestricted = resourcePolicy({
    name: "api-endpoint-restricted",
    description: "The Kubernetes API endpoint is private, or public only to an allow-list that does not contain 0.0.0.0/0.",
    severity: "critical",
    checkov: ["CKV_AWS_38", "CKV_AWS_39", "CKV_GCP_18", "CKV_GCP_20", "CKV_AZURE_6", "CKV_AZURE_115"],
    remediationSteps:
        "In the stack file set the cluster's `endpoint.publicAccess: false`, or list the networks that must reach the API server in `endpoint.allowedCidrs` (never 0.0.0.0/0).",
    validateResource: forTypes(
        check(eks.Cluster, ({ vpcConfig }, _, report) => {
            // AWS defaults endpointPublicAccess to true and publicAccessCidrs to 0.0.0.0/0.
            if (vpcConfig.endpointPublicAccess === false) return;
            const cidrs = vpcConfig.publicAccessCidrs ?? [WHOLE_INTERNET];
            reportOpen("vpcConfig.publicAccessCidrs", cidrs, report);
        }),
        check(container.Cluster, ({ privateClusterConfig, masterAuthorizedNetworksConfig }, _, report) => {
            if (privateClusterConfig?.enablePrivateEndpoint === true) return;
            if (masterAuthorizedNetworksConfig === undefined) {
                report("the control plane is public and masterAuthorizedNetworksConfig is not set, so any address can reach it");
                return;
            }
            if (masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled === true) {
                report("masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled is true: every Google Cloud public IP can reach the control plane");
            }
            reportOpen(
                "masterAuthorizedNetworksConfig.cidrBlocks",
                (masterAuthorizedNetworksConfig.cidrBlocks ?? []).map((b) => b.cidrBlock),
                report,
            );
        }),
        check(containerservice.ManagedCluster, ({ apiServerAccessProfile }, _, report) => {
            if (apiServerAccessProfile?.enablePrivateCluster === true) return;
            reportOpen("apiServerAccessProfile.authorizedIPRanges", apiServerAccessProfile?.authorizedIPRanges ?? [], report);
        }),
    ),
});

function reportOpen(setting: string, cidrs: readonly string[], report: (message: string) => void): void {
    if (cidrs.length === 0) {
        report(`the API endpoint is public and ${setting} is empty, so any address can reach it`);
    } else if (cidrs.includes(WHOLE_INTERNET)) {
        report(`the API endpoint is public and ${setting} contains ${WHOLE_INTERNET}`);
    }
}
