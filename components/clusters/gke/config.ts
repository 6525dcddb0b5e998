/**
 * Google Kubernetes Engine: a VPC-native network with secondary ranges for pods and services and
 * Cloud NAT for the private nodes; a regional cluster with Workload Identity, a release channel,
 * shielded nodes, Dataplane V2 (network policy enforcement), Secrets encrypted with a Cloud KMS
 * key, and autoscaling node pools running as their own service account. Autopilot is one switch.
 *
 * This file: the stack settings (schema, defaults, rules); cluster.ts builds the component.
 */
import { z } from "zod";
import { ConfigProblem } from "../../../core/problems";
import { cidr, rule } from "../../../core/rules";
import { KUBERNETES_VERSIONS } from "../../../core/versions";
import { cidrSizeProblems, machineTypeProblems, overlappingCidrProblems, patternProblems } from "../managed";
import { managedClusterFields, ManagedClusterConfig } from "../provider";

/** Checked 2026-11 against the GKE release schedule given in issue 3: 1.33 to 1.36 are available. */
export const GKE_VERSIONS = KUBERNETES_VERSIONS.gke.supported;
/** What a cluster runs when the stack names no version. */
export const GKE_DEFAULT_VERSION = KUBERNETES_VERSIONS.gke.default;

export const GKE_MACHINE_TYPES = { dev: "e2-standard-2", staging: "n2-standard-2", prod: "n2-standard-4", local: "e2-standard-2" } as const;

export const GKE_RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE"] as const;

/** Control-plane components whose logs go to Cloud Logging (audit logs are always on in GCP). */
export const GKE_LOG_COMPONENTS = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"] as const;

export const PODS_RANGE = "pods";
export const SERVICES_RANGE = "services";

export const gkeSchema = z.strictObject({
    ...managedClusterFields,
    cloud: z.literal("gcp"),
    project: z
        .string(rule("is missing", "set the GCP project ID, e.g. acme-platform-prod"))
        .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, rule("is not a GCP project ID", "use the project ID (6-30 lowercase letters, digits, '-'), not its name or number")),
    network: z
        .strictObject({
            /** Primary range of the subnet: node addresses. */
            nodesCidr: cidr.optional(),
            /** Secondary range for pod addresses. */
            podsCidr: cidr.optional(),
            /** Secondary range for Service addresses. */
            servicesCidr: cidr.optional(),
            /** The control plane's own /28 (private cluster). */
            masterCidr: cidr.optional(),
        })
        .optional(),
    releaseChannel: z.enum(GKE_RELEASE_CHANNELS, rule("is not a release channel", `use one of ${GKE_RELEASE_CHANNELS.join(", ")}`)).optional(),
    autopilot: z.boolean(rule("must be true or false", "set autopilot: true to let GKE run the nodes")).optional(),
});

export type GkeClusterRaw = z.infer<typeof gkeSchema>;

export interface GkeClusterConfig extends ManagedClusterConfig {
    cloud: "gcp";
    project: string;
    network: { nodesCidr: string; podsCidr: string; servicesCidr: string; masterCidr: string };
    releaseChannel: (typeof GKE_RELEASE_CHANNELS)[number];
    autopilot: boolean;
    /** Nodes in every zone of the region (true) or in one zone (cheaper). The control plane is regional either way. */
    highlyAvailable: boolean;
}

/** Service account IDs are 6-30 characters; keep the cluster name recognisable inside that. */
export function gkeNodeAccountId(clusterName: string): string {
    return `${clusterName.slice(0, 23).replace(/-+$/, "")}-nodes`;
}

/** GCP labels: lowercase keys and values of letters, digits, '_' and '-'. */
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

export function validateGke(config: GkeClusterConfig, key: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    problems.push(...patternProblems(`${key}.region`, config.region, /^[a-z]+-[a-z]+\d+$/, "GCP region", "europe-west1"));
    problems.push(...machineTypeProblems(config.nodePools, key, /^[a-z][a-z0-9]*-[a-z0-9-]+$/, "Compute Engine machine type", "n2-standard-4"));
    const n = config.network;
    const ranges = [
        { key: `${key}.network.nodesCidr`, cidr: n.nodesCidr, what: "node range" },
        { key: `${key}.network.podsCidr`, cidr: n.podsCidr, what: "pod range" },
        { key: `${key}.network.servicesCidr`, cidr: n.servicesCidr, what: "Service range" },
        { key: `${key}.network.masterCidr`, cidr: n.masterCidr, what: "control-plane range" },
    ];
    problems.push(...overlappingCidrProblems(ranges));
    problems.push(...cidrSizeProblems(ranges[3], 28, 28, "GKE requires a /28 for a private control plane"));
    problems.push(...cidrSizeProblems(ranges[1], 9, 21, "each node takes a /24 of pod addresses"));
    for (const [name, value] of Object.entries(config.tags)) {
        if (!LABEL_KEY.test(name) || !LABEL_VALUE.test(value)) {
            problems.push({
                key: `${key}.tags.${name}`,
                value,
                message: "is not a valid GCP label",
                fix: "use lowercase letters, digits, '_' and '-' (keys start with a letter, both at most 63 characters)",
            });
        }
    }
    return problems;
}

/**
 * Node service account IDs keep only the first 23 characters of the cluster name, so two
 * clusters in one project whose names share those would claim the same account.
 */
export function nodeAccountCollisions(clusters: readonly { config: GkeClusterConfig; key: string }[]): ConfigProblem[] {
    const first = new Map<string, { name: string; key: string }>();
    const problems: ConfigProblem[] = [];
    for (const { config, key } of clusters) {
        const accountId = gkeNodeAccountId(config.name);
        const id = `${config.project}/${accountId}`;
        const earlier = first.get(id);
        // The same name twice is reported as a duplicate cluster name already.
        if (earlier && earlier.name !== config.name) {
            problems.push({
                key: `${key}.name`,
                value: config.name,
                message: `gives the same node service account (${accountId}) as ${earlier.key} (${earlier.name}) in project ${config.project}, because account IDs keep only the first 23 characters of the name`,
                fix: "rename one of the two clusters so that their first 23 characters differ",
            });
        } else if (!earlier) {
            first.set(id, { name: config.name, key: `${key}.name` });
        }
    }
    return problems;
}
