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

/** Webhook ports the control plane must reach on nodes: Kyverno 9443, 8443, Istio 15017 (terraform-google-kubernetes-engine's firewall_inbound_ports). */
export const GKE_WEBHOOK_PORTS = ["8443", "9443", "15017"] as const;

/**
 * APIs the cluster's resources call: Compute (network, firewall, NAT), Cloud KMS (Secrets key),
 * IAM (node account) and Kubernetes Engine (cluster; it also creates the GKE service agent the
 * KMS grant names). A new project has none enabled (GKE docs, "Before you begin").
 */
export const GKE_REQUIRED_APIS = ["compute.googleapis.com", "cloudkms.googleapis.com", "iam.googleapis.com", "container.googleapis.com"] as const;

export const GKE_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;

/**
 * When GKE may auto-upgrade, per environment: dev any night, staging on weekday nights so
 * upgrades reach it before prod, prod at weekends. Times are UTC.
 */
export const GKE_MAINTENANCE_WINDOWS = {
    dev: { days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], start: "02:00", hours: 4 },
    staging: { days: ["TU", "WE", "TH"], start: "02:00", hours: 6 },
    prod: { days: ["SA", "SU"], start: "01:00", hours: 8 },
    local: { days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], start: "02:00", hours: 4 },
} as const satisfies Record<string, GkeMaintenanceWindow>;

export interface GkeMaintenanceWindow {
    /** Days of the week, as RFC 5545 BYDAY takes them. */
    days: readonly (typeof GKE_WEEKDAYS)[number][];
    /** Start time, HH:MM UTC. */
    start: string;
    /** Length of each window. */
    hours: number;
}

/**
 * GKE's rule for recurring windows: at least 48 hours of availability in any 32 days, in
 * windows of at least 4 contiguous hours (GKE docs, "Configure maintenance windows and
 * exclusions"). Four weeks is the least a 32-day span holds.
 */
const MIN_WINDOW_HOURS = 4;
const MIN_HOURS_PER_32_DAYS = 48;

/** The `maintenancePolicy.recurringWindow` of a window: a reference day (the date itself does not matter), its end and the weekly recurrence. */
export function gkeMaintenanceWindow(window: GkeMaintenanceWindow): { startTime: string; endTime: string; recurrence: string } {
    const start = new Date(`2026-01-01T${window.start}:00Z`);
    const end = new Date(start.getTime() + window.hours * 3_600_000);
    const iso = (d: Date) => d.toISOString().replace(".000Z", "Z");
    return { startTime: iso(start), endTime: iso(end), recurrence: `FREQ=WEEKLY;BYDAY=${window.days.join(",")}` };
}

export function maintenanceWindowProblems(window: GkeMaintenanceWindow, key: string): ConfigProblem[] {
    const hoursIn32Days = window.hours * window.days.length * 4;
    if (hoursIn32Days >= MIN_HOURS_PER_32_DAYS) return [];
    return [
        {
            key: `${key}.maintenanceWindow`,
            value: `${window.days.join(",")} ${window.start} for ${window.hours}h`,
            message: `allows ${hoursIn32Days} hours of maintenance in 32 days; GKE requires at least ${MIN_HOURS_PER_32_DAYS}`,
            fix: "add days or lengthen the window (e.g. days [SA, SU], hours 8)",
        },
    ];
}

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
    /** When auto-upgrades may run; defaults per environment (GKE_MAINTENANCE_WINDOWS). */
    maintenanceWindow: z
        .strictObject({
            days: z.array(z.enum(GKE_WEEKDAYS, rule("is not a day", `use ${GKE_WEEKDAYS.join(", ")}`))).min(1, rule("is empty", "name at least one day, e.g. [SA, SU]")),
            start: z.string(rule("must be a string", 'quote the time, e.g. "01:00"')).regex(/^([01]\d|2[0-3]):[0-5]\d$/, rule("is not a time", 'write HH:MM in UTC, e.g. "01:00"')),
            hours: z
                .number(rule("must be a number", "give the window length in hours, e.g. 8"))
                .int(rule("must be whole hours", "e.g. 8"))
                .min(MIN_WINDOW_HOURS, rule(`is shorter than GKE's ${MIN_WINDOW_HOURS}-hour minimum`, `use ${MIN_WINDOW_HOURS} to 24`))
                .max(24, rule("is longer than a day", "use at most 24")),
        })
        .optional(),
});

export type GkeClusterRaw = z.infer<typeof gkeSchema>;

export interface GkeClusterConfig extends ManagedClusterConfig {
    cloud: "gcp";
    project: string;
    network: { nodesCidr: string; podsCidr: string; servicesCidr: string; masterCidr: string };
    releaseChannel: (typeof GKE_RELEASE_CHANNELS)[number];
    autopilot: boolean;
    maintenanceWindow: GkeMaintenanceWindow;
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
    problems.push(...maintenanceWindowProblems(config.maintenanceWindow, key));
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
