import * as assert from "assert";
import { ENVIRONMENTS } from "../../gitops-checks/environments";
import { RenderedObject } from "../../gitops-checks/kustomize";
import { checkDnsEgress } from "../../gitops-checks/network";
import { formatGitOpsProblems } from "../../gitops-checks/problems";
import { checkWorkloadRule, checkWorkloads, findWorkloads, imageTag, labelSelectorMatches, WORKLOAD_RULES } from "../../gitops-checks/workload-rules";
import { assertNoProblems, builder, FIXTURES, objectsOf } from "./support";

/**
 * The rule baseline (test/gitops/fixtures/rule-baseline, a frozen copy of the prod sample-app that
 * passes every rule), with its Deployment (and what else the mutation needs) changed. The rules'
 * self-tests read only this fixture, so a broken live base fails only the tests about the live content.
 */
function mutatedProd(mutate: (deployment: any, objects: RenderedObject[]) => RenderedObject[] | void): RenderedObject[] {
    const objects = structuredClone(builder.build(`${FIXTURES}/rule-baseline/overlays/prod`).objects);
    const deployment = objects.find((o) => o.object.kind === "Deployment")!.object;
    return mutate(deployment, objects) ?? objects;
}

const container = (d: any) => d.spec.template.spec.containers[0];

/** For each rule, a one-line break of the baseline's Deployment that the rule must catch. */
const BREAKS: Record<string, (d: any, objects: RenderedObject[]) => RenderedObject[] | void> = {
    CKV_K8S_8: (d) => void delete container(d).livenessProbe,
    CKV_K8S_9: (d) => void delete container(d).readinessProbe,
    CKV_K8S_10: (d) => void delete container(d).resources.requests.cpu,
    CKV_K8S_11: (d) => void delete container(d).resources.limits.cpu,
    CKV_K8S_12: (d) => void delete container(d).resources.requests.memory,
    CKV_K8S_13: (d) => void delete container(d).resources.limits.memory,
    CKV_K8S_14: (d) => void (container(d).image = "ghcr.io/stefanprodan/podinfo"),
    CKV_K8S_16: (d) => void (container(d).securityContext.privileged = true),
    CKV_K8S_20: (d) => void delete container(d).securityContext.allowPrivilegeEscalation,
    CKV_K8S_22: (d) => void (container(d).securityContext.readOnlyRootFilesystem = false),
    CKV_K8S_23: (d) => void (container(d).securityContext.runAsUser = 0),
    CKV_K8S_31: (d) => {
        d.spec.template.spec.securityContext.seccompProfile = { type: "Unconfined" };
        container(d).securityContext.seccompProfile = { type: "Unconfined" };
    },
    CKV_K8S_37: (d) => void (container(d).securityContext.capabilities = { drop: ["ALL"], add: ["SYS_ADMIN"] }),
    CKV_K8S_38: (d) => void (d.spec.template.spec.automountServiceAccountToken = true),
    CKV_K8S_21: (d) => void (d.metadata.namespace = "default"),
    "deployment-has-poddisruptionbudget": (_d, objects) => objects.filter((o) => o.object.kind !== "PodDisruptionBudget"),
    "pod-networkpolicy": (_d, objects) => objects.filter((o) => o.object.kind !== "NetworkPolicy"),
    "deployment-targeted-by-hpa-does-not-have-replicas-configured": (d) => void (d.spec.replicas = 3),
};

describe("gitops: workload rules", () => {
    it("the rule baseline fixture passes every rule, so each break below is the only problem", () => {
        assertNoProblems([...checkWorkloads(mutatedProd(() => undefined)), ...checkDnsEgress(mutatedProd(() => undefined))]);
    });

    for (const env of ENVIRONMENTS) {
        it(`${env}: the rules have workloads to check (sample-app's Deployment is among them)`, () => {
            const names = findWorkloads(objectsOf(env)).map((w) => `${w.kind} ${w.namespace}/${w.name}`);
            assert.ok(names.includes(`Deployment sample-app-${env}/sample-app`), names.join(", "));
        });
    }

    for (const rule of WORKLOAD_RULES) {
        describe(`${rule.id}: ${rule.title} (${rule.mirrors})`, () => {
            for (const env of ENVIRONMENTS) {
                it(`${env}: every rendered workload passes`, () => {
                    assertNoProblems(checkWorkloadRule(rule, objectsOf(env)));
                });
            }
            it("catches a workload that breaks it", () => {
                const breakIt = BREAKS[rule.id];
                assert.ok(breakIt, `no break defined for ${rule.id}: add one to BREAKS`);
                const problems = checkWorkloadRule(rule, mutatedProd(breakIt));
                assert.ok(problems.length > 0, `${rule.id} did not catch its break`);
                assert.ok(problems.every((p) => p.rule === rule.id && p.object?.startsWith("Deployment ")));
            });
        });
    }

    // The healthy service account (CKV_K8S_38) can also come from the ServiceAccount itself.
    it("CKV_K8S_38 accepts a service account that disables automount when the pod does not say", () => {
        const rule = WORKLOAD_RULES.find((r) => r.id === "CKV_K8S_38")!;
        const objects = mutatedProd((d) => void delete d.spec.template.spec.automountServiceAccountToken);
        assert.deepStrictEqual(checkWorkloadRule(rule, objects), []);
        const withoutAccount = objects.filter((o) => o.object.kind !== "ServiceAccount");
        assert.match(checkWorkloadRule(rule, withoutAccount)[0].message, /mounts a token of service account sample-app/);
    });

    it("pod-networkpolicy wants both directions covered: an ingress-only policy leaves egress open", () => {
        const rule = WORKLOAD_RULES.find((r) => r.id === "pod-networkpolicy")!;
        const objects = mutatedProd((_d, all) =>
            all
                .filter((o) => o.object.kind !== "NetworkPolicy" || (o.object as any).metadata.name === "sample-app")
                .map((o) => {
                    if (o.object.kind === "NetworkPolicy") {
                        (o.object as any).spec.policyTypes = ["Ingress"];
                        delete (o.object as any).spec.egress;
                    }
                    return o;
                }),
        );
        const problems = checkWorkloadRule(rule, objects);
        assert.deepStrictEqual(
            problems.map((p) => p.message),
            ["no NetworkPolicy selecting its pods restricts Egress"],
        );
    });

    it("checks a CronJob's pod template, without asking run-to-completion pods for probes", () => {
        const cronJob = mutatedProd((d, objects) => {
            const template = structuredClone(d.spec.template);
            delete template.spec.containers[0].livenessProbe;
            delete template.spec.containers[0].readinessProbe;
            delete template.spec.containers[0].resources.limits;
            const job = {
                apiVersion: "batch/v1",
                kind: "CronJob",
                metadata: { name: "report", namespace: d.metadata.namespace },
                spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template } } },
            };
            return [...objects.filter((o) => o.object.kind !== "Deployment"), { object: job, sourceFile: "apps/report/cronjob.yaml" }];
        });
        const rules = [...new Set(checkWorkloads(cronJob).map((p) => `${p.rule} ${p.object}`))].sort();
        assert.deepStrictEqual(rules, ["CKV_K8S_11 CronJob sample-app-prod/report", "CKV_K8S_13 CronJob sample-app-prod/report"]);
    });

    it("the PDB rule needs a budget only above one replica, and refuses one that blocks every disruption", () => {
        const rule = WORKLOAD_RULES.find((r) => r.id === "deployment-has-poddisruptionbudget")!;
        const single = mutatedProd((_d, objects) =>
            objects
                .filter((o) => o.object.kind !== "PodDisruptionBudget")
                .map((o) => (o.object.kind === "HorizontalPodAutoscaler" ? { ...o, object: { ...o.object, spec: { ...(o.object as any).spec, minReplicas: 1 } } } : o)),
        );
        assert.deepStrictEqual(checkWorkloadRule(rule, single), [], "one replica: no budget is needed");
        const blocking = mutatedProd((_d, objects) => {
            const pdb: any = objects.find((o) => o.object.kind === "PodDisruptionBudget")!.object;
            pdb.spec = { minAvailable: "100%", selector: pdb.spec.selector };
        });
        assert.match(checkWorkloadRule(rule, blocking)[0].message, /allows no disruption at 3 replicas/);
    });

    describe("a default-deny NetworkPolicy still lets the pods resolve names", () => {
        for (const env of ENVIRONMENTS) {
            it(`${env}: every workload whose egress is restricted can reach the cluster DNS on UDP and TCP 53`, () => {
                assertNoProblems(checkDnsEgress(objectsOf(env)));
            });
        }

        const appPolicy = (objects: RenderedObject[]): any => objects.find((o) => o.object.kind === "NetworkPolicy" && (o.object as any).metadata.name === "sample-app")!.object;

        it("catches a policy that drops the DNS allow, naming the policies and the fix", () => {
            const objects = mutatedProd((_d, all) => void delete appPolicy(all).spec.egress);
            const [problem, ...rest] = checkDnsEgress(objects);
            assert.deepStrictEqual(rest, []);
            assert.strictEqual(problem.object, "Deployment sample-app-prod/sample-app");
            assert.match(problem.message, /^NetworkPolicies default-deny-all, sample-app restrict its egress but allow no DNS over UDP and TCP port 53 to the cluster DNS/);
        });

        it("catches DNS allowed over TCP only, or to the wrong pods", () => {
            const tcpOnly = mutatedProd((_d, all) => {
                const rule = appPolicy(all).spec.egress[0];
                rule.ports = rule.ports.filter((p: any) => p.protocol === "TCP");
            });
            assert.match(checkDnsEgress(tcpOnly)[0].message, /allow no DNS over UDP port 53/);
            const wrongPods = mutatedProd((_d, all) => void (appPolicy(all).spec.egress[0].to[0].podSelector = { matchLabels: { app: "dns" } }));
            assert.match(checkDnsEgress(wrongPods)[0].message, /allow no DNS over UDP and TCP port 53/);
        });

        it("has nothing to say about pods whose egress is open", () => {
            const open = mutatedProd((_d, all) => all.filter((o) => o.object.kind !== "NetworkPolicy"));
            assert.deepStrictEqual(checkDnsEgress(open), []);
        });
    });

    describe("the deliberately broken overlay (test/gitops/fixtures/broken-overlay)", () => {
        const problems = () => checkWorkloads(builder.build(`${FIXTURES}/broken-overlay`).objects);

        it("is caught under every rule it breaks, and no other", () => {
            const rules = [...new Set(problems().map((p) => p.rule))].sort();
            assert.deepStrictEqual(rules, [
                "CKV_K8S_11",
                "CKV_K8S_13",
                "CKV_K8S_14",
                "CKV_K8S_20",
                "CKV_K8S_22",
                "CKV_K8S_23",
                "CKV_K8S_37",
                "CKV_K8S_8",
                "deployment-has-poddisruptionbudget",
                "deployment-targeted-by-hpa-does-not-have-replicas-configured",
                "pod-networkpolicy",
            ]);
        });

        it("names the file, the overlay, the object, the container and the rule", () => {
            const text = formatGitOpsProblems(problems());
            const where = `${FIXTURES}/rule-baseline/base/deployment.yaml via ${FIXTURES}/broken-overlay: Deployment sample-app-broken/sample-app:`;
            assert.ok(text.includes(`${where} container podinfo: no livenessProbe [CKV_K8S_8]`), text);
            assert.ok(text.includes(`${where} container podinfo: image "ghcr.io/stefanprodan/podinfo:latest" uses the latest tag [CKV_K8S_14]`), text);
            assert.ok(text.includes(`${where} runs at least 3 replicas but no PodDisruptionBudget selects its pods [deployment-has-poddisruptionbudget]`), text);
            assert.ok(text.includes(`${where} no NetworkPolicy selects its pods [pod-networkpolicy]`), text);
        });
    });

    describe("helpers", () => {
        it("reads image tags, with registries that have ports and digests", () => {
            assert.deepStrictEqual(imageTag("ghcr.io/stefanprodan/podinfo:6.7.0"), { tag: "6.7.0", digest: false });
            assert.deepStrictEqual(imageTag("registry:5000/team/app"), { tag: "", digest: false });
            assert.deepStrictEqual(imageTag("registry:5000/team/app@sha256:abc"), { tag: "", digest: true });
        });

        it("matches label selectors with matchLabels and every matchExpressions operator", () => {
            const labels = { app: "web", tier: "front" };
            assert.ok(labelSelectorMatches({}, labels), "an empty selector selects every pod");
            assert.ok(labelSelectorMatches({ matchLabels: { app: "web" } }, labels));
            assert.ok(!labelSelectorMatches({ matchLabels: { app: "api" } }, labels));
            assert.ok(labelSelectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["front"] }] }, labels));
            assert.ok(!labelSelectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, labels));
            assert.ok(labelSelectorMatches({ matchExpressions: [{ key: "app", operator: "Exists" }] }, labels));
            assert.ok(!labelSelectorMatches({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, labels));
            assert.ok(!labelSelectorMatches(undefined, labels), "a missing selector selects nothing");
        });
    });
});
