/**
 * AKS on the `stable` or `rapid` upgrade channel moves the cluster's minor version itself; a
 * pinned kubernetesVersion or orchestratorVersion then makes the next `pulumi up` try to
 * downgrade (issue 11, item 9; https://learn.microsoft.com/azure/aks/auto-upgrade-cluster).
 */
import * as containerservice from "@pulumi/azure-native/containerservice";
import { z } from "zod";
import { siblingsOf, stackPolicy, typeOf } from "../define";

/** The channels that upgrade the minor version, not only patches. */
export const CHANNELS_THAT_MOVE_THE_MINOR = ["stable", "rapid"] as const;

const MANAGED_CLUSTER = typeOf(containerservice.ManagedCluster);
/** The ManagedCluster fields this rule reads (the SDK's resolved output type is too deep for the compiler). */
const versionSettings = z.object({
    autoUpgradeProfile: z.object({ upgradeChannel: z.string().optional() }).optional(),
    kubernetesVersion: z.string().optional(),
    agentPoolProfiles: z.array(z.object({ name: z.string(), orchestratorVersion: z.string().optional() })).optional(),
});
const AGENT_POOL = typeOf(containerservice.AgentPool);

export const aksChannelUnpinned = stackPolicy({
    name: "aks-channel-version-unpinned",
    description: "An AKS cluster on the stable or rapid upgrade channel pins no Kubernetes version, on the cluster or on its node pools.",
    severity: "high",
    checkov: [],
    remediationSteps:
        "Leave the version unset under stable/rapid (the AKS component does when autoUpgradeChannel moves the minor), or choose autoUpgradeChannel: patch to keep the minor version in the stack file.",
    validateStack: ({ resources }, report) => {
        for (const cluster of resources.filter((r) => r.type === MANAGED_CLUSTER)) {
            const parsed = versionSettings.safeParse(cluster.props);
            const props = parsed.success ? parsed.data : undefined;
            const channel = props?.autoUpgradeProfile?.upgradeChannel;
            if (props === undefined || channel === undefined || !(CHANNELS_THAT_MOVE_THE_MINOR as readonly string[]).includes(channel)) continue;
            const pinned = [
                ...(props.kubernetesVersion ? [`kubernetesVersion ${props.kubernetesVersion}`] : []),
                ...(props.agentPoolProfiles ?? []).filter((p) => p.orchestratorVersion).map((p) => `pool ${p.name} orchestratorVersion ${p.orchestratorVersion}`),
                ...siblingsOf(cluster, resources)
                    .filter((r) => r.type === AGENT_POOL && r.props["orchestratorVersion"])
                    .map((r) => `pool ${r.name} orchestratorVersion ${String(r.props["orchestratorVersion"])}`),
            ];
            if (pinned.length > 0) {
                report(
                    `AKS cluster ${cluster.name} is on the ${channel} channel but pins ${pinned.join(", ")}; once AKS moves the minor version the next update would downgrade`,
                    cluster.urn,
                );
            }
        }
    },
});
