/**
 * GKE nodes are Shielded VMs with secure boot and integrity monitoring, and the cluster follows a
 * release channel: CKV_GCP_71 (enableShieldedNodes), CKV_GCP_68 (secure boot), CKV_GCP_72
 * (integrity monitoring), CKV_GCP_70 (release channel).
 */
import * as container from "@pulumi/gcp/container";
import { check, forTypes, resourcePolicy } from "../define";

type ShieldedConfig = { enableSecureBoot?: boolean; enableIntegrityMonitoring?: boolean } | undefined;

function checkShielded(where: string, config: ShieldedConfig, report: (message: string) => void): void {
    if (config?.enableSecureBoot !== true) report(`${where}.shieldedInstanceConfig.enableSecureBoot is not true`);
    // GCP turns integrity monitoring on unless it is switched off.
    if (config?.enableIntegrityMonitoring === false) report(`${where}.shieldedInstanceConfig.enableIntegrityMonitoring is false`);
}

export const gkeShieldedNodes = resourcePolicy({
    name: "gke-shielded-nodes",
    description: "GKE nodes are Shielded VMs with secure boot and integrity monitoring, and the cluster is on a release channel.",
    severity: "medium",
    checkov: ["CKV_GCP_68", "CKV_GCP_70", "CKV_GCP_71", "CKV_GCP_72"],
    remediationSteps:
        "Keep enableShieldedNodes, shieldedInstanceConfig { enableSecureBoot, enableIntegrityMonitoring } and a `releaseChannel` (RAPID, REGULAR, STABLE or EXTENDED) on the cluster.",
    validateResource: forTypes(
        check(container.Cluster, ({ enableShieldedNodes, releaseChannel, nodeConfig }, _, report) => {
            // GKE has enabled shielded nodes by default since 1.18, but an explicit false turns them off.
            if (enableShieldedNodes === false) report("enableShieldedNodes is false");
            if (releaseChannel === undefined || releaseChannel.channel === "UNSPECIFIED") {
                report(`releaseChannel is ${JSON.stringify(releaseChannel?.channel ?? "unset")}: the cluster follows no release channel`);
            }
            if (nodeConfig !== undefined) checkShielded("nodeConfig", nodeConfig.shieldedInstanceConfig, report);
        }),
        check(container.NodePool, ({ nodeConfig }, _, report) => checkShielded("nodeConfig", nodeConfig?.shieldedInstanceConfig, report)),
    ),
});
