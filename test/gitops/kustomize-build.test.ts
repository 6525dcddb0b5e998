import * as assert from "assert";
import * as path from "path";
import { ENVIRONMENTS } from "../../gitops-checks/environments";
import { isComponent } from "../../gitops-checks/validate";
import { checkNoRemoteBases, checkYamlParses, findKustomizationDirs } from "../../gitops-checks/repository";
import { assertNoProblems, builder, CLOUDS_WITH_NOTHING_OF_THEIR_OWN, FIXTURES, ROOT } from "./support";

describe("gitops: sources", () => {
    const dirs = findKustomizationDirs(ROOT);

    it("finds every entry point and overlay to build", () => {
        for (const env of ENVIRONMENTS) {
            assert.ok(dirs.includes(`clusters/${env}`), `clusters/${env} has no kustomization.yaml`);
            assert.ok(dirs.includes(`apps/sample-app/overlays/${env}`), `apps/sample-app/overlays/${env} is missing`);
            assert.ok(dirs.includes(`infrastructure/controllers/${env}`), `infrastructure/controllers/${env} is missing`);
            assert.ok(dirs.includes(`infrastructure/configs/${env}`), `infrastructure/configs/${env} is missing`);
        }
        assert.ok(!dirs.some((d) => d.startsWith("test/")), "fixtures must never be discovered as GitOps content");
        assert.deepStrictEqual(
            dirs.filter((d) => isComponent(path.join(ROOT, d))),
            ["apps/sample-app/overlays/dev/upstream-token"],
            "the components, which only build inside the overlay that lists them",
        );
    });

    describe("every kustomization directory builds with real kustomize (kubectl kustomize)", () => {
        // A kustomize Component builds only inside a kustomization that lists it (as npm run
        // validate skips it): the sample app's is built through the dev overlay in sops.test.ts.
        for (const dir of dirs.filter((d) => !isComponent(path.join(ROOT, d)))) {
            it(dir, () => {
                const { result, problems } = builder.tryBuild(dir);
                assertNoProblems(problems);
                if (!CLOUDS_WITH_NOTHING_OF_THEIR_OWN.includes(dir)) assert.ok(result!.objects.length > 0, `${dir} renders no objects`);
            });
        }
    });

    it("every YAML file under apps/, clusters/ and infrastructure/ parses", () => {
        assertNoProblems(checkYamlParses(ROOT));
    });

    it("no kustomization refers to a remote base (Flux runs with --no-remote-bases=true)", () => {
        assertNoProblems(checkNoRemoteBases(ROOT));
    });

    describe("catches broken sources (fixtures)", () => {
        it("reports YAML that does not parse with its file and line", () => {
            const problems = checkYamlParses(ROOT, [`${FIXTURES}/broken-yaml`]);
            assert.strictEqual(problems.length, 1, JSON.stringify(problems));
            assert.strictEqual(problems[0].file, `${FIXTURES}/broken-yaml/deployment.yaml:10:18`);
            assert.match(problems[0].message, /^YAML does not parse: Nested mappings are not allowed/);
        });

        it("reports a kustomize build failure naming the directory and kustomize's reason", () => {
            const { problems } = builder.tryBuild(`${FIXTURES}/unbuildable`);
            assert.strictEqual(problems.length, 1);
            assert.strictEqual(problems[0].file, `${FIXTURES}/unbuildable`);
            const message = problems[0].message;
            assert.match(message, /^kustomize build failed: /);
            assert.ok(message.includes(`lstat ${FIXTURES}/unbuildable/deployment.yaml: no such file or directory`), message);
            // Paths are repository-relative, and the layer the builder's wrapper adds is not shown.
            assert.ok(!message.includes("../") && !message.includes("must resolve to a file"), message);
            assert.doesNotMatch(problems[0].message, /fluxpilot-kustomize-/, "the temporary wrapper must not leak into messages");
        });

        it("passes on kustomize's own YAML error with the file and line", () => {
            const { problems } = builder.tryBuild(`${FIXTURES}/broken-yaml`);
            assert.match(problems[0].message, /MalformedYAMLError: yaml: line 10: .* in File: deployment\.yaml$/);
        });

        it("reports a directory without kustomization.yaml", () => {
            const { problems } = builder.tryBuild(FIXTURES);
            assert.match(problems[0].message, /no kustomization\.yaml/);
        });

        it("reports a remote base with the fix", () => {
            const problems = checkNoRemoteBases(ROOT, [`${FIXTURES}/remote-base`]);
            assert.strictEqual(problems.length, 1);
            assert.strictEqual(problems[0].file, `${FIXTURES}/remote-base/kustomization.yaml`);
            assert.match(problems[0].message, /remote base; Flux runs with --no-remote-bases=true\. Vendor it/);
        });

        it("records the file each object was declared in, stripped of kustomize's origin annotation", () => {
            const { objects } = builder.build("apps/sample-app/overlays/prod");
            const deployment = objects.find((o) => o.object.kind === "Deployment")!;
            assert.strictEqual(deployment.sourceFile, "apps/sample-app/base/deployment.yaml via apps/sample-app/overlays/prod");
            // The app's namespace is the platform's (infra-tenants), declared beside its RoleBinding.
            const namespace = builder.build("infrastructure/tenants/prod").objects.find((o) => o.object.kind === "Namespace")!;
            assert.strictEqual(namespace.sourceFile, "infrastructure/tenants/prod/sample-app-namespace.yaml");
            for (const { object } of objects) {
                assert.strictEqual((object as any).metadata?.annotations?.["config.kubernetes.io/origin"], undefined);
            }
        });
    });
});
