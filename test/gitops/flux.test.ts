import * as assert from "assert";
import { ENVIRONMENTS } from "../../gitops-checks/environments";
import {
    applyOrder,
    checkEntryContract,
    checkFluxGraph,
    checkFluxObjects,
    checkFluxPilotObjects,
    FluxKustomization,
    loadClusterEntry,
    normalizeFluxPath,
} from "../../gitops-checks/flux";
import { formatGitOpsProblems } from "../../gitops-checks/problems";
import { findWorkloads, labelSelectorMatches } from "../../gitops-checks/workload-rules";
import { fluxComponents } from "../../core/flux";
import { checkNamespacesExist } from "../../gitops-checks/namespaces";
import { checkObjects } from "../../gitops-checks/object-rules";
import { renderCluster } from "../../gitops-checks/render";
import { assertNoProblems, builder, FIXTURES, objectsOf, rendering } from "./support";

/** Names of everything `k` depends on, directly or not. */
function dependencies(k: FluxKustomization, all: readonly FluxKustomization[]): Set<string> {
    const found = new Set<string>();
    const visit = (current: FluxKustomization) => {
        for (const d of current.dependsOn) {
            if (found.has(d.name)) continue;
            found.add(d.name);
            const next = all.find((x) => x.name === d.name);
            if (next) visit(next);
        }
    };
    visit(k);
    return found;
}

describe("gitops: Flux entry points", () => {
    for (const env of ENVIRONMENTS) {
        describe(`clusters/${env}`, () => {
            it("every Kustomization path exists and builds, every dependsOn exists, no cycle", () => {
                const entry = loadClusterEntry(builder, `clusters/${env}`);
                assert.ok(entry.kustomizations.length > 0, "declares no Flux Kustomization");
                assertNoProblems(checkFluxGraph(builder, entry));
            });

            it("keeps the bootstrap contract: flux-system namespace and source, kustomize-controller account, prune, wait, timeouts", () => {
                assertNoProblems(checkEntryContract(rendering(env).entry));
            });

            it("applies infrastructure controllers, then infrastructure configs, then apps", () => {
                const all = rendering(env).entry.kustomizations;
                // infrastructure/cloud/ installs controllers too (cluster-autoscaler on EKS), and depends on nothing.
                const layer = (k: FluxKustomization) =>
                    k.path.startsWith("infrastructure/controllers/") || k.path.startsWith("infrastructure/cloud/")
                        ? 0
                        : k.path.startsWith("infrastructure/configs/") || k.path.startsWith("infrastructure/tenants/")
                          ? 1
                          : k.path.startsWith("apps/")
                            ? 2
                            : -1;
                for (const k of all) {
                    assert.notStrictEqual(layer(k), -1, `${k.name} applies ${k.path}, outside infrastructure/ and apps/`);
                    const deps = [...dependencies(k, all)].map((name) => all.find((x) => x.name === name)!);
                    for (const lower of [0, 1].filter((l) => l < layer(k))) {
                        assert.ok(
                            deps.some((d) => layer(d) === lower),
                            `${k.name} (${k.path}) must depend, directly or not, on the ${lower === 0 ? "infrastructure controllers" : "infrastructure configs"}`,
                        );
                    }
                }
                const order = applyOrder(all).map(layer);
                assert.deepStrictEqual(
                    order,
                    [...order].sort(),
                    `apply order: ${applyOrder(all)
                        .map((k) => k.name)
                        .join(", ")}`,
                );
            });

            it(`applies this environment's own folders (…/${env})`, () => {
                for (const k of rendering(env).entry.kustomizations) {
                    // Declared by content: the folder of the cluster's cloud (infrastructure/cloud/<env> selects it).
                    if (k.appliedBy) assert.match(k.path, /^infrastructure\/cloud\/(aws|gcp|azure|existing)$/, `${k.name} applies ${k.path}`);
                    else assert.ok(k.path.endsWith(`/${env}`), `${k.name} applies ${k.path} in clusters/${env}`);
                }
                assert.ok(
                    rendering(env).entry.kustomizations.some((k) => k.path === `apps/sample-app/overlays/${env}`),
                    "sample-app is not deployed",
                );
            });

            it("creates every namespace before anything is applied into it (same Kustomization, or one it depends on)", () => {
                assertNoProblems(checkNamespacesExist(rendering(env)));
            });

            it("uses GA Flux APIs only, HelmReleases run as helm-controller with a same-namespace source and a pinned chart", () => {
                assertNoProblems(checkFluxObjects(objectsOf(env)));
            });
        });
    }

    describe("infrastructure per environment", () => {
        // Per environment; what only one cloud's clusters get (infra-cloud-<cloud>) is cluster-autoscaler.test.ts'.
        const releases = (env: (typeof ENVIRONMENTS)[number]) =>
            objectsOf(env)
                .filter((o) => o.object.kind === "HelmRelease" && !o.owner.startsWith("flux-system/infra-cloud-"))
                .map((o) => (o.object as any).metadata.name)
                .sort();
        const policyActions = (env: (typeof ENVIRONMENTS)[number]) =>
            new Set(
                objectsOf(env)
                    .filter((o) => o.object.kind === "ClusterPolicy")
                    .flatMap((o) => (o.object as any).spec.rules.map((r: any) => r.validate?.failureAction)),
            );

        for (const env of ["staging", "prod"] as const) {
            it(`${env} gets monitoring and enforced policies, and scrapes Flux`, () => {
                assert.deepStrictEqual(releases(env), ["kube-prometheus-stack", "kyverno"]);
                assert.deepStrictEqual([...policyActions(env)], ["Enforce"]);
                const monitor: any = objectsOf(env).find((o) => o.object.kind === "PodMonitor")?.object;
                assert.ok(monitor, "no PodMonitor for Flux");
                assert.deepStrictEqual(monitor.spec.namespaceSelector.matchNames, ["flux-system"]);
                // Flux labels each controller's pods app=<controller>; every one the installers offer is scraped.
                for (const component of fluxComponents) {
                    assert.ok(labelSelectorMatches(monitor.spec.selector, { app: component }), `the PodMonitor does not select ${component}`);
                }
            });

            it(`${env}: Prometheus picks up the Flux PodMonitor and leaves alone what managed control planes hide`, () => {
                const values = (objectsOf(env).find((o) => o.object.kind === "HelmRelease" && (o.object as any).metadata.name === "kube-prometheus-stack")!.object as any).spec
                    .values;
                // Without this the chart's Prometheus selects only PodMonitors labelled with its release.
                assert.strictEqual(values.prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues, false);
                for (const component of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) {
                    assert.strictEqual(values[component]?.enabled, false, `${component} is scraped: on EKS, GKE and AKS its target is unreachable and its alert never clears`);
                }
            });
        }
        for (const env of ["dev", "local"] as const) {
            it(`${env} gets the lighter set: policies in Audit mode, no monitoring stack`, () => {
                assert.deepStrictEqual(releases(env), ["kyverno"]);
                assert.deepStrictEqual([...policyActions(env)], ["Audit"]);
            });
        }
        it("every workload rule has a cluster policy (8 ClusterPolicies in every environment)", () => {
            for (const env of ENVIRONMENTS) {
                assert.strictEqual(objectsOf(env).filter((o) => o.object.kind === "ClusterPolicy").length, 8, env);
            }
        });
        it("every cluster policy has one rule, excludes the platform namespaces only, and checks init containers as the offline rules do", () => {
            // Kubernetes creates these; Flux's bootstrap creates flux-system; kind creates local-path-storage.
            const builtIn = ["kube-system", "kube-public", "kube-node-lease", "flux-system"];
            const providedByCluster: Record<string, string[]> = { local: ["local-path-storage"] };
            for (const env of ENVIRONMENTS) {
                const policies = objectsOf(env)
                    .filter((o) => o.object.kind === "ClusterPolicy")
                    .map((o) => o.object);
                const appNamespaces = new Set(findWorkloads(objectsOf(env)).map((w) => w.namespace));
                for (const policy of policies as any[]) {
                    const where = `${env}: ClusterPolicy ${policy.metadata!.name}`;
                    // dev and local switch to Audit, and the exclusions are added, through rules/0.
                    assert.strictEqual(policy.spec.rules.length, 1, where);
                    const [rule] = policy.spec.rules;
                    const excluded: string[] = rule.exclude?.any?.[0]?.resources?.namespaces ?? [];
                    for (const platform of ["kube-system", "flux-system", "kyverno", ...(env === "staging" || env === "prod" ? ["monitoring"] : [])]) {
                        assert.ok(excluded.includes(platform), `${where} does not exclude ${platform}`);
                    }
                    // An excluded namespace nobody has created yet is free for anyone to claim, policy-free.
                    const existing = new Set([
                        ...builtIn,
                        ...(providedByCluster[env] ?? []),
                        ...objectsOf(env)
                            .filter((o) => o.object.kind === "Namespace")
                            .map((o) => (o.object as any).metadata.name!),
                    ]);
                    for (const namespace of excluded) assert.ok(existing.has(namespace), `${where} excludes ${namespace}, which ${env} does not have`);
                    for (const namespace of appNamespaces) assert.ok(!excluded.includes(namespace!), `${where} exempts the app namespace ${namespace}`);
                    // Init containers take no probes; every other rule covers them offline (workload-rules.ts).
                    if (policy.metadata!.name === "require-probes") continue;
                    const patterns = [rule.validate.pattern, ...(rule.validate.anyPattern ?? [])].filter((p) => p?.spec?.containers);
                    for (const pattern of patterns) {
                        assert.deepStrictEqual(pattern.spec["=(initContainers)"], pattern.spec.containers, `${where}: init containers are not checked like containers`);
                    }
                }
            }
        });
        it("prod runs Kyverno's admission controller with three replicas", () => {
            const kyverno = objectsOf("prod").find((o) => o.object.kind === "HelmRelease" && (o.object as any).metadata.name === "kyverno")!;
            assert.strictEqual((kyverno.object as any).spec.values.admissionController.replicas, 3);
        });
    });

    describe("catches a broken entry point (fixture)", () => {
        const dir = `${FIXTURES}/broken-cluster`;

        it("reports missing and unbuildable paths, unknown dependencies and cycles, naming file and object", () => {
            const entry = loadClusterEntry(builder, dir);
            const text = formatGitOpsProblems(checkFluxGraph(builder, entry));
            const file = `${dir}/kustomizations.yaml`;
            assert.match(text, new RegExp(`${file}: Kustomization flux-system/missing-path: spec.path "./${FIXTURES}/no-such-directory": directory does not exist`));
            assert.match(text, /Kustomization flux-system\/unbuildable: spec.path ".*unbuildable": kustomize build failed/);
            assert.match(text, /Kustomization flux-system\/needs-ghost: dependsOn "flux-system\/ghost" names no Kustomization declared in test\/gitops\/fixtures\/broken-cluster/);
            assert.match(text, /dependsOn cycle: flux-system\/cycle-a -> flux-system\/cycle-b -> flux-system\/cycle-a/);
            assert.match(text, /^4 problems:/);
        });

        it("refuses to render it, listing every problem", () => {
            assert.throws(
                () => renderCluster(builder, dir),
                (error: Error) => {
                    assert.match(error.message, /^cannot render test\/gitops\/fixtures\/broken-cluster: 4 problems:/);
                    return true;
                },
            );
        });

        it("reports the removed v1beta2 API and the missing lock-down settings", () => {
            const entry = loadClusterEntry(builder, dir);
            const contract = formatGitOpsProblems(checkEntryContract(entry));
            assert.match(contract, /old-api: spec.serviceAccountName is undefined: set it to this app's own service account \(e\.g\. old-api\)/);
            assert.match(contract, /old-api: spec.prune must be true/);
            assert.match(contract, /old-api: set spec.wait: true/);
            assert.match(contract, /old-api: spec.retryInterval is missing/);
            assert.match(contract, /old-api: spec.timeout is missing/);
            const apis = formatGitOpsProblems(checkFluxObjects(entry.build.objects));
            assert.match(apis, /Kustomization flux-system\/old-api: apiVersion kustomize.toolkit.fluxcd.io\/v1beta2 is not the GA API: use kustomize.toolkit.fluxcd.io\/v1/);
        });

        it("refuses an entry-point Kustomization named like the bootstrap's root, or with a path not from the root", () => {
            const entry = structuredClone(loadClusterEntry(builder, "clusters/dev"));
            entry.kustomizations[0].name = "flux-system";
            (entry.kustomizations[0].rendered.object as any).spec.path = "apps/sample-app/overlays/dev";
            const text = formatGitOpsProblems(checkEntryContract(entry));
            assert.match(text, /the name flux-system belongs to the bootstrap's root Kustomization, which applies clusters\/dev: choose another/);
            assert.match(text, /spec.path "apps\/sample-app\/overlays\/dev" should start with \.\//);
        });

        it("reports a HelmRelease that breaks the lock-down: default account, cross-namespace source, floating chart", () => {
            const [release] = objectsOf("prod").filter((o) => o.object.kind === "HelmRelease");
            const broken = structuredClone(release);
            delete (broken.object as any).spec.serviceAccountName;
            (broken.object as any).spec.chart.spec.version = ">=72.0.0";
            (broken.object as any).spec.chart.spec.sourceRef.namespace = "other";
            const text = formatGitOpsProblems([...checkFluxPilotObjects([broken]), ...checkObjects([broken])]);
            assert.match(text, /spec.serviceAccountName is undefined: set it to helm-controller/);
            assert.match(text, /is in namespace other; keep it in flux-system \(--no-cross-namespace-refs=true\)/);
            assert.match(text, /spec.chart.spec.version is ">=72.0.0": pin an exact chart version/);
        });

        it("reports a HelmRelease whose HelmRepository is not declared", () => {
            const release = objectsOf("prod").find((o) => o.object.kind === "HelmRelease")!;
            const text = formatGitOpsProblems(checkFluxObjects([release]));
            assert.match(text, /the chart source HelmRepository flux-system\/\S+ is not declared in this environment/);
        });

        it("reports a namespace nothing creates in time, and a HelmRelease target or storage namespace nothing creates", () => {
            const prod = structuredClone(rendering("prod"));
            const app = prod.kustomizations.find((k) => k.name === "sample-app")!;
            const controllers = prod.kustomizations.find((k) => k.name === "infra-controllers")!;
            // The app's namespace is declared by infra-tenants; without the dependsOn nothing says it comes first.
            assert.ok(!app.objects.some((o) => o.object.kind === "Namespace"));
            prod.entry.kustomizations.find((k) => k.name === "sample-app")!.dependsOn = [];
            (controllers.objects.find((o) => o.object.kind === "HelmRelease" && (o.object as any).metadata.name === "kyverno")!.object as any).spec.storageNamespace = "helm-state";
            const text = formatGitOpsProblems(checkNamespacesExist(prod));
            assert.match(
                text,
                /apps\/sample-app\/base\/deployment.yaml via apps\/sample-app\/overlays\/prod: Deployment sample-app-prod\/sample-app: metadata.namespace is sample-app-prod, which neither flux-system\/sample-app nor a Kustomization it depends on creates/,
            );
            assert.match(
                text,
                /HelmRelease flux-system\/kyverno: spec.storageNamespace is helm-state, which neither flux-system\/infra-controllers nor a Kustomization it depends on creates/,
            );
            assert.doesNotMatch(text, /spec.targetNamespace/);
            // A release that creates its own namespace needs no Namespace object for it.
            const kyverno: any = controllers.objects.find((o) => (o.object as any).metadata.name === "kyverno" && o.object.kind === "HelmRelease")!.object;
            kyverno.spec.targetNamespace = kyverno.spec.storageNamespace = "policy";
            assert.match(formatGitOpsProblems(checkNamespacesExist(prod)), /spec.targetNamespace is policy/);
            kyverno.spec.install.createNamespace = true;
            assert.doesNotMatch(formatGitOpsProblems(checkNamespacesExist(prod)), /HelmRelease flux-system\/kyverno/);
            // Depending on the Kustomization that creates it again is enough.
            prod.entry.kustomizations.find((k) => k.name === "sample-app")!.dependsOn = [{ name: "infra-tenants", namespace: "flux-system" }];
            assert.doesNotMatch(formatGitOpsProblems(checkNamespacesExist(prod)), /sample-app-prod/);
        });

        it("normalises Flux paths relative to the repository root", () => {
            assert.strictEqual(normalizeFluxPath("./apps/a/overlays/prod"), "apps/a/overlays/prod");
            assert.strictEqual(normalizeFluxPath("apps/a/./overlays/prod/"), "apps/a/overlays/prod");
            assert.strictEqual(normalizeFluxPath("./"), ".");
            assert.strictEqual(normalizeFluxPath("../elsewhere"), "../elsewhere");
        });
    });
});
