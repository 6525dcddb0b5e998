/**
 * The Flux settings on the inputs the main tests do not reach: the defaults one by one, the name
 * and domain patterns at their edges, duplicate and missing controllers, version ranges and pins,
 * and each problem's key, value and fix.
 */
import * as assert from "assert";
import { DEFAULT_AKS_EXTENSION_VERSION, DEFAULT_OPERATOR_CHART_VERSION, fluxSchema, resolveFlux, validateFluxSettings } from "../../components/flux/settings";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { parseWithProblems } from "../../core/zod-problems";
import { knownInstallerIds } from "../../components/flux/installers";
import { existingCluster, model, PUBLIC_REPO } from "./support";

/** Every problem of the stack, whole: key, message, value and fix. */
function problems(env: string, overrides: Record<string, unknown>): string[] {
    try {
        model(env, overrides);
    } catch (error) {
        assert.ok(isStackConfigError(error));
        return error.problems.map(formatProblem);
    }
    return assert.fail("expected the configuration to be rejected");
}

const accepts = (flux: Record<string, unknown>) => fluxSchema.safeParse(flux).success;
const schemaProblems = (flux: Record<string, unknown>) => parseWithProblems(fluxSchema, flux, "fluxpilot:flux").problems.map(formatProblem);

describe("flux settings: edges", () => {
    it("fills every setting from its default", () => {
        assert.deepStrictEqual(resolveFlux(undefined, undefined, "dev"), {
            installer: "flux-operator",
            version: "2.9.x",
            components: ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
            clusterType: "kubernetes",
            clusterDomain: "cluster.local",
            networkPolicy: true,
            lockdown: false,
            tenantServiceAccount: "default",
            operatorChartVersion: DEFAULT_OPERATOR_CHART_VERSION,
            aksExtensionVersion: DEFAULT_AKS_EXTENSION_VERSION,
            webhook: { enabled: false },
        });
        assert.strictEqual(resolveFlux(undefined, undefined, "prod").lockdown, true);
        assert.strictEqual(resolveFlux(undefined, undefined, "staging").lockdown, true);
        assert.strictEqual(resolveFlux(undefined, undefined, "local").lockdown, false);
    });

    it("lets the cluster's value win over the stack's, and the stack's over the default", () => {
        const settings = resolveFlux({ clusterDomain: "stack.local", networkPolicy: false }, { clusterDomain: "cluster.example" }, "dev");
        assert.strictEqual(settings.clusterDomain, "cluster.example");
        assert.strictEqual(settings.networkPolicy, false);
        // The components list is a copy: changing it never changes the defaults.
        settings.components.push("source-watcher");
        assert.strictEqual(resolveFlux(undefined, undefined, "dev").components.length, 4);
    });

    it("accepts Kubernetes names for the tenant service account and refuses the near misses", () => {
        for (const good of ["a", "flux-reconciler", "a1", "1a", "a".repeat(63)]) assert.ok(accepts({ tenantServiceAccount: good }), good);
        for (const bad of ["", "A", "-a", "a-", "a_b", "a.b", "a".repeat(64)]) assert.ok(!accepts({ tenantServiceAccount: bad }), bad);
        assert.deepStrictEqual(schemaProblems({ tenantServiceAccount: "Tenant" }), [
            "fluxpilot:flux.tenantServiceAccount: is not a Kubernetes object name (given: \"Tenant\"). Fix: use lowercase letters, digits and '-', e.g. flux-reconciler",
        ]);
    });

    it("accepts DNS domains for the cluster domain and refuses the near misses", () => {
        for (const good of ["cluster.local", "a", "k8s.example.com", "a-b.c"]) assert.ok(accepts({ clusterDomain: good }), good);
        for (const bad of ["", "Cluster.local", ".cluster.local", "cluster.local.", "-a", "a-", "a_b"]) assert.ok(!accepts({ clusterDomain: bad }), bad);
        assert.deepStrictEqual(schemaProblems({ clusterDomain: "cluster_local" }), [
            'fluxpilot:flux.clusterDomain: is not a DNS domain (given: "cluster_local"). Fix: use the cluster\'s DNS domain, e.g. cluster.local',
        ]);
    });

    it("takes Flux 2 version ranges only, and exact chart and extension versions", () => {
        assert.ok(accepts({ version: "2.9.x" }));
        assert.ok(accepts({ version: ">=2.9.0 <2.10.0" }));
        assert.deepStrictEqual(schemaProblems({ version: "latest" }), [
            'fluxpilot:flux.version: is not a valid semver range (given: "latest"). Fix: write it like "2.9.x" or ">=2.9.0 <2.10.0"',
        ]);
        assert.deepStrictEqual(schemaProblems({ version: ">=2.0.0" }), [
            'fluxpilot:flux.version: allows versions outside Flux 2 (given: ">=2.0.0"). Fix: pin a Flux 2 range, e.g. "2.9.x"',
        ]);
        assert.ok(accepts({ operatorChartVersion: "0.50.0", aksExtensionVersion: "1.18.0" }));
        const pinned = resolveFlux({ operatorChartVersion: "0.50.0", aksExtensionVersion: "1.18.0" }, undefined, "dev");
        assert.deepStrictEqual([pinned.operatorChartVersion, pinned.aksExtensionVersion], ["0.50.0", "1.18.0"]);
        assert.deepStrictEqual(schemaProblems({ operatorChartVersion: "0.x" }), [
            `fluxpilot:flux.operatorChartVersion: is not an exact version (given: "0.x"). Fix: pin one release, e.g. "${DEFAULT_OPERATOR_CHART_VERSION}"`,
        ]);
        assert.deepStrictEqual(schemaProblems({ aksExtensionVersion: "1.19" }), [
            `fluxpilot:flux.aksExtensionVersion: is not an exact version (given: "1.19"). Fix: pin one release, e.g. "${DEFAULT_AKS_EXTENSION_VERSION}"`,
        ]);
    });

    it("reports controllers listed twice, and the sync's own controllers missing, with the list given", () => {
        const components = ["source-controller", "source-controller", "helm-controller", "helm-controller"];
        assert.deepStrictEqual(problems("dev", { "fluxpilot:flux": { components } }), [
            `fluxpilot:flux.components: lists source-controller, helm-controller more than once (given: ${JSON.stringify(components)}). Fix: list each component once`,
            `fluxpilot:flux.components: lacks kustomize-controller, which the sync of clusters/dev needs (given: ${JSON.stringify(components)}). Fix: add source-controller and kustomize-controller`,
        ]);
        assert.deepStrictEqual(problems("dev", { "fluxpilot:flux": { components: ["helm-controller"] } }), [
            'fluxpilot:flux.components: lacks source-controller and kustomize-controller, which the sync of clusters/dev needs (given: ["helm-controller"]). Fix: add source-controller and kustomize-controller',
        ]);
    });

    it("reports image automation without the reflector it reads tags from", () => {
        const components = ["source-controller", "kustomize-controller", "image-automation-controller"];
        assert.deepStrictEqual(problems("dev", { "fluxpilot:flux": { components } }), [
            `fluxpilot:flux.components: has image-automation-controller without image-reflector-controller, which it reads image tags from (given: ${JSON.stringify(components)}). Fix: add image-reflector-controller, or remove image-automation-controller`,
        ]);
        assert.doesNotThrow(() => model("dev", { "fluxpilot:flux": { components: [...components, "image-reflector-controller"] } }));
    });

    it("refuses a relaxed lock-down in staging and prod under the key it came from, and allows it in dev", () => {
        assert.deepStrictEqual(problems("prod", { "fluxpilot:flux": { lockdown: false } }), [
            "fluxpilot:flux.lockdown: relaxes the multi-tenancy lock-down, which prod does not allow (given: false). Fix: remove lockdown (it defaults to true here); only dev and local may relax it",
        ]);
        assert.deepStrictEqual(problems("staging", { "fluxpilot:clusters": [existingCluster("s", { flux: { lockdown: false } })] }), [
            "fluxpilot:clusters[0].flux.lockdown: relaxes the multi-tenancy lock-down, which staging does not allow (given: false). Fix: remove lockdown (it defaults to true here); only dev and local may relax it",
        ]);
        assert.doesNotThrow(() => model("dev", { "fluxpilot:flux": { lockdown: false } }));
    });

    it("reports a problem shared by several clusters once, under the stack key", () => {
        const lines = problems("dev", { "fluxpilot:flux": { components: ["source-controller"] }, "fluxpilot:clusters": [existingCluster("a"), existingCluster("b")] });
        assert.strictEqual(lines.length, 1);
        assert.match(lines[0], /^fluxpilot:flux\.components: lacks kustomize-controller/);
    });

    it("needs notification-controller and a GitHub repository for the webhook", () => {
        const lines = problems("dev", { "fluxpilot:flux": { webhook: { enabled: true }, components: ["source-controller", "kustomize-controller"] } });
        assert.deepStrictEqual(lines, [
            "fluxpilot:flux.webhook.enabled: needs notification-controller, which serves the webhook receiver (given: true). Fix: add notification-controller to components, or disable the webhook",
            "fluxpilot:flux.webhook.enabled: needs a github.com repository and fluxpilot:gitops.github.owner to create the repository webhook (given: true). Fix: set github.owner in fluxpilot:gitops, or disable the webhook",
        ]);
    });

    it("says, for each setting given the wrong type or value, what it wants, with the value and the fix", () => {
        const cases: [Record<string, unknown>, string][] = [
            [{ installer: "helm" }, `fluxpilot:flux.installer: is not a Flux installer (given: "helm"). Fix: use one of ${knownInstallerIds().join(", ")}`],
            [{ installer: 5 }, "fluxpilot:flux.installer: must be a string, not a number (given: 5). Fix: set the installer, e.g. flux-operator"],
            [{ components: [] }, "fluxpilot:flux.components: lists no component (given: []). Fix: list at least source-controller and kustomize-controller"],
            [
                { components: ["source-controller", "bogus"] },
                'fluxpilot:flux.components[1]: is not a Flux component (given: "bogus"). Fix: use any of source-controller, kustomize-controller, helm-controller, notification-controller, image-reflector-controller, image-automation-controller, source-watcher',
            ],
            [{ clusterType: "x" }, 'fluxpilot:flux.clusterType: is not a FluxInstance cluster type (given: "x"). Fix: use one of kubernetes, openshift, aws, azure, gcp'],
            [
                { networkPolicy: "yes" },
                'fluxpilot:flux.networkPolicy: must be a boolean, not a string (given: "yes"). Fix: set networkPolicy: true to restrict traffic to the Flux controllers',
            ],
            [{ lockdown: "yes" }, 'fluxpilot:flux.lockdown: must be a boolean, not a string (given: "yes"). Fix: set lockdown: true for shared clusters'],
            [{ webhook: { enabled: "yes" } }, 'fluxpilot:flux.webhook.enabled: must be a boolean, not a string (given: "yes"). Fix: set enabled: true to reconcile on every push'],
            [{ clusterDomain: 5 }, "fluxpilot:flux.clusterDomain: must be a string, not a number (given: 5). Fix: set the cluster DNS domain, e.g. cluster.local"],
            [{ tenantServiceAccount: 5 }, "fluxpilot:flux.tenantServiceAccount: must be a string, not a number (given: 5). Fix: set a Kubernetes object name"],
            [{ version: 2 }, 'fluxpilot:flux.version: must be a string, not a number (given: 2). Fix: quote the version, e.g. "2.9.x"'],
            [
                { operatorChartVersion: 1 },
                `fluxpilot:flux.operatorChartVersion: must be a string, not a number (given: 1). Fix: quote the version, e.g. "${DEFAULT_OPERATOR_CHART_VERSION}"`,
            ],
            [
                { aksExtensionVersion: 1 },
                `fluxpilot:flux.aksExtensionVersion: must be a string, not a number (given: 1). Fix: quote the version, e.g. "${DEFAULT_AKS_EXTENSION_VERSION}"`,
            ],
        ];
        for (const [flux, line] of cases) assert.deepStrictEqual(schemaProblems(flux), [line], JSON.stringify(flux));
    });

    it("refuses a Flux controller's account as the tenant default in prod, and open controllers in staging", () => {
        assert.deepStrictEqual(problems("prod", { "fluxpilot:flux": { tenantServiceAccount: "kustomize-controller" } }), [
            `fluxpilot:flux.tenantServiceAccount: is a Flux controller's service account, which would give every tenant Kustomization and HelmRelease its cluster-wide rights in prod (given: "kustomize-controller"). Fix: remove tenantServiceAccount (it defaults to default, which has no rights) or name an account bound only to tenant namespaces`,
        ]);
        assert.doesNotThrow(() => model("dev", { "fluxpilot:flux": { tenantServiceAccount: "kustomize-controller" } }));
        assert.deepStrictEqual(problems("staging", { "fluxpilot:flux": { networkPolicy: false } }), [
            "fluxpilot:flux.networkPolicy: opens the Flux controllers to traffic from every namespace, which staging does not allow (given: false). Fix: remove networkPolicy (it defaults to true); only dev and local may turn it off",
        ]);
    });

    it("asks for the GitHub token when the webhook has a github.com owner, and for github.com when the host is another", () => {
        const gitops = (repository: string) => ({ repository, branch: "main", github: { owner: "acme" } });
        assert.deepStrictEqual(problems("dev", { "fluxpilot:flux": { webhook: { enabled: true } }, "fluxpilot:gitops": gitops(PUBLIC_REPO) }), [
            "fluxpilot:githubToken: is missing, but the webhook is created on the GitHub repository. Fix: run: pulumi config set --secret fluxpilot:githubToken <token with the repository's administration:write permission>",
        ]);
        assert.deepStrictEqual(problems("dev", { "fluxpilot:flux": { webhook: { enabled: true } }, "fluxpilot:gitops": gitops("https://gitlab.com/acme/fluxpilot") }), [
            "fluxpilot:flux.webhook.enabled: needs a github.com repository and fluxpilot:gitops.github.owner to create the repository webhook (given: true). Fix: set github.owner in fluxpilot:gitops, or disable the webhook",
        ]);
        // A URL that names no host at all: both the URL and the webhook are refused, nothing throws.
        assert.deepStrictEqual(problems("dev", { "fluxpilot:flux": { webhook: { enabled: true } }, "fluxpilot:gitops": gitops("ftp://example.com/acme/fluxpilot") }), [
            'fluxpilot:gitops.repository: is neither an https:// nor an ssh:// repository URL (given: "ftp://example.com/acme/fluxpilot"). Fix: use https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo> (scp-style git@host:repo is not accepted by Flux)',
            "fluxpilot:flux.webhook.enabled: needs a github.com repository and fluxpilot:gitops.github.owner to create the repository webhook (given: true). Fix: set github.owner in fluxpilot:gitops, or disable the webhook",
        ]);
        // With the token stored as a secret, the webhook has all it needs.
        const withToken = model("dev", { "fluxpilot:flux": { webhook: { enabled: true } }, "fluxpilot:gitops": gitops(PUBLIC_REPO), "fluxpilot:githubToken": "ghp_token" }, [
            "fluxpilot:githubToken",
        ]);
        assert.strictEqual(withToken.fluxByCluster["dev-one"].webhook.enabled, true);
        // The problem names the secret's own key; its field still says which Flux setting needs it.
        const settings = resolveFlux({ webhook: { enabled: true } }, undefined, "dev");
        const context = { environment: "dev" as const, cloud: "existing", gitops: { ...withToken.gitops, github: { owner: "acme", name: "fluxpilot" } } };
        assert.deepStrictEqual(validateFluxSettings(settings, context), [
            {
                field: "webhook.enabled",
                key: "fluxpilot:githubToken",
                message: "is missing, but the webhook is created on the GitHub repository",
                fix: "run: pulumi config set --secret fluxpilot:githubToken <token with the repository's administration:write permission>",
            },
        ]);
    });

    it("names the provider, the cloud and the installers it offers when a cluster's installer is not among them", () => {
        assert.deepStrictEqual(problems("dev", { "fluxpilot:clusters": [existingCluster("onprem", { flux: { installer: "aks-extension" } })] }), [
            `fluxpilot:clusters[0].flux.installer: is not available on adopted (kubeconfig) clusters (cloud existing) (given: "aks-extension"). Fix: use flux-operator for this cluster (override it in the cluster's flux settings)`,
        ]);
        // The model refuses an unknown installer id or cloud before this rule; called directly, the
        // rule still says what it can: the cloud's own name when no provider claims it.
        const settings = { ...resolveFlux(undefined, undefined, "dev"), installer: "helm" };
        const context = { environment: "dev" as const, gitops: model("dev").gitops };
        const refusal = (where: string, installers: string) => ({
            field: "installer",
            value: "helm",
            message: `is not available on ${where}`,
            fix: `use ${installers} for this cluster (override it in the cluster's flux settings)`,
        });
        assert.deepStrictEqual(validateFluxSettings(settings, { ...context, cloud: "azure" }), [refusal("Azure AKS clusters (cloud azure)", "flux-operator or aks-extension")]);
        assert.deepStrictEqual(validateFluxSettings(settings, { ...context, cloud: "mars" }), [refusal("mars clusters (cloud mars)", "flux-operator")]);
        // The stack-wide settings have no cloud: each cluster's are held to its own.
        assert.deepStrictEqual(validateFluxSettings(settings, context), []);
    });

    describe("the webhook's Ingress", () => {
        const ingress = (fields: Record<string, unknown>) => ({ webhook: { enabled: true, ingress: { host: "flux-hook.example.com", ...fields } } });
        const withToken = (env: string, webhook: Record<string, unknown>) => {
            const lines = problems(env, { "fluxpilot:flux": { webhook }, "fluxpilot:gitops": { repository: PUBLIC_REPO, branch: "main", github: { owner: "acme" } } });
            // Every case here lacks the token; that problem is asserted elsewhere.
            return lines.filter((line) => !line.startsWith("fluxpilot:githubToken:"));
        };

        it("takes a lowercase fully qualified host, an IngressClass name, string annotations and a Secret name", () => {
            assert.deepStrictEqual(
                schemaProblems(ingress({ className: "webapprouting.kubernetes.azure.com", annotations: { "kubernetes.io/ingress.class": "gce" }, tlsSecretName: "flux-hook-tls" })),
                [],
            );
            const hostFix = "Fix: use the fully qualified name the certificate is for, e.g. flux-hook.example.com";
            for (const host of ["Flux.example.com", "flux", "a..example.com", "-a.example.com", "a.example.c0m", `${"a".repeat(64)}.example.com`]) {
                assert.deepStrictEqual(
                    schemaProblems(ingress({ host })),
                    [`fluxpilot:flux.webhook.ingress.host: is not a DNS name (given: ${JSON.stringify(host)}). ${hostFix}`],
                    host,
                );
            }
            assert.deepStrictEqual(schemaProblems(ingress({ host: 5 })), [
                "fluxpilot:flux.webhook.ingress.host: must be a string, not a number (given: 5). Fix: set the DNS name GitHub calls, e.g. flux-hook.example.com",
            ]);
            assert.deepStrictEqual(schemaProblems(ingress({ className: "ALB" })), [
                'fluxpilot:flux.webhook.ingress.className: is not an IngressClass name (given: "ALB"). Fix: use the name kubectl get ingressclass shows, e.g. alb',
            ]);
            assert.deepStrictEqual(schemaProblems(ingress({ className: 5 })), [
                "fluxpilot:flux.webhook.ingress.className: must be a string, not a number (given: 5). Fix: set the IngressClass name, e.g. alb",
            ]);
            assert.deepStrictEqual(schemaProblems(ingress({ className: `${"a".repeat(249)}.b.c` })), [], "253 characters");
            assert.deepStrictEqual(
                schemaProblems(ingress({ className: `${"a".repeat(250)}.b.c` })).map((line) => line.replace(/\(given: .*\)/, "(given: …)")),
                [
                    "fluxpilot:flux.webhook.ingress.className: is longer than 253 characters, the limit of a Kubernetes object name (given: …). Fix: use the name kubectl get ingressclass shows, e.g. alb",
                ],
            );
            assert.deepStrictEqual(schemaProblems(ingress({ annotations: { a: 5 } })), [
                "fluxpilot:flux.webhook.ingress.annotations.a: must be a string, not a number (given: 5). Fix: quote the annotation value",
            ]);
            assert.deepStrictEqual(schemaProblems(ingress({ tlsSecretName: "Bad_Name" })), [
                `fluxpilot:flux.webhook.ingress.tlsSecretName: is not a Kubernetes object name (given: "Bad_Name"). Fix: use lowercase letters, digits and '-', e.g. flux-reconciler`,
            ]);
        });

        it("takes a host of at most 253 characters whose labels have 1 to 63, and refuses one of 254", () => {
            const labels = `${"a".repeat(63)}.`.repeat(3);
            const longest = `${labels}${"b".repeat(57)}.com`;
            const tooLong = `${labels}${"b".repeat(58)}.com`;
            assert.deepStrictEqual([longest.length, tooLong.length], [253, 254]);
            for (const host of [longest, "a.io", "a.b.io", "a-1.example.com"]) assert.deepStrictEqual(schemaProblems(ingress({ host })), [], host);
            // The problem itself: its printed line shortens a given value of over 120 characters.
            assert.deepStrictEqual(parseWithProblems(fluxSchema, ingress({ host: tooLong }), "fluxpilot:flux").problems, [
                {
                    key: "fluxpilot:flux.webhook.ingress.host",
                    value: tooLong,
                    message: "is not a DNS name",
                    fix: "use the fully qualified name the certificate is for, e.g. flux-hook.example.com",
                },
            ]);
        });

        it("takes IngressClass names of one character per part, and refuses a bad character at either end of any part", () => {
            for (const className of ["a", "7", "a.b", "a-1.b-2"]) assert.deepStrictEqual(schemaProblems(ingress({ className })), [], className);
            for (const className of ["-foo", "foo-", "Foo", "foo_", "_foo", "foo.-bar", "foo.bar-", "foo..bar", ".foo", "foo."]) {
                assert.deepStrictEqual(
                    schemaProblems(ingress({ className })),
                    [
                        `fluxpilot:flux.webhook.ingress.className: is not an IngressClass name (given: ${JSON.stringify(className)}). Fix: use the name kubectl get ingressclass shows, e.g. alb`,
                    ],
                    className,
                );
            }
        });

        it("is required in staging and prod, and needs a class from className or the GKE annotation", () => {
            assert.deepStrictEqual(withToken("prod", { enabled: true }), [
                `fluxpilot:flux.webhook.ingress: is missing, so the receiver would be served as plain http on a public load balancer, which prod does not allow. Fix: serve it over TLS: set webhook.ingress with the host GitHub calls and your ingress controller's class and certificate (docs/flux.md, "Instant sync")`,
            ]);
            assert.deepStrictEqual(withToken("dev", { enabled: true }), []);
            assert.doesNotThrow(() => model("prod", { "fluxpilot:flux": { webhook: { enabled: false } } }));
            assert.deepStrictEqual(withToken("dev", { enabled: true, ingress: { host: "flux-hook.example.com" } }), [
                'fluxpilot:flux.webhook.ingress: names no ingress class, so no controller (or only a default one) would serve it (given: {"host":"flux-hook.example.com","annotations":{}}). Fix: set className (e.g. alb, webapprouting.kubernetes.azure.com), or on GKE the annotation kubernetes.io/ingress.class: gce',
            ]);
            assert.deepStrictEqual(withToken("prod", { enabled: true, ingress: { host: "flux-hook.example.com", annotations: { "kubernetes.io/ingress.class": "gce" } } }), []);
            assert.deepStrictEqual(withToken("prod", { enabled: true, ingress: { host: "flux-hook.example.com", className: "alb" } }), []);
        });
    });
});
