/** Every FluxPilot policy, in the order reports list them. index.ts builds the pack from this list. */
import { FluxPilotPolicy } from "./define";
import { aksLocalAccountsDisabled } from "./security/aks-access";
import { aksAutoUpgrade } from "./security/auto-upgrade";
import { secretsEncrypted } from "./security/encryption";
import { apiEndpointRestricted } from "./security/endpoint";
import { gkeShieldedNodes } from "./security/gke-nodes";
import { aksLogsCollected, controlPlaneLogging } from "./security/logging";
import { networkPolicyEnforced } from "./security/network-policy";
import { imdsv2 } from "./security/node-metadata";
import { requiredTags } from "./security/tags";
import { eksWorkloadIdentity, workloadIdentity } from "./security/workload-identity";
import { aksChannelUnpinned } from "./operability/aks-channel";
import { eksAddonsVersioned } from "./operability/eks-addons";
import { gkeWebhookFirewall } from "./operability/gke-webhook-firewall";
import { supportedKubernetesVersion } from "./operability/kubernetes-versions";
import { everyClusterHasFlux } from "./stack/flux";
import { protectedInProd } from "./stack/protection";
import { noStaticToken } from "./stack/static-token";

export const POLICY_PACK_NAME = "fluxpilot-guardrails";

export const policies: readonly FluxPilotPolicy[] = [
    apiEndpointRestricted,
    secretsEncrypted,
    controlPlaneLogging,
    aksLogsCollected,
    workloadIdentity,
    eksWorkloadIdentity,
    imdsv2,
    gkeShieldedNodes,
    aksLocalAccountsDisabled,
    networkPolicyEnforced,
    aksAutoUpgrade,
    requiredTags,
    gkeWebhookFirewall,
    aksChannelUnpinned,
    eksAddonsVersioned,
    supportedKubernetesVersion,
    protectedInProd,
    everyClusterHasFlux,
    noStaticToken,
];
