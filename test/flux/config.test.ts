import * as assert from "assert";
import { findClusterProvider } from "../../components/clusters/registry";
import { resolveFlux } from "../../components/flux/settings";
import { GIT_PASSWORD_KEY, GITHUB_TOKEN_KEY } from "../../core/git";
import { SecretText } from "../../core/secrets";
import { existingCluster, model, PUBLIC_REPO, problemsOf, SSH_REPO } from "./support";

const GITHUB_AUTH = { repository: SSH_REPO, branch: "main", auth: { type: "deployKey" }, github: { owner: "acme" } };

describe("flux config", () => {
    describe("defaults", () => {
        it("locks Flux down in staging and prod, and leaves dev and local relaxed", () => {
            assert.strictEqual(model("prod").fluxByCluster["prod-one"].lockdown, true);
            assert.strictEqual(model("staging").fluxByCluster["staging-one"].lockdown, true);
            assert.strictEqual(model("dev").fluxByCluster["dev-one"].lockdown, false);
            assert.strictEqual(model("local").fluxByCluster["local-one"].lockdown, false);
        });

        it("installs the Flux Operator with 2.9.x and the four core controllers by default", () => {
            const settings = model("dev").fluxByCluster["dev-one"];
            assert.strictEqual(settings.installer, "flux-operator");
            assert.strictEqual(settings.version, "2.9.x");
            assert.deepStrictEqual(settings.components, ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"]);
            assert.strictEqual(settings.webhook.enabled, false);
        });

        it("lets a cluster override the stack settings, and dev relax the lock-down", () => {
            const m = model("dev", {
                "fluxpilot:flux": { version: "2.9.x", lockdown: true, components: ["source-controller", "kustomize-controller"] },
                "fluxpilot:clusters": [existingCluster("a"), existingCluster("b", { flux: { lockdown: false, version: ">=2.9.0 <2.10.0" } })],
            });
            assert.strictEqual(m.fluxByCluster.a.lockdown, true);
            assert.strictEqual(m.fluxByCluster.b.lockdown, false);
            assert.strictEqual(m.fluxByCluster.b.version, ">=2.9.0 <2.10.0");
            assert.deepStrictEqual(m.fluxByCluster.b.components, ["source-controller", "kustomize-controller"]);
        });

        it("derives the FluxInstance cluster type from the cloud", () => {
            const typeOf = (cloud: string) => findClusterProvider(cloud)?.flux.clusterType;
            assert.strictEqual(resolveFlux(undefined, undefined, "prod", typeOf("aws")).clusterType, "aws");
            assert.strictEqual(resolveFlux(undefined, undefined, "prod", typeOf("gcp")).clusterType, "gcp");
            assert.strictEqual(resolveFlux(undefined, undefined, "prod", typeOf("azure")).clusterType, "azure");
            assert.strictEqual(resolveFlux(undefined, undefined, "prod", typeOf("existing")).clusterType, "kubernetes");
            assert.strictEqual(resolveFlux(undefined, undefined, "prod").clusterType, "kubernetes");
            assert.strictEqual(resolveFlux({ clusterType: "openshift" }, undefined, "prod", "aws").clusterType, "openshift");
        });

        it("reads the Git credentials' secrets only from secret config, and never prints them", () => {
            const m = model("dev", { "fluxpilot:gitops": { repository: PUBLIC_REPO, auth: { type: "basic", username: "ci" } }, [GIT_PASSWORD_KEY]: "hunter2-token" }, [
                GIT_PASSWORD_KEY,
            ]);
            assert.ok(m.gitops.auth.type === "basic" && m.gitops.auth.password instanceof SecretText);
            const printed = `${JSON.stringify(m)} ${String((m.gitops.auth as any).password)} ${require("util").inspect(m, { depth: 10 })}`;
            assert.ok(!printed.includes("hunter2-token"), "the password leaked into a printed model");
        });
    });

    describe("validation messages", () => {
        it("rejects a repository URL that is neither https:// nor ssh://", () => {
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": { repository: "git@github.com:acme/fluxpilot.git" } })),
                ["fluxpilot:gitops.repository: is neither an https:// nor an ssh:// repository URL"],
            );
        });

        it("rejects a path outside clusters/ and a path that does not exist", () => {
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": { repository: PUBLIC_REPO, path: "apps/web" } })),
                ["fluxpilot:gitops.path: is not a folder under clusters/"],
            );
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": { repository: PUBLIC_REPO, path: "clusters/moon" } })),
                ["fluxpilot:gitops.path: does not exist in this repository (or holds no YAML)"],
            );
        });

        it("rejects an unknown component and a version that is not a semver range", () => {
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:flux": { version: "latest", components: ["source-controller", "kustomize-controler"] } })),
                ["fluxpilot:flux.version: is not a valid semver range", "fluxpilot:flux.components[1]: is not a Flux component"],
            );
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:flux": { version: "*" } })),
                ["fluxpilot:flux.version: allows versions outside Flux 2"],
            );
        });

        it("rejects a deploy key without a GitHub owner or token", () => {
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": { repository: SSH_REPO, auth: { type: "deployKey" } } })),
                ["fluxpilot:gitops.github.owner: is missing, but auth.type deployKey registers the key on the GitHub repository"],
            );
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": GITHUB_AUTH })),
                [`${GITHUB_TOKEN_KEY}: is missing, but auth.type deployKey registers the key on the GitHub repository`],
            );
        });

        it("rejects credentials that do not fit the URL, and an owner that does not match it", () => {
            assert.deepStrictEqual(
                problemsOf(() =>
                    model("dev", { "fluxpilot:gitops": { ...GITHUB_AUTH, repository: PUBLIC_REPO, github: { owner: "other" } }, [GITHUB_TOKEN_KEY]: "t" }, [GITHUB_TOKEN_KEY]),
                ),
                [
                    "fluxpilot:gitops.repository: is not an ssh:// URL, but a deploy key authenticates over SSH",
                    "fluxpilot:gitops.github.owner: does not match the owner in the repository URL (acme)",
                ],
            );
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": { repository: SSH_REPO } })),
                ["fluxpilot:gitops.auth.type: leaves an ssh:// repository without credentials"],
            );
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": { repository: PUBLIC_REPO, auth: { type: "basic" } } })),
                [`${GIT_PASSWORD_KEY}: is missing, but auth.type basic needs a password or token`],
            );
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": { repository: PUBLIC_REPO, auth: { type: "secretRef" } } })),
                ["fluxpilot:gitops.auth.secretName: is missing, but auth.type secretRef reads Git credentials from an existing Secret"],
            );
        });

        it("refuses a token stored in plain text, without echoing it", () => {
            let message = "";
            try {
                model("dev", { "fluxpilot:gitops": GITHUB_AUTH, [GITHUB_TOKEN_KEY]: "ghp_plaintexttoken" });
            } catch (error: any) {
                message = error.message;
            }
            assert.match(message, /fluxpilot:githubToken: is stored in plain text in the stack file\. Fix: run: pulumi config set --secret/);
            assert.ok(!message.includes("ghp_plaintexttoken"));
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": GITHUB_AUTH, [GITHUB_TOKEN_KEY]: "ghp_plaintexttoken" })),
                [`${GITHUB_TOKEN_KEY}: is stored in plain text in the stack file`],
            );
        });

        it("rejects the AKS extension installer on a cluster that is not AKS, naming the cluster's override", () => {
            assert.deepStrictEqual(
                problemsOf(() => model("prod", { "fluxpilot:clusters": [existingCluster("onprem", { flux: { installer: "aks-extension" } })] })),
                ["fluxpilot:clusters[0].flux.installer: is not available on adopted (kubeconfig) clusters (cloud existing)"],
            );
        });

        it("keeps prod locked down", () => {
            assert.deepStrictEqual(
                problemsOf(() => model("prod", { "fluxpilot:flux": { lockdown: false } })),
                ["fluxpilot:flux.lockdown: relaxes the multi-tenancy lock-down, which prod does not allow"],
            );
        });

        it("rejects component sets Flux cannot sync with, and a webhook without what it needs", () => {
            assert.deepStrictEqual(
                problemsOf(() =>
                    model("dev", {
                        "fluxpilot:flux": { components: ["source-controller", "helm-controller", "image-automation-controller"], webhook: { enabled: true } },
                    }),
                ),
                [
                    "fluxpilot:flux.components: lacks kustomize-controller, which the sync of clusters/dev needs",
                    "fluxpilot:flux.components: has image-automation-controller without image-reflector-controller, which it reads image tags from",
                    "fluxpilot:flux.webhook.enabled: needs notification-controller, which serves the webhook receiver",
                    "fluxpilot:flux.webhook.enabled: needs a github.com repository and fluxpilot:gitops.github.owner to create the repository webhook",
                ],
            );
        });

        it("rejects a semver ref with the flux-operator installer", () => {
            assert.deepStrictEqual(
                problemsOf(() => model("dev", { "fluxpilot:gitops": { repository: PUBLIC_REPO, semver: ">=1.0.0" } })),
                ["fluxpilot:gitops.semver: is not supported by the flux-operator installer: a FluxInstance follows one Git ref name"],
            );
        });

        it("reports problems of several settings together, once each", () => {
            const problems = problemsOf(() =>
                model("staging", {
                    "fluxpilot:gitops": { repository: "ftp://example.com/x", path: "apps" },
                    "fluxpilot:flux": { lockdown: false },
                    "fluxpilot:clusters": [existingCluster("a"), existingCluster("b", { flux: { installer: "aks-extension" } })],
                }),
            );
            assert.deepStrictEqual(problems, [
                "fluxpilot:gitops.repository: is neither an https:// nor an ssh:// repository URL",
                "fluxpilot:gitops.path: is not a folder under clusters/",
                // Both clusters inherit the stack's lockdown: reported once, under the stack key.
                "fluxpilot:flux.lockdown: relaxes the multi-tenancy lock-down, which staging does not allow",
                "fluxpilot:clusters[1].flux.installer: is not available on adopted (kubeconfig) clusters (cloud existing)",
            ]);
        });
    });
});
