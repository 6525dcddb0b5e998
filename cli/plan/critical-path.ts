/**
 * The critical path of a deployment: the longest chain of resources that wait on each other,
 * weighted by how long each takes to create (creation-times.ts). A resource waits for its
 * dependencies (dependsOn and input dependencies; the SDK already expands a component into its
 * children), its explicit provider and its parent. Clusters on different clouds share nothing, so
 * the stack's path should be about as long as its slowest cluster's: `npm run bench` prints the ratio.
 */
import { creationSeconds } from "./creation-times";
import { PlanResource } from "./snapshot";

export interface CriticalPath {
    /** Sum of the creation times along the chain. */
    seconds: number;
    /** URNs from the first resource created to the last. */
    chain: string[];
}

/** Longest weighted chain through `resources`; edges to resources outside the list are ignored. */
export function criticalPath(resources: readonly PlanResource[]): CriticalPath {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const finish = new Map<string, CriticalPath>();
    const visiting = new Set<string>();

    const pathTo = (resource: PlanResource): CriticalPath => {
        const known = finish.get(resource.urn);
        if (known) return known;
        if (visiting.has(resource.urn)) throw new Error(`dependency cycle through ${resource.urn}`);
        visiting.add(resource.urn);
        let longest: CriticalPath = { seconds: 0, chain: [] };
        for (const urn of waitsFor(resource)) {
            const before = byUrn.get(urn);
            if (!before) continue;
            const candidate = pathTo(before);
            if (candidate.seconds > longest.seconds || (candidate.seconds === longest.seconds && candidate.chain.length > longest.chain.length)) longest = candidate;
        }
        visiting.delete(resource.urn);
        const result = { seconds: longest.seconds + creationSeconds(resource.type, resource.custom), chain: [...longest.chain, resource.urn] };
        finish.set(resource.urn, result);
        return result;
    };

    let overall: CriticalPath = { seconds: 0, chain: [] };
    for (const resource of resources) {
        const candidate = pathTo(resource);
        if (candidate.seconds > overall.seconds) overall = candidate;
    }
    return overall;
}

function waitsFor(resource: PlanResource): string[] {
    const edges = [...resource.dependencies];
    if (resource.parent) edges.push(resource.parent);
    if (resource.provider) edges.push(resource.provider);
    return edges;
}

export interface ClusterPaths {
    /** The whole stack's critical path. */
    stack: CriticalPath;
    /** Each cluster's own critical path (its component, its Flux and whatever else is named after it). */
    clusters: { name: string; path: CriticalPath }[];
    /** stack / slowest cluster: 1 when the clusters are created side by side. */
    ratio: number;
}

/**
 * Groups the resources by cluster: a cluster is a top-level `fluxpilot:clusters:*` component;
 * every other top-level tree named `<cluster>-...` (its Flux installation) belongs to it.
 */
export function clusterPaths(resources: readonly PlanResource[]): ClusterPaths {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const topOf = (resource: PlanResource): PlanResource => {
        let current = resource;
        for (let parent = byUrn.get(current.parent ?? ""); parent && parent.type !== "pulumi:pulumi:Stack"; parent = byUrn.get(current.parent ?? "")) current = parent;
        return current;
    };
    const clusterNames = resources
        .filter((r) => r.type.startsWith("fluxpilot:clusters:") && topOf(r) === r)
        .map((r) => r.name)
        .sort((a, b) => b.length - a.length);
    const clusterOf = (resource: PlanResource): string | undefined => {
        const top = topOf(resource);
        return clusterNames.find((name) => top.name === name || top.name.startsWith(`${name}-`));
    };
    const members = new Map<string, PlanResource[]>(clusterNames.map((name) => [name, []]));
    for (const resource of resources) {
        const name = clusterOf(resource);
        if (name !== undefined) members.get(name)!.push(resource);
    }
    const stack = criticalPath(resources);
    const clusters = [...members].map(([name, own]) => ({ name, path: criticalPath(own) })).sort((a, b) => a.name.localeCompare(b.name));
    const slowest = Math.max(0, ...clusters.map((c) => c.path.seconds));
    return { stack, clusters, ratio: slowest > 0 ? stack.seconds / slowest : 1 };
}
