import * as assert from "assert";
import { ENVIRONMENTS } from "../../gitops-checks/environments";
import { FLUX_GA_API_VERSIONS } from "../../gitops-checks/flux";
import { findModel, KINDS_WITHOUT_PUBLISHED_SCHEMA, validateObject, validateObjects } from "../../gitops-checks/schemas";
import { assertNoProblems, CLOUDS_WITH_NOTHING_OF_THEIR_OWN, objectsOf, rendering } from "./support";

describe("gitops: schemas (kubernetes-models, @kubernetes-models/flux-cd, prometheus-operator)", () => {
    for (const env of ENVIRONMENTS) {
        describe(env, () => {
            it("every rendered object of every Kustomization matches its published schema", async () => {
                for (const k of rendering(env).kustomizations) {
                    if (!CLOUDS_WITH_NOTHING_OF_THEIR_OWN.includes(k.path)) assert.ok(k.objects.length > 0, `${k.name} renders nothing`);
                }
                assertNoProblems(await validateObjects(objectsOf(env)));
            });

            it("validates every kind it renders (none falls through unchecked)", async () => {
                const outcomes = await Promise.all(
                    objectsOf(env).map(async (o) => ({ id: `${String(o.object.apiVersion)}/${String(o.object.kind)}`, ...(await validateObject(o.object, o.sourceFile)) })),
                );
                const identityOnly = [...new Set(outcomes.filter((o) => o.outcome === "identity-only").map((o) => o.id))];
                assert.deepStrictEqual(identityOnly, ["kyverno.io/v1/ClusterPolicy"]);
                assert.ok(outcomes.filter((o) => o.outcome === "validated").length > 10);
            });
        });
    }

    describe("the model packages", () => {
        it("have a model for every GA Flux kind the checks require (HelmRelease v2 and HelmRepository v1 included)", async () => {
            for (const [groupKind, apiVersion] of Object.entries(FLUX_GA_API_VERSIONS)) {
                const kind = groupKind.slice(groupKind.indexOf("/") + 1);
                assert.ok(await findModel(apiVersion, kind), `${apiVersion} ${kind} has no model`);
            }
            assert.ok(await findModel("helm.toolkit.fluxcd.io/v2", "HelmRelease"));
            assert.ok(await findModel("source.toolkit.fluxcd.io/v1", "HelmRepository"));
        });

        it("have no model for the kinds listed as identity-only", async () => {
            for (const id of KINDS_WITHOUT_PUBLISHED_SCHEMA) {
                const slash = id.lastIndexOf("/");
                assert.strictEqual(await findModel(id.slice(0, slash), id.slice(slash + 1)), null, `${id} now has a model: validate it`);
            }
        });
    });

    describe("catches objects that break their schema", () => {
        const deployment = () => structuredClone(objectsOf("prod").find((o) => o.object.kind === "Deployment")!);

        it("a wrong type, naming file, object and field", async () => {
            const broken = deployment();
            (broken.object as any).spec.revisionHistoryLimit = "five";
            const [problem] = (await validateObject(broken.object, broken.sourceFile)).problems;
            assert.strictEqual(problem.file, "apps/sample-app/base/deployment.yaml via apps/sample-app/overlays/prod");
            assert.strictEqual(problem.object, "Deployment sample-app-prod/sample-app");
            assert.match(problem.message, /does not match the apps\/v1 Deployment schema: \/spec\/revisionHistoryLimit must be integer/);
        });

        it("a malformed quantity", async () => {
            const broken = deployment();
            (broken.object as any).spec.template.spec.containers[0].resources.limits.memory = "lots";
            const problems = (await validateObject(broken.object, broken.sourceFile)).problems;
            assert.ok(
                problems.some((p) => /resources\/limits\/memory must match format "quantity"/.test(p.message)),
                JSON.stringify(problems),
            );
        });

        it("a missing required field in a Flux Kustomization", async () => {
            const k = structuredClone(objectsOf("prod").find((o) => o.object.kind === "Kustomization")!);
            delete (k.object as any).spec.sourceRef;
            const problems = (await validateObject(k.object, k.sourceFile)).problems;
            assert.ok(
                problems.some((p) => /kustomize.toolkit.fluxcd.io\/v1 Kustomization schema: \/spec must have required property sourceRef/.test(p.message)),
                JSON.stringify(problems),
            );
        });

        const fluxObject = (kind: string) => structuredClone(objectsOf("prod").find((o) => o.object.kind === kind)!);

        it("a wrong type in a HelmRelease, against the GA v2 model", async () => {
            const release = fluxObject("HelmRelease");
            assert.strictEqual(release.object.apiVersion, "helm.toolkit.fluxcd.io/v2");
            (release.object as any).spec.install.remediation.retries = "three";
            const { outcome, problems } = await validateObject(release.object, release.sourceFile);
            assert.strictEqual(outcome, "validated");
            assert.ok(
                problems.some((p) => /helm.toolkit.fluxcd.io\/v2 HelmRelease schema: \/spec\/install\/remediation\/retries must be integer/.test(p.message)),
                JSON.stringify(problems),
            );
        });

        it("a wrong type in a field only the GA HelmRelease v2 has (commonMetadata)", async () => {
            const release = fluxObject("HelmRelease");
            (release.object as any).spec.commonMetadata = { labels: "team=platform" };
            const problems = (await validateObject(release.object, release.sourceFile)).problems;
            assert.ok(
                problems.some((p) => /HelmRelease schema: \/spec\/commonMetadata\/labels must be object/.test(p.message)),
                JSON.stringify(problems),
            );
        });

        it("a HelmRelease v2 chartRef to a kind the GA API does not allow", async () => {
            const release = fluxObject("HelmRelease");
            delete (release.object as any).spec.chart;
            (release.object as any).spec.chartRef = { kind: "GitRepository", name: "charts" };
            const problems = (await validateObject(release.object, release.sourceFile)).problems;
            assert.ok(
                problems.some((p) => /HelmRelease schema: \/spec\/chartRef\/kind must be equal to one of the allowed values/.test(p.message)),
                JSON.stringify(problems),
            );
        });

        it("a HelmRelease v2 without its required interval", async () => {
            const release = fluxObject("HelmRelease");
            delete (release.object as any).spec.interval;
            const problems = (await validateObject(release.object, release.sourceFile)).problems;
            assert.ok(
                problems.some((p) => /helm.toolkit.fluxcd.io\/v2 HelmRelease schema: \/spec must have required property interval/.test(p.message)),
                JSON.stringify(problems),
            );
        });

        it("a HelmRepository v1 without a url, and with a type the GA API does not know", async () => {
            const repository = fluxObject("HelmRepository");
            assert.strictEqual(repository.object.apiVersion, "source.toolkit.fluxcd.io/v1");
            delete (repository.object as any).spec.url;
            (repository.object as any).spec.type = "git";
            const messages = (await validateObject(repository.object, repository.sourceFile)).problems.map((p) => p.message);
            assert.ok(
                messages.some((m) => /source.toolkit.fluxcd.io\/v1 HelmRepository schema: \/spec must have required property url/.test(m)),
                JSON.stringify(messages),
            );
            assert.ok(
                messages.some((m) => /HelmRepository schema: \/spec\/type must be equal to one of the allowed values/.test(m)),
                JSON.stringify(messages),
            );
        });

        it("a kind no package knows: a warning naming the kind", async () => {
            const [problem] = (await validateObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } }, "x.yaml")).problems;
            assert.strictEqual(problem.severity, "warning");
            assert.match(problem.message, /no schema for example.com\/v1 Widget, so it is not validated/);
        });

        it("a kind no package knows, against its CRD when the CRD is in the render", async () => {
            const crd = {
                apiVersion: "apiextensions.k8s.io/v1",
                kind: "CustomResourceDefinition",
                metadata: { name: "widgets.example.com" },
                spec: {
                    group: "example.com",
                    names: { kind: "Widget", plural: "widgets" },
                    scope: "Namespaced",
                    versions: [
                        {
                            name: "v1",
                            served: true,
                            storage: true,
                            schema: {
                                openAPIV3Schema: { type: "object", properties: { spec: { type: "object", required: ["size"], properties: { size: { type: "integer" } } } } },
                            },
                        },
                    ],
                },
            };
            const widget = (size: unknown) => ({
                object: { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "a" }, spec: { size } },
                sourceFile: "w.yaml",
            });
            assert.deepStrictEqual(await validateObjects([{ object: crd, sourceFile: "crd.yaml" }, widget(3)]), []);
            const problems = await validateObjects([{ object: crd, sourceFile: "crd.yaml" }, widget("big")]);
            assert.strictEqual(problems.length, 1, JSON.stringify(problems));
            assert.match(problems[0].message, /does not match the schema of its CustomResourceDefinition in this render: \/spec\/size must be integer/);
        });

        it("an object without a name", async () => {
            const [problem] = (await validateObject({ apiVersion: "v1", kind: "ConfigMap", metadata: {} }, "x.yaml")).problems;
            assert.match(problem.message, /apiVersion, kind and metadata.name are required/);
        });
    });
});
