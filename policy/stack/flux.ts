/** Every cluster the stack builds or adopts is synced by Flux: that is what the program is for. */
import { stackPolicy } from "../define";
import { clustersOf, fluxOf } from "./clusters";

export const everyClusterHasFlux = stackPolicy({
    name: "every-cluster-has-flux",
    description: "Every cluster in the stack has a Flux install.",
    severity: "high",
    checkov: [],
    remediationSteps: "Compose every cluster through stacks/compose.ts, which installs Flux with the cluster's Kubernetes provider.",
    validateStack: ({ resources }, report) => {
        for (const cluster of clustersOf(resources)) {
            if (fluxOf(cluster, resources).length === 0) report(`cluster ${cluster.name} has no Flux install`, cluster.urn);
        }
    },
});
