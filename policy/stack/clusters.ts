/**
 * How the stack's clusters and their Flux installs relate, read from the component tree: a
 * cluster is a `fluxpilot:clusters:*` component, its Flux install a `fluxpilot:flux:Flux`
 * component that depends on the cluster's Kubernetes provider (stacks/compose.ts passes it).
 */
import { PolicyResource } from "@pulumi/policy";

const CLUSTER_TYPE = /^fluxpilot:clusters:[A-Za-z]+Cluster$/;
export const FLUX_TYPE = "fluxpilot:flux:Flux";
export const KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes";

export function clustersOf(resources: readonly PolicyResource[]): PolicyResource[] {
    return resources.filter((r) => CLUSTER_TYPE.test(r.type));
}

/** The Flux installs that target the cluster: they depend on a Kubernetes provider the cluster owns. */
export function fluxOf(cluster: PolicyResource, resources: readonly PolicyResource[]): PolicyResource[] {
    const providers = new Set(resources.filter((r) => r.type === KUBERNETES_PROVIDER_TYPE && parentUrn(r) === cluster.urn).map((r) => r.urn));
    return resources.filter((r) => r.type === FLUX_TYPE && r.dependencies.some((d) => providers.has(d.urn)));
}

export function parentUrn(resource: PolicyResource): string | undefined {
    return resource.opts.parent ?? resource.parent?.urn;
}
