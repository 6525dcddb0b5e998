/**
 * The cluster facts: what Pulumi knows about a cluster and hands to Flux as a ConfigMap in
 * flux-system, which the Flux Kustomizations of clusters/<env> read through
 * `spec.postBuild.substituteFrom`, so the GitOps content can write `${cluster_name}`.
 *
 * The ConfigMap name and the variable names are a contract between the program (which writes
 * them), the GitOps content (which uses them) and the offline checks (which read them from the
 * plan): change them in all three or not at all.
 */
import type { Environment } from "./environments";

/** Name of the ConfigMap in flux-system (FLUX_NAMESPACE) that holds the facts. */
export const CLUSTER_FACTS_CONFIGMAP = "cluster-facts";

/**
 * Variable names, as Flux requires them (`^[_a-zA-Z][_a-zA-Z0-9]*$`). Lower case keeps them apart
 * from the upper-case shell variables some manifests carry.
 */
export const FACT_VARIABLES = {
    name: "cluster_name",
    cloud: "cluster_cloud",
    region: "cluster_region",
    environment: "cluster_environment",
    /** AWS account ID, Google Cloud project ID or Azure subscription ID; absent on adopted clusters. */
    account: "cloud_account",
} as const;

/**
 * The facts of one cluster before they become ConfigMap data. `V` is the value type: a string, or
 * a Pulumi output in the program (core stays free of the SDK).
 */
export interface ClusterFactsInput<V = string> {
    name: V;
    cloud: string;
    region: V;
    environment: Environment;
    account?: V;
    /** Further facts (e.g. workload identities), already named as variables. */
    extra?: Readonly<Record<string, V>>;
}

const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** The ConfigMap data: one entry per fact; an unknown account is left out rather than empty. */
export function clusterFactsData<V>(facts: ClusterFactsInput<V>): Record<string, V | string> {
    const data: Record<string, V | string> = {
        [FACT_VARIABLES.name]: facts.name,
        [FACT_VARIABLES.cloud]: facts.cloud,
        [FACT_VARIABLES.region]: facts.region,
        [FACT_VARIABLES.environment]: facts.environment,
    };
    if (facts.account) data[FACT_VARIABLES.account] = facts.account;
    for (const [key, value] of Object.entries(facts.extra ?? {})) {
        if (!VARIABLE_NAME.test(key)) throw new Error(`cluster fact "${key}" is not a valid Flux variable name (${VARIABLE_NAME.source})`);
        if (key in data) throw new Error(`cluster fact "${key}" is set twice`);
        data[key] = value;
    }
    return data;
}
