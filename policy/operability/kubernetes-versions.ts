/**
 * The Kubernetes version of every cluster and node pool is one the program supports for that
 * cloud: the table in core/versions.ts, the same one the stack model validates against.
 */
import * as eks from "@pulumi/aws/eks";
import * as container from "@pulumi/gcp/container";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { KUBERNETES_VERSIONS } from "../../core/versions";
import { check, forTypes, minorOf, resourcePolicy } from "../define";

type Cloud = keyof typeof KUBERNETES_VERSIONS;

export const supportedKubernetesVersion = resourcePolicy({
    name: "kubernetes-version-supported",
    description: "Clusters and node pools run a Kubernetes minor version FluxPilot supports on their cloud.",
    severity: "high",
    checkov: [],
    remediationSteps: `Set the cluster's \`kubernetesVersion\` to a supported minor: EKS ${KUBERNETES_VERSIONS.eks.supported.join(", ")}; GKE ${KUBERNETES_VERSIONS.gke.supported.join(", ")}; AKS ${KUBERNETES_VERSIONS.aks.supported.join(", ")}.`,
    validateResource: forTypes(
        check(eks.Cluster, ({ version }, _, report) => checkVersion("eks", "version", version, report)),
        check(eks.NodeGroup, ({ version }, _, report) => checkVersion("eks", "version", version, report)),
        check(container.Cluster, ({ minMasterVersion }, _, report) => checkVersion("gke", "minMasterVersion", minMasterVersion, report)),
        check(container.NodePool, ({ version }, _, report) => checkVersion("gke", "version", version, report)),
        check(containerservice.ManagedCluster, ({ kubernetesVersion, agentPoolProfiles }, _, report) => {
            checkVersion("aks", "kubernetesVersion", kubernetesVersion, report);
            for (const pool of agentPoolProfiles ?? []) checkVersion("aks", `agentPoolProfiles[${pool.name}].orchestratorVersion`, pool.orchestratorVersion, report);
        }),
        check(containerservice.AgentPool, ({ orchestratorVersion }, _, report) => checkVersion("aks", "orchestratorVersion", orchestratorVersion, report)),
    ),
});

/** Unset is fine: the cloud's default, or a channel that moves the version (see aks-channel.ts). */
function checkVersion(cloud: Cloud, setting: string, version: string | undefined, report: (message: string) => void): void {
    if (version === undefined || version === "") return;
    const supported: readonly string[] = KUBERNETES_VERSIONS[cloud].supported;
    const minor = minorOf(version);
    if (minor === undefined || !supported.includes(minor)) {
        report(`${setting} ${version} is not a Kubernetes version FluxPilot supports on ${cloud.toUpperCase()} (${supported.join(", ")})`);
    }
}
