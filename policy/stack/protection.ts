/**
 * In prod, a cluster and its Flux install are protected: a replacement or `pulumi destroy` would
 * delete the cluster, or the Kustomizations that own every workload (issue 11, item 15). The
 * pack cannot see the stack's environment, so prod's pack config turns the rule on
 * (policy/config/prod.json: `requireProtection: true`).
 */
import { stackPolicy } from "../define";
import { clustersOf, fluxOf } from "./clusters";

export const protectedInProd = stackPolicy({
    name: "prod-clusters-protected",
    description: "Every cluster of a prod stack, and its Flux install, is protected against deletion.",
    severity: "critical",
    checkov: [],
    remediationSteps: "Keep `protect` on in prod (the prod preset sets it; do not override it); the Flux install inherits it from the stack model.",
    configSchema: { properties: { requireProtection: { type: "boolean", default: false } } },
    validateStack: (args, report) => {
        const { resources } = args;
        if (args.getConfig<{ requireProtection?: boolean }>().requireProtection !== true)
            args.notApplicable("protection is required only where the pack config sets requireProtection (prod)");
        for (const cluster of clustersOf(resources)) {
            if (!cluster.opts.protect) report(`cluster ${cluster.name} is not protected`, cluster.urn);
            for (const flux of fluxOf(cluster, resources)) {
                if (!flux.opts.protect) report(`Flux install ${flux.name} of cluster ${cluster.name} is not protected`, flux.urn);
            }
        }
    },
});
