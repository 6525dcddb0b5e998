import * as assert from "assert";
import { ENVIRONMENTS } from "../../gitops-checks/environments";
import { checkNoLatestTag, checkUniqueNames, OwnedObject } from "../../gitops-checks/hygiene";
import { formatGitOpsProblems } from "../../gitops-checks/problems";
import { assertNoProblems, builder, FIXTURES, objectsOf } from "./support";

describe("gitops: names and tags", () => {
    for (const env of ENVIRONMENTS) {
        it(`${env}: names are unique per kind and namespace across every Kustomization`, () => {
            assertNoProblems(checkUniqueNames(objectsOf(env)));
        });

        it(`${env}: no latest tag anywhere (images, Helm values, tags)`, () => {
            assertNoProblems(checkNoLatestTag(objectsOf(env)));
        });
    }

    it("reports an object declared twice, with both files and both owners", () => {
        const deployment = objectsOf("prod").find((o) => o.object.kind === "Deployment")!;
        const copy: OwnedObject = { ...structuredClone(deployment), sourceFile: "apps/other/deployment.yaml", owner: "flux-system/other" };
        const [problem] = checkUniqueNames([deployment, copy]);
        assert.strictEqual(problem.object, "Deployment sample-app-prod/sample-app");
        assert.match(
            problem.message,
            /declared twice: also in apps\/sample-app\/base\/deployment.yaml via apps\/sample-app\/overlays\/prod \(applied by flux-system\/sample-app; this one by flux-system\/other\)/,
        );
    });

    it("tells apart the same name in another namespace or API group", () => {
        const deployment = objectsOf("prod").find((o) => o.object.kind === "Deployment")!;
        const otherNamespace = structuredClone(deployment);
        (otherNamespace.object as any).metadata.namespace = "elsewhere";
        assert.deepStrictEqual(checkUniqueNames([deployment, otherNamespace]), []);
    });

    it("finds latest in an image, a Helm value and a kustomize tag (the broken overlay)", () => {
        const release = structuredClone(objectsOf("prod").find((o) => o.object.kind === "HelmRelease")!);
        (release.object as any).spec.values.grafana.image = { repository: "grafana/grafana", tag: "latest" };
        const text = formatGitOpsProblems([...checkNoLatestTag([release]), ...checkNoLatestTag(builder.build(`${FIXTURES}/broken-overlay`).objects)]);
        assert.match(text, /HelmRelease flux-system\/kube-prometheus-stack: spec.values.grafana.image.tag is "latest"/);
        assert.match(text, /Deployment sample-app-broken\/sample-app: spec.template.spec.containers\[0\].image is "ghcr.io\/stefanprodan\/podinfo:latest"/);
    });

    it("does not mistake other uses of the word for a tag", () => {
        const namespace = objectsOf("prod").find((o) => o.object.kind === "Namespace" && (o.object as any).metadata?.labels?.["pod-security.kubernetes.io/enforce-version"])!;
        assert.deepStrictEqual(checkNoLatestTag([namespace]), []);
    });
});
