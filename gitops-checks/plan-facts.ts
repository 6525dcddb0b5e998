/**
 * Cluster facts from the offline plan (`npm run plan -- <stack> --json`): the data of each
 * cluster-facts ConfigMap the program registers, so the render and the checks substitute what Flux
 * will substitute on that cluster. A plan snapshot enters as `unknown` and is read through zod;
 * only the fields used here are required, so the plan's own format can grow.
 */
import { z } from "zod";
import { CLUSTER_FACTS_CONFIGMAP, FACT_VARIABLES } from "../core/cluster-facts";
import { FLUX_NAMESPACE } from "../core/flux";
import { explicitSource, SubstitutionSource } from "./postbuild";
import { GitOpsProblem } from "./problems";

/** How the plan marks a value only the cloud knows (cli/plan/values.ts UNKNOWN). */
export const PLAN_UNKNOWN = "[unknown]";
/** What the render substitutes for such a value: visible, and valid YAML anywhere. */
export const UNKNOWN_FACT = "unknown-until-pulumi-up";

const planSchema = z.object({
    stack: z.string(),
    resources: z.array(
        z.object({
            type: z.string(),
            name: z.string(),
            inputs: z.record(z.string(), z.unknown()),
        }),
    ),
});

const configMapInputs = z.object({
    metadata: z.object({ name: z.string(), namespace: z.string() }),
    data: z.record(z.string(), z.string()),
});

/** The facts of one cluster of one stack, as the plan holds them. */
export interface PlannedClusterFacts {
    stack: string;
    cluster: string;
    environment: string;
    /** Variable name to value; values the cloud computes are UNKNOWN_FACT. */
    data: Record<string, string>;
    /** Variables whose value is only known once the cloud creates the resource. */
    unknown: string[];
}

/** A plan snapshot is not what it claims to be. */
export class PlanFactsError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanFactsError";
    }
}

/** The cluster facts of every cluster in a plan snapshot (parsed JSON). */
export function clusterFactsFromPlan(snapshot: unknown, origin: string): PlannedClusterFacts[] {
    const plan = planSchema.safeParse(snapshot);
    if (!plan.success) throw new PlanFactsError(`${origin} is not a plan snapshot (${plan.error.issues[0]?.message}): write one with npm run plan -- <stack> --out <file>`);
    const facts: PlannedClusterFacts[] = [];
    for (const resource of plan.data.resources) {
        if (resource.type !== "kubernetes:core/v1:ConfigMap") continue;
        const inputs = configMapInputs.safeParse(resource.inputs);
        if (!inputs.success || inputs.data.metadata.name !== CLUSTER_FACTS_CONFIGMAP || inputs.data.metadata.namespace !== FLUX_NAMESPACE) continue;
        const raw = inputs.data.data;
        const cluster = raw[FACT_VARIABLES.name];
        const environment = raw[FACT_VARIABLES.environment];
        if (environment === undefined || environment === PLAN_UNKNOWN) {
            throw new PlanFactsError(`${origin}: ${resource.name} has no ${FACT_VARIABLES.environment}: the plan is of an older program; plan again`);
        }
        const unknown = Object.keys(raw).filter((key) => raw[key] === PLAN_UNKNOWN);
        const data = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, value === PLAN_UNKNOWN ? UNKNOWN_FACT : value]));
        // The resource is named `<cluster>-flux-cluster-facts`: the name to show when the cloud names the cluster.
        const label = cluster === undefined || cluster === PLAN_UNKNOWN ? resource.name.replace(/-flux-cluster-facts$/, "") : cluster;
        facts.push({ stack: plan.data.stack, cluster: label, environment, data, unknown });
    }
    return facts;
}

/** The facts as a substitution source, found where Flux finds them: ConfigMap flux-system/cluster-facts. */
export function planFactsSource(facts: PlannedClusterFacts): SubstitutionSource {
    return explicitSource(`the plan of stack ${facts.stack} (cluster ${facts.cluster})`, { [`ConfigMap/${FLUX_NAMESPACE}/${CLUSTER_FACTS_CONFIGMAP}`]: facts.data });
}

/** Notes on facts the plan cannot know: the render shows UNKNOWN_FACT where Flux will have the value. */
export function factsNotes(facts: PlannedClusterFacts): GitOpsProblem[] {
    return facts.unknown.map((name) => ({
        file: `Pulumi.${facts.stack}.yaml`,
        object: `ConfigMap ${FLUX_NAMESPACE}/${CLUSTER_FACTS_CONFIGMAP} (cluster ${facts.cluster})`,
        rule: "postBuild",
        severity: "note" as const,
        message: `${name} is computed by the cloud when the cluster is created; the render shows ${UNKNOWN_FACT} in its place`,
    }));
}
