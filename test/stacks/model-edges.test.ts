/**
 * The stack model on the inputs its main tests do not reach: malformed cluster lists, secret
 * values of the wrong shape, documents that look like Flux Kustomizations but are not, and Git
 * auth combinations that cannot work. Each asserts the key, the value and the fix.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GIT_PASSWORD_KEY, GITHUB_TOKEN_KEY } from "../../core/git";
import { fluxKustomizationPaths } from "../../stacks/gitops";
import { decodeConfigValue, parseStackModel } from "../../stacks/model";
import { valueOf } from "../support/harness";
import { localConfig } from "./bad-configs";
import { prodConfig } from "./hostile-configs";
import { CLOUDS, problemsOf, repoRoot } from "./support";

const withClusters = (clusters: unknown) => ({ ...localConfig(), "fluxpilot:clusters": clusters });
const withGitops = (gitops: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...localConfig(), "fluxpilot:gitops": gitops, ...extra });

describe("stack model: edges", () => {
    describe("malformed cluster lists", () => {
        it("refuses an empty list", () => {
            assert.deepStrictEqual(problemsOf(withClusters([])), [
                `fluxpilot:clusters: must be a non-empty list of clusters (given: []). Fix: list at least one cluster, each with a name and a cloud (${CLOUDS})`,
            ]);
        });

        it("refuses entries that are not objects, or have no cloud, naming each position", () => {
            assert.deepStrictEqual(problemsOf(withClusters([null, "laptop", { name: "x" }])), [
                `fluxpilot:clusters[0].cloud: is missing. Fix: set cloud to one of ${CLOUDS}`,
                `fluxpilot:clusters[1].cloud: is missing. Fix: set cloud to one of ${CLOUDS}`,
                `fluxpilot:clusters[2].cloud: is missing. Fix: set cloud to one of ${CLOUDS}`,
            ]);
        });

        it("refuses a cloud that is not a string, showing what was given", () => {
            assert.deepStrictEqual(problemsOf(withClusters([{ name: "x", cloud: 7 }])), [
                `fluxpilot:clusters[0].cloud: is not a supported cloud (given: 7). Fix: set cloud to one of ${CLOUDS}`,
            ]);
        });

        it("checks a cluster's flux overrides even when the rest of the entry is wrong", () => {
            assert.deepStrictEqual(problemsOf(withClusters([{ name: "laptop", cloud: "existing", contxt: "x", flux: { lockdwn: true } }])), [
                'fluxpilot:clusters[0].contxt: is not a known setting. Fix: did you mean "context"? Known settings here: name, cloud, region, kubeconfig, context, protect, tags, flux',
                'fluxpilot:clusters[0].flux.lockdwn: is not a known setting. Fix: did you mean "lockdown"? Known settings here: installer, version, components, clusterType, clusterDomain, networkPolicy, lockdown, tenantServiceAccount, operatorChartVersion, aksExtensionVersion, webhook',
            ]);
        });
    });

    describe("secret values", () => {
        const basic = { repository: "https://github.com/acme/fluxpilot", auth: { type: "basic" } };

        it("refuses an empty or non-string secret without showing it", () => {
            for (const value of ["", 42]) {
                assert.deepStrictEqual(problemsOf(withGitops(basic, { [GIT_PASSWORD_KEY]: value }), [GIT_PASSWORD_KEY]), [
                    `${GIT_PASSWORD_KEY}: must be a non-empty string. Fix: run: pulumi config set --secret ${GIT_PASSWORD_KEY} <value>`,
                ]);
            }
        });

        it("refuses a secret stored in plain text and asks for rotation, without echoing it", () => {
            const lines = problemsOf(withGitops(basic, { [GIT_PASSWORD_KEY]: "hunter2" }));
            assert.deepStrictEqual(lines, [
                `${GIT_PASSWORD_KEY}: is stored in plain text in the stack file. Fix: run: pulumi config set --secret ${GIT_PASSWORD_KEY} <value>, and rotate the credential since it was exposed`,
            ]);
            assert.ok(!lines.join("\n").includes("hunter2"));
        });

        it("accepts a secret given as such", () => {
            const model = parseStackModel("test", withGitops(basic, { [GIT_PASSWORD_KEY]: "hunter2" }), { repoRoot, secretKeys: [GIT_PASSWORD_KEY] });
            assert.strictEqual(model.gitops.auth.type, "basic");
            assert.strictEqual(String(model.gitops.auth.type === "basic" ? model.gitops.auth.password : ""), "[secret]");
        });
    });

    describe("Git auth combinations that cannot work", () => {
        it("refuses a deploy key for a repository that is not on github.com", () => {
            const lines = problemsOf(
                withGitops({ repository: "ssh://git@gitlab.com/acme/fluxpilot", auth: { type: "deployKey" }, github: { owner: "acme" } }, { [GITHUB_TOKEN_KEY]: "t" }),
                [GITHUB_TOKEN_KEY],
            );
            assert.deepStrictEqual(lines, [
                'fluxpilot:gitops.repository: is not on github.com, where the deploy key is registered (given: "ssh://git@gitlab.com/acme/fluxpilot"). Fix: use auth.type secretRef with a key you registered on that host yourself',
            ]);
        });

        it("refuses a deploy key over https, pointing to the ssh:// URL", () => {
            const lines = problemsOf(
                withGitops({ repository: "https://github.com/acme/fluxpilot", auth: { type: "deployKey" }, github: { owner: "acme" } }, { [GITHUB_TOKEN_KEY]: "t" }),
                [GITHUB_TOKEN_KEY],
            );
            assert.deepStrictEqual(lines, [
                'fluxpilot:gitops.repository: is not an ssh:// URL, but a deploy key authenticates over SSH (given: "https://github.com/acme/fluxpilot"). Fix: use ssh://git@github.com/acme/fluxpilot',
            ]);
        });

        it("refuses basic auth over ssh://, pointing to the https:// URL", () => {
            const lines = problemsOf(withGitops({ repository: "ssh://git@github.com/acme/fluxpilot", auth: { type: "basic" } }, { [GIT_PASSWORD_KEY]: "p" }), [GIT_PASSWORD_KEY]);
            assert.deepStrictEqual(lines, [
                'fluxpilot:gitops.repository: is not an https:// URL, but basic auth is for HTTPS (given: "ssh://git@github.com/acme/fluxpilot"). Fix: use https://github.com/acme/fluxpilot, or auth.type deployKey/secretRef for SSH',
            ]);
        });

        it("refuses an ssh:// repository without credentials, and secretRef without a Secret name", () => {
            assert.deepStrictEqual(problemsOf(withGitops({ repository: "ssh://git@github.com/acme/fluxpilot" })), [
                'fluxpilot:gitops.auth.type: leaves an ssh:// repository without credentials (given: "none"). Fix: set auth.type to deployKey (generated and registered on GitHub) or secretRef (an existing Secret), or use the https:// URL of a public repository',
            ]);
            assert.deepStrictEqual(problemsOf(withGitops({ repository: "ssh://git@github.com/acme/fluxpilot", auth: { type: "secretRef" } })), [
                "fluxpilot:gitops.auth.secretName: is missing, but auth.type secretRef reads Git credentials from an existing Secret. Fix: set secretName to a Secret in flux-system with identity/known_hosts (SSH) or username/password (HTTPS)",
            ]);
        });

        it("refuses a GitHub owner that is not the repository's, whatever the case", () => {
            assert.deepStrictEqual(problemsOf(withGitops({ repository: "https://github.com/acme/fluxpilot", github: { owner: "other" } })), [
                'fluxpilot:gitops.github.owner: does not match the owner in the repository URL (acme) (given: "other"). Fix: set github.owner to acme, or correct the repository URL',
            ]);
            assert.doesNotThrow(() => parseStackModel("test", withGitops({ repository: "https://github.com/acme/fluxpilot", github: { owner: "ACME" } }), { repoRoot }));
        });
    });

    describe("what counts as a Flux Kustomization of an entry point", () => {
        it("reads spec.path only from kustomize.toolkit.fluxcd.io Kustomizations", () => {
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-entry-"));
            fs.mkdirSync(path.join(root, "clusters", "dev"), { recursive: true });
            const doc = (apiVersion: string, kind: string, p: string) =>
                `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: x, namespace: flux-system }\nspec: { path: ${p} }\n`;
            fs.writeFileSync(
                path.join(root, "clusters", "dev", "all.yaml"),
                [
                    doc("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "./apps/a/overlays/dev"),
                    doc("kustomize.config.k8s.io/v1beta1", "Kustomization", "./apps/b/overlays/dev"),
                    doc("example.com/v1", "Kustomization", "./apps/c/overlays/dev"),
                    doc("kustomize.toolkit.fluxcd.io/v1", "Other", "./apps/d/overlays/dev"),
                    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: nopath }\nspec: {}\n",
                ].join("---\n"),
            );
            assert.deepStrictEqual(fluxKustomizationPaths(root, "clusters/dev"), ["apps/a/overlays/dev"]);
        });
    });

    describe("how the model joins its parts", () => {
        it("takes a list given as a value as it is, not as JSON text", () => {
            // String([7]) is "7", which JSON.parse would turn into a number.
            assert.deepStrictEqual(decodeConfigValue([7]), [7]);
            assert.deepStrictEqual(decodeConfigValue("[7]"), [7]);
            assert.deepStrictEqual(problemsOf({ ...localConfig(), "fluxpilot:apps": [7] }), ["fluxpilot:apps[0]: must be a string, not a number (given: 7). Fix: quote the name"]);
        });

        it("reports unknown top-level keys in key order, whatever order the stack file has", () => {
            const known = "fluxpilot:environment, fluxpilot:gitops, fluxpilot:flux, fluxpilot:clusters, fluxpilot:apps, fluxpilot:ci, fluxpilot:gitPassword, fluxpilot:githubToken";
            assert.deepStrictEqual(problemsOf({ "fluxpilot:zeta": 1, ...localConfig(), "fluxpilot:alpha": 2 }), [
                `fluxpilot:alpha: is not a known setting. Fix: remove it; known settings here: ${known}`,
                `fluxpilot:zeta: is not a known setting. Fix: remove it; known settings here: ${known}`,
            ]);
        });

        it("reports malformed gitops settings of a staging or prod stack once, without the environment's source rules", () => {
            for (const environment of ["staging", "prod"]) {
                assert.deepStrictEqual(problemsOf({ ...prodConfig(), "fluxpilot:environment": environment, "fluxpilot:gitops": { repository: 5 } }), [
                    "fluxpilot:gitops.repository: must be a string, not a number (given: 5). Fix: set the URL of this repository, e.g. https://github.com/acme/fluxpilot",
                ]);
            }
        });

        it("still checks the apps when the gitops problem is not the path", () => {
            const config = {
                ...withGitops({ repository: "https://github.com/acme/fluxpilot", github: { owner: "other" } }),
                "fluxpilot:apps": ["sample-app", "not-synced"],
            };
            assert.deepStrictEqual(problemsOf(config), [
                'fluxpilot:gitops.github.owner: does not match the owner in the repository URL (acme) (given: "other"). Fix: set github.owner to acme, or correct the repository URL',
                'fluxpilot:apps[1]: is not synced: no Flux Kustomization in clusters/local applies apps/not-synced/overlays/local (given: "not-synced"). Fix: add a Kustomization with path ./apps/not-synced/overlays/local to clusters/local, or remove the app from the list',
            ]);
        });

        it("holds only GKE clusters to GKE's cross-cluster rule (node account names from the first 23 characters)", () => {
            // Two existing clusters whose names share 23 characters would collide as GKE node accounts.
            const clusters = [
                { name: "a-very-long-cluster-name-one", cloud: "existing", context: "kind-a" },
                { name: "a-very-long-cluster-name-two", cloud: "existing", context: "kind-b" },
            ];
            const model = parseStackModel("local", withClusters(clusters), { repoRoot });
            assert.deepStrictEqual(
                model.clusters.map((c) => c.name),
                clusters.map((c) => c.name),
            );
        });
    });

    describe("what the model hands on", () => {
        it("passes a secret's value through to the Git source, unchanged", async () => {
            const config = withGitops({ repository: "https://github.com/acme/fluxpilot", auth: { type: "basic" } }, { [GIT_PASSWORD_KEY]: "s3cret-token" });
            const { auth } = parseStackModel("local", config, { repoRoot, secretKeys: [GIT_PASSWORD_KEY] }).gitops;
            assert.ok(auth?.type === "basic" && auth.password, "basic auth with a password");
            assert.strictEqual(await valueOf(auth.password.toOutput()), "s3cret-token");
        });

        it("has no apps and no ci when the stack sets none, and the ci settings when it does", () => {
            const { "fluxpilot:apps": _apps, ...withoutApps } = localConfig();
            const bare = parseStackModel("local", withoutApps, { repoRoot });
            assert.deepStrictEqual(bare.apps, []);
            assert.ok(!("ci" in bare), "no ci key");
            const withCi = parseStackModel("local", { ...localConfig(), "fluxpilot:ci": { runner: "self-hosted", runsOn: ["self-hosted", "fluxpilot"] } }, { repoRoot });
            assert.deepStrictEqual(withCi.ci, { runner: "self-hosted", runsOn: ["self-hosted", "fluxpilot"], egressCidrs: [] });
        });
    });
});
