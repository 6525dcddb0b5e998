import * as assert from "assert";
import { Flux } from "../../components/flux/flux";
import { INSTANCE_CHART, instanceValues, OPERATOR_CHART, plainScalar } from "../../components/flux/installers/operator";
import { composeStack } from "../../stacks/compose";
import { captured, clearRegisteredResources, countsByType } from "../support/harness";
import { byName, existingCluster, FLUX_CR_TYPE, model } from "./support";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** Composes the stack for `env` (one existing cluster) and returns what was registered. */
async function composed(env: string, overrides: Record<string, unknown> = {}) {
    clearRegisteredResources();
    const stack = composeStack(model(env, overrides));
    return { stack, resources: await captured() };
}

describe("flux: protection", () => {
    for (const env of ["dev", "prod"] as const) {
        it(`${env}: protects every Flux resource exactly when the cluster is protected (prod), so a replacement cannot delete the Kustomizations`, async () => {
            const { resources } = await composed(env);
            const flux = resources.filter((r) => r.name.startsWith(`${env}-one-flux`));
            assert.ok(flux.some((r) => r.type === RELEASE));
            assert.deepStrictEqual([...new Set(flux.map((r) => r.protect))], [env === "prod"]);
        });
    }
});

describe("flux: flux-operator installer", () => {
    describe("values the chart writes unquoted", () => {
        const injected = "main\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding";

        it("refuses a ref that would add a document to the release, even past the stack model", () => {
            const settings = model("dev").fluxByCluster["dev-one"];
            const sync = { url: "https://github.com/acme/fluxpilot", ref: { branch: injected }, path: "clusters/dev", interval: "1m" };
            assert.throws(() => instanceValues(settings, sync, undefined), /flux-instance value sync\.ref "refs\/heads\/main\\n---/);
        });

        it("passes values that read back as themselves, and only those", () => {
            for (const value of ["refs/heads/release/2026-11", "https://github.com/acme/fluxpilot", "clusters/prod", "5m", "cluster.local", "refs/tags/1.0"]) {
                assert.strictEqual(plainScalar("f", value), value);
            }
            for (const value of ["a b", "a\nb", "*alias", "&anchor x", "!tag", "[a]", "{a: b}", "a #b", "x: y", "'q'", "", "true", "12"]) {
                assert.throws(() => plainScalar("f", value), /is not a plain YAML scalar/, value);
            }
        });
    });

    for (const env of ["dev", "prod"] as const) {
        describe(env, () => {
            it("pins both charts to the released 0.58.1 (0.59.0 has no flux-operator release) and installs the instance after the operator and the namespace", async () => {
                const { resources } = await composed(env);
                const ns = byName(resources, `${env}-one-flux-ns`);
                const operator = byName(resources, `${env}-one-flux-operator`);
                const instance = byName(resources, `${env}-one-flux-instance`);
                assert.strictEqual(ns.inputs.metadata.name, "flux-system");
                assert.deepStrictEqual([operator.inputs.chart, operator.inputs.version, operator.inputs.namespace], [OPERATOR_CHART, "0.58.1", "flux-system"]);
                assert.deepStrictEqual([instance.inputs.chart, instance.inputs.version], [INSTANCE_CHART, "0.58.1"]);
                assert.ok(operator.dependencies.includes(ns.urn), "operator release before the namespace exists");
                assert.ok(instance.dependencies.includes(operator.urn), "instance release must wait for the operator and its CRDs");
                assert.ok(instance.dependencies.includes(ns.urn));
                // The release waits for its health-check hook, so `pulumi up` ends with Flux running.
                assert.strictEqual(instance.inputs.values.healthcheck.enabled, true);
                assert.strictEqual(instance.inputs.waitForJobs, true);
            });

            it("sets components, cluster, lock-down through cluster.multitenant alone (no patch repeats its profile) and the sync of clusters/<env> in the FluxInstance values", async () => {
                const { resources } = await composed(env);
                const values = byName(resources, `${env}-one-flux-instance`).inputs.values.instance;
                assert.deepStrictEqual(values.distribution, { version: "2.9.x", registry: "ghcr.io/fluxcd" });
                assert.deepStrictEqual(values.components, ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"]);
                const locked = env === "prod";
                assert.deepStrictEqual(values.cluster, {
                    type: "kubernetes",
                    domain: "cluster.local",
                    networkPolicy: true,
                    multitenant: locked,
                    tenantDefaultServiceAccount: "default",
                });
                assert.deepStrictEqual(values.sync, {
                    kind: "GitRepository",
                    name: "flux-system",
                    url: "https://github.com/acme/fluxpilot",
                    ref: "refs/heads/main",
                    path: `clusters/${env}`,
                    interval: env === "prod" ? "5m" : "1m",
                });
                // The multitenant profile already sets every lock-down flag; no patch repeats it.
                assert.strictEqual(values.kustomize, undefined);
            });
        });
    }

    it("follows a tag, takes the optional image automation controllers, and pins the range given", async () => {
        const { resources } = await composed("dev", {
            "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot", tag: "v1.4.0" },
            "fluxpilot:flux": {
                version: "2.9.3",
                operatorChartVersion: "0.58.0",
                components: ["source-controller", "kustomize-controller", "image-reflector-controller", "image-automation-controller"],
            },
        });
        const instance = byName(resources, "dev-one-flux-instance");
        assert.strictEqual(instance.inputs.version, "0.58.0");
        assert.strictEqual(byName(resources, "dev-one-flux-operator").inputs.version, "0.58.0");
        assert.strictEqual(instance.inputs.values.instance.distribution.version, "2.9.3");
        assert.strictEqual(instance.inputs.values.instance.sync.ref, "refs/tags/v1.4.0");
        assert.deepStrictEqual(instance.inputs.values.instance.components.slice(2), ["image-reflector-controller", "image-automation-controller"]);
    });

    it("registers no Flux custom resource, and puts every Kubernetes object on the cluster's provider", async () => {
        const { stack, resources } = await composed("prod", { "fluxpilot:clusters": [existingCluster("a"), existingCluster("b")] });
        assert.deepStrictEqual(
            resources.filter((r) => FLUX_CR_TYPE.test(r.type)).map((r) => r.type),
            [],
        );
        for (const name of ["a", "b"]) {
            const provider = byName(resources, `${name}-k8s`);
            const k8sChildren = resources.filter((r) => r.name.startsWith(`${name}-flux-`) && r.type.startsWith("kubernetes:"));
            // Namespace, operator and instance releases, and the cluster-facts ConfigMap.
            assert.strictEqual(k8sChildren.length, 4);
            for (const child of k8sChildren) {
                assert.ok(child.provider.startsWith(`${provider.urn}::`), `${child.name} is not on cluster ${name}'s provider`);
            }
        }
        assert.ok(stack.fluxes.a instanceof Flux);
        assert.deepStrictEqual(await countsByType(), {
            "fluxpilot:clusters:ExistingCluster": 2,
            "fluxpilot:flux:Flux": 2,
            "kubernetes:core/v1:ConfigMap": 2,
            "kubernetes:core/v1:Namespace": 2,
            [RELEASE]: 4,
            "pulumi:providers:kubernetes": 2,
        });
    });

    it("keeps Flux top-level with the cluster as a dependency, under stable names", async () => {
        const { resources } = await composed("dev");
        const flux = byName(resources, "dev-one-flux");
        const cluster = byName(resources, "dev-one");
        assert.strictEqual(flux.type, "fluxpilot:flux:Flux");
        assert.strictEqual(flux.parent, "");
        // Depending on a component means depending on its custom children: here the cluster's provider.
        assert.deepStrictEqual(flux.dependencies, [byName(resources, "dev-one-k8s").urn]);
        assert.strictEqual(cluster.type, "fluxpilot:clusters:ExistingCluster");
        for (const child of ["dev-one-flux-ns", "dev-one-flux-operator", "dev-one-flux-instance"]) {
            assert.strictEqual(byName(resources, child).parent, flux.urn);
        }
    });

    it("exports Flux version, sync URL, ref and path per cluster", async () => {
        const { stack } = await composed("prod");
        const outputs = stack.outputs["prod-one"].flux;
        const values = await Promise.all([outputs.version, outputs.syncUrl, outputs.ref, outputs.path].map((o) => (o as any).promise()));
        assert.strictEqual(outputs.installer, "flux-operator");
        assert.deepStrictEqual(values, ["2.9.x", "https://github.com/acme/fluxpilot", "branch main", "clusters/prod"]);
        assert.strictEqual(outputs.webhookUrl, undefined);
    });
});
