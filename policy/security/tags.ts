/**
 * Every cluster and node pool carries the tags (labels on GCP) cost reports and inventories
 * group by: environment, managed-by, cluster. On AWS and GCP the program sets them once on the
 * provider (`defaultTags`, `defaultLabels`), which the provider merges into every resource, so
 * those count; on Azure they are on each resource.
 */
import * as eks from "@pulumi/aws/eks";
import * as container from "@pulumi/gcp/container";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { PolicyProviderResource } from "@pulumi/policy";
import { check, forTypes, resourcePolicy } from "../define";

export const REQUIRED_TAGS = ["environment", "managed-by", "cluster"] as const;

type Tags = Readonly<Record<string, string>> | undefined;

export const requiredTags = resourcePolicy({
    name: "required-tags",
    description: `Clusters and node pools carry the tags ${REQUIRED_TAGS.join(", ")}.`,
    severity: "low",
    checkov: [],
    remediationSteps:
        "Keep the tags the cluster components derive from the stack (fluxpilot:environment and the cluster's name); add your own with `fluxpilot:tags`, without overriding these.",
    validateResource: forTypes(
        check(eks.Cluster, ({ tags }, { provider }, report) => reportMissing({ ...providerDefaults(provider, "defaultTags"), ...tags }, report)),
        check(eks.NodeGroup, ({ tags }, { provider }, report) => reportMissing({ ...providerDefaults(provider, "defaultTags"), ...tags }, report)),
        check(container.Cluster, ({ resourceLabels }, { provider }, report) => reportMissing({ ...providerDefaults(provider, "defaultLabels"), ...resourceLabels }, report)),
        check(container.NodePool, ({ nodeConfig }, _, report) => reportMissing(nodeConfig?.resourceLabels, report)),
        check(containerservice.ManagedCluster, ({ tags }, _, report) => reportMissing(tags, report)),
        check(containerservice.AgentPool, ({ tags }, _, report) => reportMissing(tags, report)),
    ),
});

function reportMissing(tags: Tags, report: (message: string) => void): void {
    const missing = REQUIRED_TAGS.filter((key) => (tags?.[key] ?? "") === "");
    if (missing.length > 0) report(`missing tag${missing.length === 1 ? "" : "s"} ${missing.join(", ")}`);
}

/**
 * The tags a provider adds to every resource. The engine passes provider config as the program
 * sent it: objects arrive JSON-encoded (`defaultTags: '{"tags":{...}}'`), so both forms are read.
 */
export function providerDefaults(provider: PolicyProviderResource | undefined, key: "defaultTags" | "defaultLabels"): Record<string, string> {
    let value: unknown = provider?.props[key];
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return {};
        }
    }
    // aws: defaultTags { tags: {...} }; gcp: defaultLabels {...}.
    if (key === "defaultTags" && isRecord(value)) value = value["tags"];
    return isRecord(value) ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string")) : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
