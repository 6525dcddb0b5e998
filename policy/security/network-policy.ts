/**
 * NetworkPolicy objects are enforced. GKE: CKV_GCP_12 looks for `networkPolicy.enabled`; with
 * GKE Dataplane V2 (`datapathProvider: ADVANCED_DATAPATH`) enforcement is built in and the
 * networkPolicy block must stay off (https://cloud.google.com/kubernetes-engine/docs/concepts/dataplane-v2),
 * so either passes. AKS: CKV_AZURE_7, `networkProfile.networkPolicy` names an engine.
 */
import * as container from "@pulumi/gcp/container";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { check, forTypes, resourcePolicy } from "../define";

export const networkPolicyEnforced = resourcePolicy({
    name: "network-policy-enforced",
    description: "The cluster enforces Kubernetes NetworkPolicy.",
    severity: "medium",
    checkov: ["CKV_GCP_12", "CKV_AZURE_7"],
    remediationSteps: 'GKE: keep datapathProvider "ADVANCED_DATAPATH" (or networkPolicy { enabled: true }). AKS: keep networkProfile.networkPolicy "cilium" (or "azure"/"calico").',
    validateResource: forTypes(
        check(container.Cluster, ({ datapathProvider, networkPolicy }, _, report) => {
            if (datapathProvider !== "ADVANCED_DATAPATH" && networkPolicy?.enabled !== true) {
                report("neither Dataplane V2 (datapathProvider ADVANCED_DATAPATH) nor networkPolicy.enabled: NetworkPolicy objects are not enforced");
            }
        }),
        check(containerservice.ManagedCluster, ({ networkProfile }, _, report) => {
            const engine = networkProfile?.networkPolicy;
            if (engine === undefined || engine === "none") report(`networkProfile.networkPolicy is ${JSON.stringify(engine ?? "unset")}: NetworkPolicy objects are not enforced`);
        }),
    ),
});
