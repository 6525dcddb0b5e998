/**
 * cluster-autoscaler through Flux (issue 12 item 4): installed on EKS clusters only, chosen per
 * cluster by a Flux Kustomization whose path is ./infrastructure/cloud/${cluster_cloud}; the render
 * and checks follow that substituted path per cluster; the chart and image stay in step with
 * core/versions.ts and with the EKS clusters' Kubernetes version.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CLUSTER_AUTOSCALER_ACCOUNT } from "../../components/clusters/eks/cluster-autoscaler";
import { CLUSTER_AUTOSCALER_CHART_VERSION, CLUSTER_AUTOSCALER_IMAGE_TAGS } from "../../core/versions";
import { listStacks } from "../../cli/shared/stack-file";
import { checkEntryContract } from "../../gitops-checks/flux";
import { KustomizeBuilder } from "../../gitops-checks/kustomize";
import { planFactsSource } from "../../gitops-checks/plan-facts";
import { explicitSource } from "../../gitops-checks/postbuild";
import { allObjects, renderCluster, renderEnvironment, RenderedEnvironment } from "../../gitops-checks/render";
import { Environment } from "../../gitops-checks/environments";
import { builder, factsOf, planOf, ROOT } from "./support";

const ENVIRONMENTS: readonly Environment[] = ["dev", "staging", "prod", "local"];

/** Each cluster of an environment rendered with its own facts, as `npm run render` does. */
function perCluster(env: Environment): { cluster: string; cloud: string; region: string; rendered: RenderedEnvironment }[] {
    return factsOf(env).map((facts) => ({
        cluster: facts.cluster,
        cloud: facts.data.cluster_cloud,
        region: facts.data.cluster_region,
        rendered: renderEnvironment(builder, env, { substitutionSources: [planFactsSource(facts)] }),
    }));
}

// Rendered manifests are read as plain JSON here (tests may, eslint.config.mjs).
type Manifest = any;

function autoscalerRelease(rendered: RenderedEnvironment): Manifest {
    return allObjects(rendered).find((o) => o.object.kind === "HelmRelease" && (o.object as Manifest).metadata.name === "cluster-autoscaler")?.object;
}

describe("gitops: cluster-autoscaler on EKS only (issue 12 item 4)", () => {
    for (const env of ENVIRONMENTS) {
        it(`${env}: every cluster applies ./infrastructure/cloud/<its cloud>, and only EKS clusters get cluster-autoscaler, with their own name and region`, () => {
            for (const { cluster, cloud, region, rendered } of perCluster(env)) {
                assert.deepStrictEqual(rendered.problems, [], `${cluster}: render problems`);
                const selected = rendered.kustomizations.find((k) => k.name === `infra-cloud-${cloud}`);
                assert.ok(selected, `${cluster}: infra-cloud-${cloud} is rendered`);
                assert.strictEqual(selected.path, `infrastructure/cloud/${cloud}`);
                assert.strictEqual(rendered.entry.kustomizations.find((k) => k.name === `infra-cloud-${cloud}`)?.appliedBy, "flux-system/infra-cloud");
                // Right after the Kustomization that declares it.
                const names = rendered.kustomizations.map((k) => k.name);
                assert.strictEqual(names.indexOf(`infra-cloud-${cloud}`), names.indexOf("infra-cloud") + 1);
                const release = autoscalerRelease(rendered);
                if (cloud !== "aws") {
                    assert.strictEqual(release, undefined, `${cluster} (${cloud}) must not run cluster-autoscaler: its cloud scales the pools itself`);
                    continue;
                }
                assert.ok(release, `${cluster} runs cluster-autoscaler`);
                assert.strictEqual(release.spec.values.autoDiscovery.clusterName, cluster);
                assert.strictEqual(release.spec.values.awsRegion, region);
                assert.strictEqual(release.spec.values.cloudProvider, "aws");
            }
        });
    }

    it("prod: prod-eks renders the autoscaler, prod-gke and prod-aks do not; local (an adopted cluster) does not", () => {
        const prod = Object.fromEntries(perCluster("prod").map((c) => [c.cluster, autoscalerRelease(c.rendered) !== undefined]));
        assert.deepStrictEqual(prod, { "prod-eks": true, "prod-gke": false, "prod-aks": false });
        assert.deepStrictEqual(
            perCluster("local").map((c) => autoscalerRelease(c.rendered)),
            [undefined],
        );
    });

    it("runs as the service account Pulumi's Pod Identity association names, in kube-system, system-cluster-critical", () => {
        const release = autoscalerRelease(perCluster("dev")[0].rendered);
        assert.strictEqual(release.spec.targetNamespace, CLUSTER_AUTOSCALER_ACCOUNT.namespace);
        assert.deepStrictEqual(release.spec.values.rbac.serviceAccount, { create: true, name: CLUSTER_AUTOSCALER_ACCOUNT.serviceAccount });
        // Pod Identity needs no annotation; an IRSA one would point at a role nobody created.
        assert.strictEqual(release.spec.values.rbac.serviceAccount.annotations, undefined);
        assert.strictEqual(release.spec.values.priorityClassName, "system-cluster-critical");
        assert.strictEqual(release.spec.values.extraArgs["balance-similar-node-groups"], true);
    });

    it("meets the workload baseline the Kyverno policies enforce: non-root, RuntimeDefault, read-only root, no escalation, ALL dropped, requests and limits", () => {
        const { values } = autoscalerRelease(perCluster("dev")[0].rendered).spec;
        assert.strictEqual(values.securityContext.runAsNonRoot, true);
        assert.deepStrictEqual(values.securityContext.seccompProfile, { type: "RuntimeDefault" });
        assert.deepStrictEqual(values.containerSecurityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        for (const kind of ["requests", "limits"]) for (const resource of ["cpu", "memory"]) assert.ok(values.resources[kind][resource], `resources.${kind}.${resource}`);
    });

    it("pins the chart version of core/versions.ts", () => {
        const release = autoscalerRelease(perCluster("dev")[0].rendered);
        assert.strictEqual(release.spec.chart.spec.version, CLUSTER_AUTOSCALER_CHART_VERSION);
        assert.strictEqual(release.spec.chart.spec.chart, "cluster-autoscaler");
    });

    it("runs the image whose minor is the Kubernetes minor of every EKS cluster in the stacks (their docs: match the cluster's minor)", () => {
        const release = autoscalerRelease(perCluster("dev")[0].rendered);
        const tag = String(release.spec.values.image.tag);
        const versions = listStacks(ROOT).flatMap((stack) =>
            (planOf(stack) as { resources: { type: string; name: string; inputs: { version?: string } }[] }).resources
                .filter((r) => r.type === "aws:eks/cluster:Cluster")
                .map((r) => ({ stack, cluster: r.name, version: String(r.inputs.version) })),
        );
        assert.ok(versions.length >= 3, "the dev, staging and prod stacks have EKS clusters");
        for (const { stack, cluster, version } of versions) {
            const expected = CLUSTER_AUTOSCALER_IMAGE_TAGS[version as keyof typeof CLUSTER_AUTOSCALER_IMAGE_TAGS];
            assert.strictEqual(
                tag,
                expected,
                `${cluster} (stack ${stack}) runs Kubernetes ${version}: set image.tag in infrastructure/cloud/aws/cluster-autoscaler/release.yaml to ${String(expected)} (core/versions.ts)`,
            );
        }
    });
});

describe("gitops: the render follows Flux Kustomizations declared by content", () => {
    let root: string;
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    };
    const kustomization = (name: string, kpath: string, extra = "") =>
        `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  serviceAccountName: kustomize-controller
  sourceRef:
    kind: GitRepository
    name: flux-system
  path: ${kpath}
  interval: 1h
  retryInterval: 2m
  timeout: 5m
  prune: true
  wait: true
${extra}`;
    const facts = "  postBuild:\n    substituteFrom:\n      - kind: ConfigMap\n        name: facts\n";
    const render = (cloud?: string) =>
        renderCluster(new KustomizeBuilder(root), "clusters/test", {
            substitutionSources: [explicitSource("the test", cloud === undefined ? {} : { "ConfigMap/flux-system/facts": { cloud } })],
        });

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-nested-"));
        write("clusters/test/kustomization.yaml", "resources: [select.yaml]\n");
        write("clusters/test/select.yaml", kustomization("infra-select", "./select", facts));
        write("select/kustomization.yaml", "resources: [cloud.yaml]\n");
        write("select/cloud.yaml", kustomization("infra-cloud-${cloud}", "./cloud/${cloud}", facts));
        write("cloud/aws/kustomization.yaml", "resources: [config.yaml]\n");
        write("cloud/aws/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: only-on-${cloud}\n  namespace: flux-system\ndata:\n  cloud: ${cloud}\n");
        write("cloud/gcp/kustomization.yaml", "resources: []\n");
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("renders the path a fact selects, with the nested Kustomization's own postBuild", () => {
        const aws = render("aws");
        assert.deepStrictEqual(aws.problems, []);
        assert.deepStrictEqual(
            aws.kustomizations.map((k) => `${k.name} <- ${k.path}`),
            ["flux-system <- clusters/test", "infra-select <- select", "infra-cloud-aws <- cloud/aws"],
        );
        assert.deepStrictEqual(
            aws.kustomizations[2].objects.map((o) => o.object.metadata),
            [{ name: "only-on-aws", namespace: "flux-system" }],
        );
        const gcp = render("gcp");
        assert.deepStrictEqual(gcp.problems, []);
        assert.deepStrictEqual(
            gcp.kustomizations.map((k) => `${k.name} <- ${k.path} (${k.objects.length})`),
            ["flux-system <- clusters/test (1)", "infra-select <- select (1)", "infra-cloud-gcp <- cloud/gcp (0)"],
        );
    });

    it("a cloud without a folder is an error naming the path, not a silently empty render", () => {
        const problems = render("azure").problems.map((p) => `${p.object}: ${p.message}`);
        assert.strictEqual(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /^Kustomization flux-system\/infra-cloud-azure: spec\.path "\.\/cloud\/azure": /);
    });

    it("a path whose variable has no value is reported, with the Kustomization whose postBuild lacks it", () => {
        const problems = render(undefined).problems.map((p) => p.message);
        assert.ok(
            problems.some(
                (m) =>
                    m ===
                    `spec.path "./cloud/\${cloud}" still holds \${cloud}: flux-system/infra-select's postBuild gives it no value, so Flux would look for a folder of that name`,
            ),
            problems.join("\n"),
        );
        // The missing ConfigMap itself is reported by the postBuild check as before.
        assert.ok(problems.some((m) => /substituteFrom ConfigMap flux-system\/facts is neither in the render/.test(m)));
    });

    it("a variable in a path of the entry point is refused: the root Kustomization does not substitute", () => {
        write("clusters/test/select.yaml", kustomization("infra-select", "./cloud/${cloud}", facts));
        assert.throws(
            () => render("aws"),
            (error: Error & { problems?: { message: string }[] }) =>
                (error.problems ?? []).some((p) =>
                    /spec\.path "\.\/cloud\/\$\{cloud\}" still holds \$\{cloud\}: it is applied by the root Kustomization flux-system, which does not substitute/.test(p.message),
                ),
        );
    });

    it("the entry contract applies to the nested Kustomization too", () => {
        write("select/cloud.yaml", kustomization("infra-cloud-${cloud}", "./cloud/${cloud}", facts).replace("prune: true", "prune: false"));
        const rendered = render("aws");
        const messages = checkEntryContract(rendered.entry).map((p) => `${p.object}: ${p.message}`);
        assert.deepStrictEqual(messages, ["Kustomization flux-system/infra-cloud-aws: spec.prune must be true so that objects removed from Git are removed from the cluster"]);
    });

    it("a nested Kustomization with the name of one already declared is reported once, not rendered twice", () => {
        write("select/cloud.yaml", kustomization("infra-select", "./cloud/${cloud}", facts));
        const rendered = render("aws");
        assert.deepStrictEqual(
            rendered.problems.map((p) => p.message),
            ["a Flux Kustomization with this name is declared twice (again by flux-system/infra-select)"],
        );
        assert.deepStrictEqual(
            rendered.kustomizations.map((k) => k.name),
            ["flux-system", "infra-select"],
        );
    });
});
