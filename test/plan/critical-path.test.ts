import * as assert from "assert";
import { creationSeconds, DEFAULT_CREATION_SECONDS } from "../../cli/plan/creation-times";
import { clusterPaths, criticalPath } from "../../cli/plan/critical-path";
import { PlanResource } from "../../cli/plan/snapshot";

const STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";

function resource(name: string, type: string, options: { parent?: string; dependencies?: string[]; provider?: string } = {}): PlanResource {
    const custom = !type.startsWith("fluxpilot:") && type !== "pulumi:pulumi:Stack";
    return {
        urn: urn(name, type),
        type,
        name,
        custom,
        parent: options.parent ?? STACK,
        provider: options.provider ?? null,
        dependencies: options.dependencies ?? [],
        protect: false,
        inputs: {},
    };
}

function urn(name: string, type: string): string {
    return `urn:pulumi:s::p::${type}::${name}`;
}

/** One cluster: component, control plane, node pool after it, Flux release through a provider. */
function cluster(name: string, clusterType: string, poolType: string, extra: { dependencies?: string[] } = {}): PlanResource[] {
    const component = resource(name, "fluxpilot:clusters:Test");
    const control = resource(`${name}-cluster`, clusterType, { parent: component.urn, dependencies: extra.dependencies });
    const pool = resource(`${name}-pool`, poolType, { parent: component.urn, dependencies: [control.urn] });
    const provider = resource(`${name}-k8s`, "pulumi:providers:kubernetes", { parent: component.urn, dependencies: [pool.urn] });
    const flux = resource(`${name}-flux`, "fluxpilot:flux:Flux");
    const release = resource(`${name}-flux-operator`, "kubernetes:helm.sh/v3:Release", { parent: flux.urn, provider: provider.urn });
    return [component, control, pool, provider, flux, release];
}

describe("plan: critical path of a deployment", () => {
    it("weights by type: cloud clusters by their table entry, components and providers 0, anything else the default", () => {
        assert.strictEqual(creationSeconds("aws:eks/cluster:Cluster", true), 600);
        assert.strictEqual(creationSeconds("pulumi:providers:kubernetes", true), 0);
        assert.strictEqual(creationSeconds("fluxpilot:clusters:EksCluster", false), 0);
        assert.strictEqual(creationSeconds("aws:iam/role:Role", true), DEFAULT_CREATION_SECONDS);
    });

    it("follows dependencies, explicit providers and parents, and reports the chain in creation order", () => {
        const resources = cluster("a", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup");
        const path = criticalPath(resources);
        assert.strictEqual(path.seconds, 600 + 240 + 60);
        assert.deepStrictEqual(
            path.chain.map((u) => u.split("::").pop()),
            ["a", "a-cluster", "a-pool", "a-k8s", "a-flux-operator"],
        );
    });

    it("clusters on different clouds side by side: the stack takes as long as the slowest cluster (ratio 1)", () => {
        const resources = [
            ...cluster("eks", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup"),
            ...cluster("gke", "gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool"),
        ];
        const paths = clusterPaths(resources);
        assert.deepStrictEqual(
            paths.clusters.map((c) => [c.name, c.path.seconds]),
            [
                ["eks", 900],
                ["gke", 540],
            ],
        );
        assert.strictEqual(paths.stack.seconds, 900);
        assert.strictEqual(paths.ratio, 1);
    });

    it("a dependency from one cluster on another serialises them, and the ratio shows it", () => {
        const eks = cluster("eks", "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup");
        const eksRelease = eks[eks.length - 1].urn;
        const resources = [...eks, ...cluster("gke", "gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool", { dependencies: [eksRelease] })];
        const paths = clusterPaths(resources);
        assert.strictEqual(paths.stack.seconds, 900 + 540);
        assert.strictEqual(paths.ratio, 1440 / 900);
    });

    it("refuses a dependency cycle instead of looping", () => {
        const a = resource("a", "aws:iam/role:Role", { dependencies: [urn("b", "aws:iam/role:Role")] });
        const b = resource("b", "aws:iam/role:Role", { dependencies: [a.urn] });
        assert.throws(() => criticalPath([a, b]), /dependency cycle/);
    });
});
