import * as assert from "assert";
import { diffSnapshots, formatDiff, hasChanges, valueChanges } from "../../cli/plan/diff";
import { PlanResource, PlanSnapshot, SNAPSHOT_FORMAT, summarise } from "../../cli/plan/snapshot";
import { SECRET, UNKNOWN } from "../../cli/plan/values";

const urn = (type: string, name: string) => `urn:pulumi:dev::fluxpilot::${type}::${name}`;

function resource(type: string, name: string, extra: Partial<PlanResource> = {}): PlanResource {
    return { urn: urn(type, name), type, name, custom: true, parent: null, provider: null, dependencies: [], protect: false, inputs: {}, ...extra };
}

function snapshot(resources: PlanResource[], outputs: PlanSnapshot["outputs"] = {}): PlanSnapshot {
    return { format: SNAPSHOT_FORMAT, project: "fluxpilot", stack: "dev", resources, outputs, summary: summarise(resources) };
}

const NS = "kubernetes:core/v1:Namespace";
const PROVIDER = "pulumi:providers:kubernetes";

describe("plan diff", () => {
    it("finds nothing between equal snapshots", () => {
        const a = snapshot([resource(NS, "flux-system", { inputs: { metadata: { name: "flux-system" } } })], { endpoint: "x" });
        const diff = diffSnapshots(a, structuredClone(a));
        assert.strictEqual(hasChanges(diff), false);
        assert.deepStrictEqual(diff, { stack: "dev", added: [], removed: [], changed: [], unchanged: 1, outputs: [] });
        assert.strictEqual(formatDiff(diff), "Plan diff for stack dev:\n  no changes\n\n0 to add, 0 to remove, 0 to change, 1 unchanged; 0 output change(s)\n");
    });

    it("matches resources by URN: added, removed, changed", () => {
        const keep = resource(NS, "apps", { inputs: { metadata: { name: "apps" } } });
        const before = snapshot([keep, resource(NS, "old"), resource(NS, "same")]);
        const after = snapshot([{ ...keep, inputs: { metadata: { name: "apps", labels: { team: "a" } } } }, resource(NS, "new"), resource(NS, "same")]);
        const diff = diffSnapshots(before, after);
        assert.deepStrictEqual(diff.added, [{ urn: urn(NS, "new"), type: NS, name: "new" }]);
        assert.deepStrictEqual(diff.removed, [{ urn: urn(NS, "old"), type: NS, name: "old" }]);
        assert.deepStrictEqual(diff.changed, [{ urn: urn(NS, "apps"), type: NS, name: "apps", changes: [{ path: "inputs.metadata.labels", after: { team: "a" } }] }]);
        assert.strictEqual(diff.unchanged, 1);
        assert.strictEqual(hasChanges(diff), true);
    });

    it("reports provider, protect and dependency changes, dependencies as a set", () => {
        const p1 = urn(PROVIDER, "eks-k8s");
        const p2 = urn(PROVIDER, "gke-k8s");
        const before = snapshot([resource(NS, "flux", { provider: p1, dependencies: [urn("a:b:C", "one"), urn("a:b:C", "two")] })]);
        const after = snapshot([resource(NS, "flux", { provider: p2, protect: true, dependencies: [urn("a:b:C", "three"), urn("a:b:C", "two")] })]);
        const [changed] = diffSnapshots(before, after).changed;
        assert.deepStrictEqual(changed.changes, [
            { path: "provider", before: p1, after: p2 },
            { path: "protect", before: false, after: true },
            { path: "dependencies", before: urn("a:b:C", "one") },
            { path: "dependencies", after: urn("a:b:C", "three") },
        ]);
        assert.match(
            formatDiff(diffSnapshots(before, after)),
            /\n~ kubernetes:core\/v1:Namespace {2}flux\n {4}provider: eks-k8s -> gke-k8s\n {4}protect: false -> true\n {4}dependencies: - one\n {4}dependencies: \+ three\n/,
        );
    });

    it("gives leaf paths: nested keys, quoted keys, array indexes, added and removed values", () => {
        const before = { spec: { replicas: 1, args: ["--a", "--b"] }, metadata: { annotations: { "fluxcd.io/x": "1" } }, gone: true };
        const after = { spec: { replicas: 2, args: ["--a", "--c", "--d"] }, metadata: { annotations: { "fluxcd.io/x": "2" } } };
        assert.deepStrictEqual(valueChanges("inputs", before, after), [
            { path: "inputs.gone", before: true },
            { path: 'inputs.metadata.annotations["fluxcd.io/x"]', before: "1", after: "2" },
            { path: "inputs.spec.args[1]", before: "--b", after: "--c" },
            { path: "inputs.spec.args[2]", after: "--d" },
            { path: "inputs.spec.replicas", before: 1, after: 2 },
        ]);
    });

    it("reports a value that turns into an object or null as one change", () => {
        assert.deepStrictEqual(valueChanges("inputs", { a: "x", b: 1 }, { a: { y: 1 }, b: null }), [
            { path: "inputs.a", before: "x", after: { y: 1 } },
            { path: "inputs.b", before: 1, after: null },
        ]);
    });

    it("diffs stack outputs and keeps secret and unknown markers as they are", () => {
        const before = snapshot([], { kubeconfig: SECRET, endpoint: UNKNOWN, region: "eu-west-1" });
        const after = snapshot([], { kubeconfig: SECRET, endpoint: "https://k8s.example", zones: ["a"] });
        const diff = diffSnapshots(before, after);
        assert.deepStrictEqual(diff.outputs, [
            { path: "outputs.endpoint", before: UNKNOWN, after: "https://k8s.example" },
            { path: "outputs.region", before: "eu-west-1" },
            { path: "outputs.zones", after: ["a"] },
        ]);
        assert.strictEqual(
            formatDiff(diff),
            [
                "Plan diff for stack dev:",
                "Outputs:",
                '    outputs.endpoint: [unknown] -> "https://k8s.example"',
                '    outputs.region: - "eu-west-1"',
                '    outputs.zones: + ["a"]',
                "",
                "0 to add, 0 to remove, 0 to change, 0 unchanged; 3 output change(s)",
                "",
            ].join("\n"),
        );
    });

    it("prints a value that becomes secret as [secret], never the new value", () => {
        const before = snapshot([resource(NS, "a", { inputs: { token: "public-value" } })]);
        const after = snapshot([resource(NS, "a", { inputs: { token: SECRET } })]);
        assert.match(formatDiff(diffSnapshots(before, after)), /\n {4}inputs\.token: "public-value" -> \[secret\]\n/);
    });

    it("shortens long values and URNs in the text", () => {
        const long = "x".repeat(200);
        const text = formatDiff(diffSnapshots(snapshot([resource(NS, "a", { inputs: { data: "short" } })]), snapshot([resource(NS, "a", { inputs: { data: long } })])));
        assert.ok(text.includes(`inputs.data: "short" -> "${"x".repeat(76)}...`), text);
        assert.ok(!text.includes(long));
    });
});
