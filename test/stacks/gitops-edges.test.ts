/**
 * The Git source rules one setting at a time: each schema field given the wrong type or an empty
 * value, the ref and path rules, the auth combinations that cannot work, and the rules staging
 * and prod add. Each asserts the whole problem: key, message, value and fix.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatProblem } from "../../core/problems";
import { fluxKustomizationPaths, gitopsDefaults, gitopsSchema, validateEnvironmentSource, validateGitops, wellFormedRepositoryUrl } from "../../stacks/gitops";
import { localConfig } from "./bad-configs";
import { problemsOf, repoRoot } from "./support";
import { parseStackModel } from "../../stacks/model";

const REPO = "https://github.com/acme/fluxpilot";
const gitopsProblems = (gitops: Record<string, unknown>) => problemsOf({ ...localConfig(), "fluxpilot:gitops": gitops });

describe("stack model: Git source edges", () => {
    it("says what each field wants when given the wrong type, with the value and the fix", () => {
        assert.deepStrictEqual(gitopsProblems({ repository: REPO, branch: 5, tag: 5, semver: 5, path: 5 }), [
            "fluxpilot:gitops.branch: must be a string, not a number (given: 5). Fix: set the branch name, e.g. main",
            "fluxpilot:gitops.tag: must be a string, not a number (given: 5). Fix: set the tag, e.g. v1.2.0",
            'fluxpilot:gitops.semver: must be a string, not a number (given: 5). Fix: set a semver range, e.g. ">=1.0.0 <2.0.0"',
            "fluxpilot:gitops.path: must be a string, not a number (given: 5). Fix: set the path, e.g. clusters/prod",
        ]);
        assert.deepStrictEqual(gitopsProblems({ repository: REPO, auth: { type: "basic", username: 5 }, github: { owner: 5 } }), [
            "fluxpilot:gitops.auth.username: must be a string, not a number (given: 5). Fix: set the HTTPS user name, e.g. git",
            "fluxpilot:gitops.github.owner: must be a string, not a number (given: 5). Fix: set the GitHub user or organisation, e.g. acme",
        ]);
        assert.deepStrictEqual(gitopsProblems({}), ["fluxpilot:gitops.repository: is missing. Fix: set the URL of this repository, e.g. https://github.com/acme/fluxpilot"]);
    });

    it("says what a Secret name wants when given the wrong type, and leaves the owner of a repository off github.com unchecked", () => {
        assert.deepStrictEqual(gitopsProblems({ repository: REPO, auth: { type: "secretRef", secretName: 5 } }), [
            "fluxpilot:gitops.auth.secretName: must be a string, not a number (given: 5). Fix: set the name of a Secret in the flux-system namespace",
        ]);
        // Only a github.com URL names a GitHub owner to compare with.
        const gitlab = { ...localConfig(), "fluxpilot:gitops": { repository: "https://gitlab.com/acme/fluxpilot", github: { owner: "other" } } };
        assert.strictEqual(parseStackModel("test", gitlab, { repoRoot }).gitops.github?.owner, "other");
    });

    it("calls an empty value empty, not the wrong type", () => {
        assert.deepStrictEqual(gitopsProblems({ repository: "", branch: "", tag: "", semver: "", path: "", auth: { type: "basic", username: "" } }), [
            'fluxpilot:gitops.repository: is empty (given: ""). Fix: set the URL of this repository, e.g. https://github.com/acme/fluxpilot',
            'fluxpilot:gitops.branch: is empty (given: ""). Fix: set the branch name, e.g. main',
            'fluxpilot:gitops.tag: is empty (given: ""). Fix: set the tag, e.g. v1.2.0',
            'fluxpilot:gitops.semver: is empty (given: ""). Fix: set a semver range, e.g. ">=1.0.0 <2.0.0"',
            'fluxpilot:gitops.path: is empty (given: ""). Fix: set the path, e.g. clusters/prod',
            'fluxpilot:gitops.auth.username: is empty (given: ""). Fix: set the HTTPS user name, e.g. git',
        ]);
    });

    it("refuses an unknown auth type, a Secret name Kubernetes refuses, and a GitHub owner GitHub refuses", () => {
        assert.deepStrictEqual(gitopsProblems({ repository: REPO, auth: { type: "oauth" } }), [
            'fluxpilot:gitops.auth.type: is not an authentication type (given: "oauth"). Fix: use one of none, deployKey, secretRef, basic',
        ]);
        assert.deepStrictEqual(gitopsProblems({ repository: REPO, auth: { type: "secretRef", secretName: "Git_Creds" } }), [
            `fluxpilot:gitops.auth.secretName: is not a Kubernetes object name (given: "Git_Creds"). Fix: use lowercase letters, digits, '-' and '.', e.g. git-credentials`,
        ]);
        for (const owner of ["-acme", "acme-", "ac--me", "a_b", `a${"b".repeat(39)}`]) {
            assert.deepStrictEqual(gitopsProblems({ repository: REPO, github: { owner } }), [
                `fluxpilot:gitops.github.owner: is not a GitHub user or organisation name (given: ${JSON.stringify(owner)}). Fix: use the owner shown in the repository URL, e.g. acme`,
            ]);
        }
        const secretName = (name: string) => gitopsSchema.safeParse({ repository: REPO, auth: { type: "secretRef", secretName: name } }).success;
        for (const good of ["a", "git-credentials", "git.credentials", "1a", "a".repeat(253)]) assert.ok(secretName(good), good);
        for (const bad of ["", "-a", "a-", ".a", "a.", "A", "a".repeat(254)]) assert.ok(!secretName(bad), bad);
    });

    it("names the ref kind in a bad tag, a semver range with a control character, and two refs at once", () => {
        assert.deepStrictEqual(gitopsProblems({ repository: REPO, tag: "v1..2" }), [
            'fluxpilot:gitops.tag: is not a valid Git tag name: it holds two consecutive dots (git check-ref-format) (given: "v1..2"). Fix: use the tag name exactly as Git shows it, e.g. v1.2.0',
        ]);
        assert.deepStrictEqual(
            gitopsProblems({ repository: REPO, semver: ">=1.0.0\n" })[0],
            `fluxpilot:gitops.semver: is not a semver range (given: ">=1.0.0\\n"). Fix: write a range over the repository's tags, e.g. ">=1.0.0 <2.0.0"`,
        );
        assert.deepStrictEqual(
            gitopsProblems({ repository: REPO, tag: "v1", semver: "1.x" })[0],
            'fluxpilot:gitops.semver: is set together with tag, but Flux follows exactly one ref (given: "1.x"). Fix: keep one of tag, semver',
        );
    });

    it("refuses paths that leave clusters/, after normalising them, and takes ./clusters/<env>/", () => {
        for (const given of ["../clusters/local", "/clusters/local"]) {
            assert.deepStrictEqual(gitopsProblems({ repository: REPO, path: given }), [
                `fluxpilot:gitops.path: is not a folder under clusters/ (given: ${JSON.stringify(given)}). Fix: point Flux at this environment's entry point, e.g. clusters/prod`,
            ]);
        }
        assert.deepStrictEqual(gitopsProblems({ repository: REPO, path: "clusters/../apps" }), [
            `fluxpilot:gitops.path: is not a folder under clusters/ (given: "apps"). Fix: point Flux at this environment's entry point, e.g. clusters/prod`,
        ]);
        const raw = gitopsSchema.parse({ repository: REPO, path: "./clusters/local/" });
        assert.strictEqual(gitopsDefaults(raw, "local", "5m").path, "clusters/local");
    });

    it("refuses auth that cannot work with the URL: a deploy key off github.com or over https, basic over ssh, a Secret without a name", () => {
        assert.deepStrictEqual(
            gitopsProblems({ repository: "ssh://git@gitlab.com/acme/fluxpilot", auth: { type: "deployKey" }, github: { owner: "acme" } })[0],
            'fluxpilot:gitops.repository: is not on github.com, where the deploy key is registered (given: "ssh://git@gitlab.com/acme/fluxpilot"). Fix: use auth.type secretRef with a key you registered on that host yourself',
        );
        assert.deepStrictEqual(gitopsProblems({ repository: "https://gitlab.com/acme/fluxpilot", auth: { type: "deployKey" } }), [
            'fluxpilot:gitops.repository: is not an ssh:// URL, but a deploy key authenticates over SSH (given: "https://gitlab.com/acme/fluxpilot"). Fix: use ssh://git@gitlab.com/acme/fluxpilot',
            'fluxpilot:gitops.repository: is not on github.com, where the deploy key is registered (given: "https://gitlab.com/acme/fluxpilot"). Fix: use auth.type secretRef with a key you registered on that host yourself',
            "fluxpilot:gitops.github.owner: is missing, but auth.type deployKey registers the key on the GitHub repository. Fix: set github.owner to the repository's owner, e.g. acme",
        ]);
        assert.deepStrictEqual(gitopsProblems({ repository: "ssh://git@github.com/acme/fluxpilot", auth: { type: "basic" } }), [
            'fluxpilot:gitops.repository: is not an https:// URL, but basic auth is for HTTPS (given: "ssh://git@github.com/acme/fluxpilot"). Fix: use https://github.com/acme/fluxpilot, or auth.type deployKey/secretRef for SSH',
            "fluxpilot:gitPassword: is missing, but auth.type basic needs a password or token. Fix: run: pulumi config set --secret fluxpilot:gitPassword <password or token with read access>",
        ]);
        assert.deepStrictEqual(gitopsProblems({ repository: REPO, auth: { type: "secretRef" } }), [
            "fluxpilot:gitops.auth.secretName: is missing, but auth.type secretRef reads Git credentials from an existing Secret. Fix: set secretName to a Secret in flux-system with identity/known_hosts (SSH) or username/password (HTTPS)",
        ]);
        assert.deepStrictEqual(gitopsProblems({ repository: REPO, github: { owner: "other" } }), [
            'fluxpilot:gitops.github.owner: does not match the owner in the repository URL (acme) (given: "other"). Fix: set github.owner to acme, or correct the repository URL',
        ]);
    });

    it("fills basic auth's user name and the GitHub repository name from the URL", () => {
        const defaults = (gitops: Record<string, unknown>) => gitopsDefaults(gitopsSchema.parse(gitops), "dev", "5m");
        assert.deepStrictEqual(defaults({ repository: REPO, auth: { type: "basic" } }).auth, { type: "basic", username: "git", password: undefined });
        assert.deepStrictEqual(defaults({ repository: `${REPO}.git`, github: { owner: "acme" } }).github, { owner: "acme", name: "fluxpilot", token: undefined });
        // A URL the URL rule refuses leaves the name empty rather than throwing before that rule reports it.
        assert.deepStrictEqual(defaults({ repository: "not a url", github: { owner: "acme" } }).github, { owner: "acme", name: "", token: undefined });
    });

    it("refuses a semver range semver cannot read, a path that only contains clusters/, and a token-less deploy key, and survives a bad URL with an owner", () => {
        assert.deepStrictEqual(
            gitopsProblems({ repository: REPO, semver: "not a range" })[0],
            `fluxpilot:gitops.semver: is not a semver range (given: "not a range"). Fix: write a range over the repository's tags, e.g. ">=1.0.0 <2.0.0"`,
        );
        for (const given of ["apps/clusters/local", "clusters/local x"]) {
            assert.deepStrictEqual(gitopsProblems({ repository: REPO, path: given }), [
                `fluxpilot:gitops.path: is not a folder under clusters/ (given: ${JSON.stringify(given)}). Fix: point Flux at this environment's entry point, e.g. clusters/prod`,
            ]);
        }
        assert.deepStrictEqual(gitopsProblems({ repository: "ssh://git@github.com/acme/fluxpilot", auth: { type: "deployKey" }, github: { owner: "acme" } }), [
            "fluxpilot:githubToken: is missing, but auth.type deployKey registers the key on the GitHub repository. Fix: run: pulumi config set --secret fluxpilot:githubToken <token with the repository's administration:write permission>",
        ]);
        assert.deepStrictEqual(gitopsProblems({ repository: "not a url", github: { owner: "acme" } }), [
            'fluxpilot:gitops.repository: is neither an https:// nor an ssh:// repository URL (given: "not a url"). Fix: use https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo> (scp-style git@host:repo is not accepted by Flux)',
        ]);
    });

    describe("staging and prod", () => {
        const config = (repository: string, extra: Record<string, unknown> = {}) => gitopsDefaults(gitopsSchema.parse({ repository, ...extra }), "prod", "5m");
        const problems = (repository: string, projectRepository: string | undefined, extra: Record<string, unknown> = {}) =>
            validateEnvironmentSource(config(repository, extra), "prod", "fluxpilot:gitops", projectRepository).map(formatProblem);

        it("take this project's repository only, compared without case or .git", () => {
            assert.deepStrictEqual(problems("https://github.com/ACME/FluxPilot.git", REPO), []);
            assert.deepStrictEqual(problems("ssh://git@github.com/acme/fluxpilot", REPO), []);
            const fix = "Fix: use https://github.com/acme/fluxpilot or ssh://git@github.com/acme/fluxpilot";
            for (const other of ["https://github.com/other/fluxpilot", "https://github.com/acme/other", "https://gitlab.com/acme/fluxpilot"]) {
                assert.deepStrictEqual(problems(other, REPO), [
                    `fluxpilot:gitops.repository: is not this project's repository (github.com/acme/fluxpilot, from package.json), whose content the checks reviewed (given: ${JSON.stringify(other)}). ${fix}`,
                ]);
            }
        });

        it("cannot compare with a project that declares no repository, and leave a malformed URL to the URL rule", () => {
            assert.deepStrictEqual(problems(REPO, undefined), [
                `fluxpilot:gitops.repository: cannot be compared with this project's repository: package.json declares none (given: "${REPO}"). Fix: set repository.url in package.json to this project's repository`,
            ]);
            assert.deepStrictEqual(problems("not a url", REPO), []);
        });

        it("sync their own entry point from main or a tag", () => {
            assert.deepStrictEqual(problems(REPO, REPO, { branch: "dev", path: "clusters/dev" }), [
                'fluxpilot:gitops.path: is not clusters/prod, the only entry point prod may sync (others hold weaker policies) (given: "clusters/dev"). Fix: remove path (it defaults to clusters/prod) or set it to clusters/prod',
                'fluxpilot:gitops.branch: is not main: prod syncs only reviewed content, the main branch or a release tag (given: "dev"). Fix: merge the change into main and set branch: main (or remove it), or follow a tag (tag: v1.2.0)',
            ]);
            assert.deepStrictEqual(problems(REPO, REPO, { tag: "v1" }), []);
            // An invalid branch name is reported by the ref rule already, not twice.
            assert.deepStrictEqual(problems(REPO, REPO, { branch: "a..b" }), []);
        });

        it("are the only environments held to them", () => {
            const devConfig = gitopsDefaults(gitopsSchema.parse({ repository: "https://github.com/other/x", path: "clusters/x", branch: "dev" }), "dev", "5m");
            assert.deepStrictEqual(validateEnvironmentSource(devConfig, "dev", "k", REPO), []);
            assert.deepStrictEqual(validateEnvironmentSource(devConfig, "local", "k", REPO), []);
            assert.strictEqual(validateEnvironmentSource(devConfig, "staging", "k", REPO).length, 3);
        });
    });

    describe("the checkout Flux reads", () => {
        /** A throw-away checkout with `files` (path -> content) written under it. */
        const checkout = (files: Record<string, string>) => {
            const root = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-gitops-"));
            for (const [file, text] of Object.entries(files)) {
                fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
                fs.writeFileSync(path.join(root, file), text);
            }
            return root;
        };
        const flux = (p: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: { name: x }\nspec: { path: ${p} }\n`;
        const pathProblems = (root: string, p: string) => {
            const raw = gitopsSchema.parse({ repository: REPO, path: p });
            return validateGitops(raw, gitopsDefaults(raw, "dev", "5m"), "fluxpilot:gitops", root).map(formatProblem);
        };

        it("follows only the resources a kustomization lists, whichever of its three names it has, into folders and once each", () => {
            for (const name of ["kustomization.yaml", "kustomization.yml", "Kustomization"]) {
                const root = checkout({
                    [`clusters/dev/${name}`]: "resources: [apps.yaml, tenants, missing.yaml, notes.txt]\n",
                    "clusters/dev/apps.yaml": flux("./apps/a/overlays/dev"),
                    "clusters/dev/unlisted.yaml": flux("./apps/unlisted"),
                    "clusters/dev/notes.txt": flux("./apps/txt"),
                    // A folder without a kustomization: every YAML file in it, in name order.
                    "clusters/dev/tenants/c.yml": flux("./apps/c/"),
                    "clusters/dev/tenants/b.yaml": flux("apps/b"),
                    "clusters/dev/tenants/readme.md": flux("./apps/md"),
                    // A cycle back to the entry point is read once.
                    "clusters/dev/tenants/loop/kustomization.yaml": "resources: [../.., ../b.yaml]\n",
                });
                assert.deepStrictEqual(fluxKustomizationPaths(root, "clusters/dev"), ["apps/a/overlays/dev", "apps/b", "apps/c", "apps/b"], name);
            }
            assert.deepStrictEqual(fluxKustomizationPaths(checkout({}), "clusters/dev"), []);
        });

        it("counts only files ending in .yaml or .yml, beside any others", () => {
            const root = checkout({
                "clusters/dev/sync.yaml": flux("./apps/a"),
                "clusters/dev/README.md": "# dev\n",
                "clusters/dev/old.yaml.bak": flux("./apps/old"),
                "clusters/qa/sync.yaml.bak": flux("./apps/a"),
            });
            assert.deepStrictEqual(pathProblems(root, "clusters/dev"), []);
            assert.deepStrictEqual(fluxKustomizationPaths(root, "clusters/dev"), ["apps/a"]);
            assert.deepStrictEqual(pathProblems(root, "clusters/qa"), [
                'fluxpilot:gitops.path: does not exist in this repository (or holds no YAML) (given: "clusters/qa"). Fix: create clusters/qa/ with the Flux Kustomizations for this environment, or correct the path',
            ]);
        });

        it("reads nothing from an entry point whose kustomization is empty", () => {
            assert.deepStrictEqual(fluxKustomizationPaths(checkout({ "clusters/dev/kustomization.yaml": "", "clusters/dev/sync.yaml": flux("./apps/a") }), "clusters/dev"), []);
        });

        it("takes an entry point holding YAML without a kustomization, and refuses one holding none", () => {
            const root = checkout({ "clusters/dev/sync.yml": flux("./apps/a"), "clusters/qa/readme.md": "# qa\n" });
            assert.deepStrictEqual(pathProblems(root, "clusters/dev"), []);
            assert.deepStrictEqual(pathProblems(root, "clusters/qa"), [
                'fluxpilot:gitops.path: does not exist in this repository (or holds no YAML) (given: "clusters/qa"). Fix: create clusters/qa/ with the Flux Kustomizations for this environment, or correct the path',
            ]);
            assert.deepStrictEqual(pathProblems(checkout({ "clusters/dev/kustomization.yaml": "resources: []\n" }), "clusters/dev"), []);
        });
    });

    it("takes https and ssh://git@ URLs with a port and a trailing slash, and nothing that could carry a credential or end a scalar", () => {
        for (const good of [REPO, `${REPO}.git`, `${REPO}/`, "ssh://git@github.com/acme/fluxpilot.git", "https://git.example.com:8443/group/sub/repo", "ssh://git@host:2222/a/b"]) {
            assert.ok(wellFormedRepositoryUrl(good), good);
        }
        for (const bad of [
            "http://github.com/acme/x",
            "ssh://github.com/acme/x",
            "git@github.com:acme/x",
            "https://github.com",
            "https://github.com/",
            "https://github.com/acme/x?ref=main",
            "https://github.com/acme/x#main",
            "https://github.com/acme x",
            `${REPO}\nkey: v`,
            `x${REPO}`,
            "https://host:port/a/b",
        ]) {
            assert.ok(!wellFormedRepositoryUrl(bad), bad);
        }
    });
});
