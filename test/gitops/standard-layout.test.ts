/**
 * The checks on a Flux repository that is not FluxPilot's: test/gitops/fixtures/standard-layout,
 * in the layout of the Flux project's kustomize-helm example. Everything here reads that fixture
 * only, so a change to this repository's own GitOps content cannot fail these tests.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/validate/cli";
import { parseChecksConfig } from "../../gitops-checks/config";
import { KustomizeBuilder, RenderedObject } from "../../gitops-checks/kustomize";
import { checkObjects, OBJECT_RULES } from "../../gitops-checks/object-rules";
import { applyPostBuild, explicitSource, substitute } from "../../gitops-checks/postbuild";
import { formatGitOpsProblems, isError } from "../../gitops-checks/problems";
import { allObjects, renderCluster, RenderedEnvironment } from "../../gitops-checks/render";
import { discoverEnvironments, validateCluster } from "../../gitops-checks/validate";
import { FIXTURES, ROOT } from "./support";

const FIXTURE = path.join(ROOT, FIXTURES, "standard-layout");
const builder = new KustomizeBuilder(FIXTURE);
const renders = new Map<string, RenderedEnvironment>();
function render(env: string): RenderedEnvironment {
    if (!renders.has(env)) renders.set(env, renderCluster(builder, `clusters/${env}`));
    return renders.get(env)!;
}
function applied(env: string, kustomization: string): RenderedObject[] {
    return render(env).kustomizations.find((k) => k.name === kustomization)!.objects;
}
function find(objects: readonly RenderedObject[], kind: string, name?: string): RenderedObject {
    const found = objects.find((o) => o.object.kind === kind && (name === undefined || (o.object as any).metadata?.name === name));
    assert.ok(found, `no ${kind} ${name ?? ""} in ${objects.map((o) => o.object.kind).join(", ")}`);
    return found;
}
function envOf(deployment: RenderedObject): Record<string, string> {
    return Object.fromEntries((deployment.object as any).spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
}

async function validate(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
    return { code, out, err };
}

/** A copy of the fixture, changed by `mutate`, removed after the test. */
function mutatedCopy(mutate: (root: string) => void): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-standard-"));
    fs.cpSync(FIXTURE, root, { recursive: true });
    mutate(root);
    return root;
}

describe("gitops: any Flux repository (standard-layout fixture)", function () {
    this.timeout(120_000);

    describe("npm run validate -- --root", () => {
        it("discovers the environments from clusters/* and passes with no error and no warning", async () => {
            assert.deepStrictEqual(discoverEnvironments(FIXTURE), ["production", "staging"]);
            const { code, out } = await validate(["--root", FIXTURE]);
            assert.strictEqual(code, 0, out);
            const lines = out.split("\n").filter(Boolean);
            assert.deepStrictEqual(
                lines.filter((l) => !l.startsWith("  - ")),
                ["ok      sources", "ok      clusters/production", "ok      clusters/staging", `No problems found (${path.relative(process.cwd(), FIXTURE)}).`],
            );
            // The only remark: the Kustomization whose source is another artifact, once.
            assert.deepStrictEqual(
                lines.filter((l) => l.startsWith("  - ")),
                [
                    "  - clusters/production/apps.yaml: note: not rendered: flux-system/security-policies applies a path of OCIRepository flux-system/security-policies, which is not this repository; check that source on its own [not-rendered]",
                ],
            );
        });

        it("refuses an environment the repository does not have, naming the ones it has", async () => {
            const { code, err } = await validate(["--root", FIXTURE, "dev"]);
            assert.strictEqual(code, 2);
            assert.match(err, /unknown environment "dev": use one of production, staging \(the folders under clusters\/ in /);
        });

        it("refuses a root without clusters/", async () => {
            const { code, err } = await validate(["--root", path.join(FIXTURE, "apps")]);
            assert.strictEqual(code, 2);
            assert.match(err, /has no clusters\/<env> folder: name the root of a Flux repository/);
        });

        it("does not apply FluxPilot's conventions unless the repository's flux-checks.yaml turns them on", async () => {
            const root = mutatedCopy((r) => fs.writeFileSync(path.join(r, "flux-checks.yaml"), "ruleSets: [fluxpilot]\n"));
            try {
                const { code, out } = await validate(["--root", root, "staging"]);
                assert.strictEqual(code, 1, out);
                assert.match(out, /infra-controllers: spec.serviceAccountName is undefined: set it to kustomize-controller.*\[fluxpilot\]/);
                assert.match(out, /HelmRelease ingress-nginx\/ingress-nginx: spec.serviceAccountName is undefined: set it to helm-controller/);
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        });

        it("reports a bad flux-checks.yaml with the key and the fix", async () => {
            assert.throws(
                () => parseChecksConfig("ruleSets: [strict]\nserviceType: {}\n"),
                (error: Error) => {
                    assert.match(error.message, /ruleSets\[0\]: Invalid input: expected "fluxpilot"/);
                    assert.match(error.message, /Unrecognized key: "serviceType" \(known keys: ruleSets, serviceTypes, allowHostAccess, substitutionValues\)/);
                    return true;
                },
            );
        });

        it("catches a mutated copy end to end: a plain-text Secret and a LoadBalancer where production forbids it", async () => {
            const root = mutatedCopy((r) => {
                fs.writeFileSync(path.join(r, "flux-checks.yaml"), "serviceTypes:\n  production: [ClusterIP]\n");
                fs.appendFileSync(path.join(r, "apps/base/guestbook.yaml"), "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n");
                const file = path.join(r, "apps/production/kustomization.yaml");
                fs.appendFileSync(
                    file,
                    "patches:\n  - target: { kind: Service, name: guestbook }\n    patch: |\n      - op: add\n        path: /spec/type\n        value: LoadBalancer\n",
                );
            });
            try {
                const { code, out } = await validate(["--root", root]);
                assert.strictEqual(code, 1, out);
                assert.match(out, /^FAILED  clusters\/production: 2 problems$/m);
                assert.match(out, /apps\/base\/guestbook\.yaml via apps\/production: Secret guestbook\/db: a Secret with its values in Git in the clear.*\[no-plaintext-secret\]/);
                assert.match(out, /Service guestbook\/guestbook: spec.type LoadBalancer is not allowed in production.*\[service-type-policy\]/);
                assert.match(out, /^FAILED  clusters\/staging: 1 problem$/m);
                assert.doesNotMatch(out, /hunter2/);
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        });
    });

    describe("renders what kustomize-controller applies", () => {
        it("generates a kustomization.yaml for clusters/<env> and infrastructure/configs, which have none", () => {
            assert.ok(!fs.existsSync(path.join(FIXTURE, "clusters/staging/kustomization.yaml")));
            const entry = render("staging").kustomizations[0];
            assert.deepStrictEqual(entry.objects.map((o) => `${String(o.object.kind)} ${(o.object as any).metadata.name} ${o.sourceFile}`).sort(), [
                "ConfigMap cluster-facts clusters/staging/cluster-facts.yaml",
                "GitRepository flux-system clusters/staging/flux-system/gotk-sync.yaml",
                "Kustomization apps clusters/staging/apps.yaml",
                "Kustomization flux-system clusters/staging/flux-system/gotk-sync.yaml",
                "Kustomization infra-configs clusters/staging/infrastructure.yaml",
                "Kustomization infra-controllers clusters/staging/infrastructure.yaml",
                "Namespace flux-system clusters/staging/flux-system/gotk-components.yaml",
            ]);
            assert.deepStrictEqual(
                applied("staging", "infra-configs")
                    .map((o) => o.object.kind)
                    .sort(),
                ["IngressClass", "ResourceQuota"],
            );
            // The repository itself is never written to.
            assert.ok(!fs.existsSync(path.join(FIXTURE, "infrastructure/configs/kustomization.yaml")));
        });

        it("takes the flux-system folder's root Kustomization as the entry point, not as one more to apply", () => {
            assert.deepStrictEqual(
                render("staging").kustomizations.map((k) => `${k.name} ${k.path}`),
                ["flux-system clusters/staging", "infra-controllers infrastructure/controllers", "infra-configs infrastructure/configs", "apps apps/staging"],
            );
        });

        it("substitutes postBuild.substitute and substituteFrom (a ConfigMap of the render), defaults included", () => {
            assert.deepStrictEqual(envOf(find(applied("staging", "apps"), "Deployment")), {
                GUESTBOOK_CLUSTER: "fleet-staging",
                GUESTBOOK_ENVIRONMENT: "staging",
                GUESTBOOK_REGION: "eu-west-1",
            });
            assert.strictEqual(envOf(find(applied("production", "apps"), "Deployment")).GUESTBOOK_CLUSTER, "fleet-production");
        });

        it("applies spec.images and spec.commonMetadata (labels on metadata, selectors untouched)", () => {
            const objects = applied("production", "apps");
            const deployment: any = find(objects, "Deployment").object;
            assert.strictEqual(deployment.spec.template.spec.containers[0].image, "ghcr.io/example-org/guestbook:2.4.1");
            assert.strictEqual((find(applied("staging", "apps"), "Deployment").object as any).spec.template.spec.containers[0].image, "ghcr.io/example-org/guestbook:2.4.0");
            for (const { object } of objects as any[]) assert.strictEqual(object.metadata.labels?.["example.org/tier"], "production", `${object.kind} ${object.metadata.name}`);
            assert.deepStrictEqual(deployment.spec.selector.matchLabels, { app: "guestbook" });
            assert.deepStrictEqual((find(objects, "Service").object as any).spec.selector, { app: "guestbook" });
        });

        it("applies spec.patches, targetNamespace, namePrefix/nameSuffix and components", () => {
            const { objects } = builder.buildFlux("apps/staging", {
                targetNamespace: "guestbook-blue",
                namePrefix: "blue-",
                nameSuffix: "-v2",
                patches: [{ target: { kind: "Deployment" }, patch: "- op: add\n  path: /spec/template/spec/priorityClassName\n  value: high\n" }],
                components: ["../components/high-availability"],
            });
            const kinds = (kind: string) =>
                objects.filter((o) => o.object.kind === kind).map((o) => `${(o.object as any).metadata.namespace ?? ""}/${(o.object as any).metadata.name}`);
            assert.deepStrictEqual(kinds("Deployment"), ["guestbook-blue/blue-guestbook-v2"]);
            assert.deepStrictEqual(kinds("Namespace"), ["/guestbook-blue"]);
            const deployment: any = find(objects, "Deployment").object;
            assert.strictEqual(deployment.spec.template.spec.priorityClassName, "high");
            // kustomize follows the rename into references, as in the cluster.
            assert.strictEqual((find(objects, "HorizontalPodAutoscaler").object as any).spec.scaleTargetRef.name, "blue-guestbook-v2");
            assert.strictEqual((find(objects, "PodDisruptionBudget").object as any).spec.minAvailable, 2);
            // The overlay's own patch still applies.
            assert.strictEqual((find(objects, "HorizontalPodAutoscaler").object as any).spec.maxReplicas, 3);
        });

        it("merges spec.images into the kustomization's own images by name, as the controller does", () => {
            const build = (images: any[]) => (find(builder.buildFlux("apps/base", { images }).objects, "Deployment").object as any).spec.template.spec.containers[0].image;
            assert.strictEqual(build([{ name: "ghcr.io/example-org/guestbook", newName: "registry.example.org/guestbook" }]), "registry.example.org/guestbook:2.4.0");
            assert.strictEqual(build([{ name: "ghcr.io/example-org/guestbook", digest: "sha256:" + "a".repeat(64) }]), `ghcr.io/example-org/guestbook@sha256:${"a".repeat(64)}`);
        });

        it("refuses a component that does not exist, naming it", () => {
            const { problems } = builder.tryBuildFlux("apps/staging", { components: ["../components/missing"] });
            assert.match(formatGitOpsProblems(problems), /apps\/staging: spec.components entry "..\/components\/missing" does not exist under apps\/staging/);
        });

        it("takes substituteFrom values given to the checker when the render lacks the object, and reports a missing one", () => {
            const kustomization = {
                apiVersion: "kustomize.toolkit.fluxcd.io/v1",
                kind: "Kustomization",
                metadata: { name: "apps", namespace: "flux-system" },
                spec: {
                    postBuild: {
                        substituteFrom: [
                            { kind: "Secret", name: "facts" },
                            { kind: "ConfigMap", name: "extra", optional: true },
                        ],
                    },
                },
            };
            const objects = [{ object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { where: "${region}" } }, sourceFile: "c.yaml" }];
            const given = applyPostBuild(kustomization, objects, [explicitSource("flux-checks.yaml", { "Secret/flux-system/facts": { region: "eu-north-1\n" } })], "apps.yaml");
            assert.deepStrictEqual(given.problems, []);
            assert.strictEqual((given.objects[0].object as any).data.where, "eu-north-1");
            const missing = applyPostBuild(kustomization, objects, [], "apps.yaml");
            assert.match(formatGitOpsProblems(missing.problems), /substituteFrom Secret flux-system\/facts is neither in the render nor among the values given/);
            assert.strictEqual(missing.problems.length, 1, "the optional ConfigMap is skipped");
        });

        it("leaves objects marked substitute: disabled alone, keeps $${VAR} literal, and refuses unknown variables (Flux would apply an empty string)", () => {
            const kustomization = { kind: "Kustomization", metadata: { name: "apps", namespace: "flux-system" }, spec: { postBuild: { substitute: { a: "1" } } } };
            const on = { object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "on" }, data: { x: "${a}-$${a}-${b}" } }, sourceFile: "on.yaml" };
            const off = {
                object: {
                    apiVersion: "v1",
                    kind: "ConfigMap",
                    metadata: { name: "off", annotations: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } },
                    data: { x: "${a}" },
                },
                sourceFile: "off.yaml",
            };
            const result = applyPostBuild(kustomization, [on, off], [], "apps.yaml");
            assert.strictEqual((result.objects[0].object as any).data.x, "1-${a}-");
            assert.strictEqual((result.objects[1].object as any).data.x, "${a}");
            assert.deepStrictEqual(
                result.problems.map((p) => [isError(p), p.object]),
                [[true, "ConfigMap on"]],
            );
            assert.match(result.problems[0].message, /\$\{b\} has no value/);
            assert.strictEqual((on.object as any).data.x, "${a}-$${a}-${b}", "the input is not changed");
        });

        it("reports an object that is no longer YAML once substituted, as Flux fails on it", () => {
            const kustomization = { kind: "Kustomization", metadata: { name: "apps", namespace: "flux-system" }, spec: { postBuild: { substitute: { list: "[a, b" } } } };
            const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { x: "${list}" } };
            // YAML.stringify leaves ${list} unquoted, so the substituted text opens a flow sequence it never closes.
            const result = applyPostBuild(kustomization, [{ object, sourceFile: "c.yaml" }], [], "apps.yaml");
            assert.strictEqual(result.problems.length, 1, JSON.stringify(result.problems));
            assert.match(result.problems[0].message, /is not valid YAML once Kustomization flux-system\/apps's variables are substituted/);
        });

        it("copies a folder named like a tooling folder when it is not at the root (only the root's out/ is skipped)", () => {
            const root = mutatedCopy((r) => {
                fs.mkdirSync(path.join(r, "extra/out"), { recursive: true });
                fs.writeFileSync(path.join(r, "extra/out/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-out\n  namespace: guestbook\n");
            });
            try {
                const objects = new KustomizeBuilder(root).buildFlux("extra", { namePrefix: "x-" }).objects;
                assert.ok(
                    objects.some((o) => (o.object as any).metadata?.name === "x-from-out"),
                    objects.map((o) => (o.object as any).metadata?.name).join(", "),
                );
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        });

        it("evaluates the default forms as envsubst does", () => {
            const vars = new Map([
                ["set", "v"],
                ["empty", ""],
            ]);
            assert.strictEqual(substitute("${set:-d} ${unset:-d} ${empty:-d} ${empty-d} ${unset:=d} $set", vars).text, "v d d  d $set");
        });
    });

    describe("rules across objects catch mutated copies of the fixture", () => {
        const base = () => structuredClone(allObjects(render("production")));
        const ids = (objects: RenderedObject[], options = {}) => checkObjects(objects, options).map((p) => p.rule);
        const edit = (objects: RenderedObject[], kind: string, change: (o: any) => void) => {
            change(find(objects, kind).object);
            return objects;
        };

        it("pass on the fixture as it is", () => {
            const problems = checkObjects(base(), { serviceTypes: ["ClusterIP"] });
            assert.strictEqual(problems.length, 0, formatGitOpsProblems(problems));
        });

        const cases: [string, (o: RenderedObject[]) => RenderedObject[], string][] = [
            ["a Service whose selector matches no pod", (o) => edit(o, "Service", (s) => (s.spec.selector = { app: "guestbok" })), "service-targets-pod"],
            ["an HPA whose target does not exist", (o) => edit(o, "HorizontalPodAutoscaler", (h) => (h.spec.scaleTargetRef.name = "gone")), "horizontalpodautoscaler-has-target"],
            ["a PDB that selects no pod", (o) => edit(o, "PodDisruptionBudget", (p) => (p.spec.selector.matchLabels = { app: "other" })), "poddisruptionbudget-has-target"],
            [
                "a plain-text Secret",
                (o) => [...o, { object: { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "guestbook" }, data: { k: "dg==" } }, sourceFile: "s.yaml" }],
                "no-plaintext-secret",
            ],
            ["hostNetwork", (o) => edit(o, "Deployment", (d) => (d.spec.template.spec.hostNetwork = true)), "no-host-access"],
            ["a hostPath volume", (o) => edit(o, "Deployment", (d) => (d.spec.template.spec.volumes = [{ name: "h", hostPath: { path: "/var/run" } }])), "no-host-access"],
            ["a hostPort", (o) => edit(o, "Deployment", (d) => (d.spec.template.spec.containers[0].ports[0].hostPort = 8080)), "no-host-access"],
            [
                "a credential inline in env",
                (o) => edit(o, "Deployment", (d) => d.spec.template.spec.containers[0].env.push({ name: "DB_PASSWORD", value: "s3cr3t-value" })),
                "no-inline-credential",
            ],
            [
                "a URL with a password inline in env",
                (o) => edit(o, "Deployment", (d) => d.spec.template.spec.containers[0].env.push({ name: "DATABASE_URL", value: "postgres://app:pw@db:5432/app" })),
                "no-inline-credential",
            ],
            ["a chart version range", (o) => edit(o, "HelmRelease", (h) => (h.spec.chart.spec.version = "4.x")), "exact-artifact-version"],
            ["a chartRef OCIRepository on a semver range", (o) => edit(o, "OCIRepository", (r) => (r.spec.ref = { semver: ">=3.0.0" })), "exact-artifact-version"],
            ["a LoadBalancer where the environment allows ClusterIP only", (o) => edit(o, "Service", (s) => (s.spec.type = "LoadBalancer")), "service-type-policy"],
        ];
        for (const [what, mutate, rule] of cases) {
            it(`${what} [${rule}]`, () => {
                assert.deepStrictEqual(ids(mutate(base()), { serviceTypes: ["ClusterIP"] }), [rule]);
            });
        }

        it("allows host access by name, and accepts SOPS-encrypted Secrets and secretKeyRef", () => {
            const objects = edit(base(), "Deployment", (d) => {
                d.spec.template.spec.hostNetwork = true;
                d.spec.template.spec.containers[0].env.push({ name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "t", key: "t" } } });
            });
            objects.push({
                object: { apiVersion: "v1", kind: "Secret", metadata: { name: "s", namespace: "guestbook" }, data: { k: "ENC[AES256_GCM,data:x]" }, sops: { version: "3.9.0" } },
                sourceFile: "s.yaml",
            });
            assert.deepStrictEqual(ids(objects, { allowHostAccess: ["Deployment guestbook/guestbook"] }), []);
        });

        it("names a public id or says there is none, for every rule", () => {
            for (const rule of OBJECT_RULES) assert.ok(rule.mirrors.length > 0, rule.id);
        });

        it("never prints the value of an inline credential", () => {
            const objects = edit(base(), "Deployment", (d) => d.spec.template.spec.containers[0].env.push({ name: "DB_PASSWORD", value: "s3cr3t-value" }));
            assert.doesNotMatch(formatGitOpsProblems(checkObjects(objects)), /s3cr3t-value/);
        });
    });

    it("validateCluster reports no error and no warning on either environment", async () => {
        for (const env of ["staging", "production"]) {
            const report = await validateCluster(builder, `clusters/${env}`);
            const loud = report.problems.filter((p) => isError(p) || p.severity === "warning");
            assert.strictEqual(loud.length, 0, formatGitOpsProblems(loud));
        }
    });
});
