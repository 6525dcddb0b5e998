import * as assert from "assert";
import { ENVIRONMENTS } from "../../gitops-checks/environments";
import { FLUX_GA_API_VERSIONS } from "../../gitops-checks/flux";
import { findModel, KINDS_WITHOUT_PUBLISHED_SCHEMA, SCHEMA_STAND_INS, validateObject, validateObjects } from "../../gitops-checks/schemas";
import { assertNoProblems, objectsOf, rendering } from "./support";

describe("gitops: schemas (kubernetes-models, @kubernetes-models/flux-cd, prometheus-operator)", () => {
    for (const env of ENVIRONMENTS) {
        describe(env, () => {
            it("every rendered object of every Kustomization matches its published schema", () => {
                for (const k of rendering(env).kustomizations) {
                    assert.ok(k.objects.length > 0, `${k.name} renders nothing`);
                }
                assertNoProblems(validateObjects(objectsOf(env)));
            });

            it("validates every kind it renders (none falls through unchecked)", () => {
                const outcomes = objectsOf(env).map((o) => ({ id: `${o.object.apiVersion}/${o.object.kind}`, ...validateObject(o.object, o.sourceFile) }));
                const identityOnly = [...new Set(outcomes.filter((o) => o.outcome === "identity-only").map((o) => o.id))];
                assert.deepStrictEqual(identityOnly, ["kyverno.io/v1/ClusterPolicy"]);
                assert.ok(outcomes.filter((o) => o.outcome === "validated").length > 10);
            });
        });
    }

    describe("the model packages", () => {
        it("have the GA Kustomization and GitRepository the Flux bootstrap and clusters/ use", () => {
            assert.ok(findModel("kustomize.toolkit.fluxcd.io/v1", "Kustomization"));
            assert.ok(findModel("source.toolkit.fluxcd.io/v1", "GitRepository"));
        });

        it("use a stand-in only while the GA model is missing (drop SCHEMA_STAND_INS entries once it ships for Node 20 or the project moves to Node 22)", () => {
            for (const [id, standIn] of Object.entries(SCHEMA_STAND_INS)) {
                const slash = id.lastIndexOf("/");
                const [apiVersion, kind] = [id.slice(0, slash), id.slice(slash + 1)];
                assert.strictEqual(findModel(apiVersion, kind), null, `${id} now has a model: remove its stand-in`);
                assert.ok(findModel(standIn, kind), `stand-in ${standIn} ${kind} is missing`);
                assert.strictEqual(FLUX_GA_API_VERSIONS[`${apiVersion.split("/")[0]}/${kind}`], apiVersion, `${id} is not a GA version`);
            }
        });

        it("have no model for the kinds listed as identity-only", () => {
            for (const id of KINDS_WITHOUT_PUBLISHED_SCHEMA) {
                const slash = id.lastIndexOf("/");
                assert.strictEqual(findModel(id.slice(0, slash), id.slice(slash + 1)), null, `${id} now has a model: validate it`);
            }
        });
    });

    describe("catches objects that break their schema", () => {
        const deployment = () => structuredClone(objectsOf("prod").find((o) => o.object.kind === "Deployment")!);

        it("a wrong type, naming file, object and field", () => {
            const broken = deployment();
            broken.object.spec.revisionHistoryLimit = "five";
            const [problem] = validateObject(broken.object, broken.sourceFile).problems;
            assert.strictEqual(problem.file, "apps/sample-app/base/deployment.yaml via apps/sample-app/overlays/prod");
            assert.strictEqual(problem.object, "Deployment sample-app-prod/sample-app");
            assert.match(problem.message, /does not match the apps\/v1 Deployment schema: \/spec\/revisionHistoryLimit must be integer/);
        });

        it("a malformed quantity", () => {
            const broken = deployment();
            broken.object.spec.template.spec.containers[0].resources.limits.memory = "lots";
            const problems = validateObject(broken.object, broken.sourceFile).problems;
            assert.ok(problems.some((p) => /resources\/limits\/memory must match format "quantity"/.test(p.message)), JSON.stringify(problems));
        });

        it("a missing required field in a Flux Kustomization", () => {
            const k = structuredClone(objectsOf("prod").find((o) => o.object.kind === "Kustomization")!);
            delete k.object.spec.sourceRef;
            const problems = validateObject(k.object, k.sourceFile).problems;
            assert.ok(problems.some((p) => /kustomize.toolkit.fluxcd.io\/v1 Kustomization schema: \/spec must have required property sourceRef/.test(p.message)), JSON.stringify(problems));
        });

        it("a wrong type in a HelmRelease (validated against its stand-in)", () => {
            const release = structuredClone(objectsOf("prod").find((o) => o.object.kind === "HelmRelease")!);
            release.object.spec.install.remediation.retries = "three";
            const { outcome, problems } = validateObject(release.object, release.sourceFile);
            assert.strictEqual(outcome, "validated-with-stand-in");
            assert.ok(problems.some((p) => /\/spec\/install\/remediation\/retries must be integer/.test(p.message)), JSON.stringify(problems));
        });

        it("a kind no package knows", () => {
            const [problem] = validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }, "x.yaml").problems;
            assert.match(problem.message, /no published schema for example.com\/v1 Widget/);
        });

        it("an object without a name", () => {
            const [problem] = validateObject({ apiVersion: "v1", kind: "ConfigMap", metadata: {} }, "x.yaml").problems;
            assert.match(problem.message, /apiVersion, kind and metadata.name are required/);
        });
    });
});
