import * as assert from "assert";
import { GITHUB_KNOWN_HOSTS } from "../../components/flux/known-hosts";
import { composeStack } from "../../stacks/compose";
import { GIT_PASSWORD_KEY, GITHUB_TOKEN_KEY } from "../../core/git";
import { captured, capturedOfType, clearRegisteredResources, isSecretInput, plainInput, RegisteredResource } from "../support/harness";
import { byName, model, PUBLIC_REPO, SSH_REPO } from "./support";

const SECRET = "kubernetes:core/v1:Secret";
const TOKEN = "ghp_offlineTestToken000000000000000000";
const PASSWORD = "offline-test-password";

async function composed(gitops: Record<string, unknown>, secrets: Record<string, string> = {}) {
    clearRegisteredResources();
    composeStack(model("prod", { "fluxpilot:gitops": gitops, ...secrets }, Object.keys(secrets)));
    return captured();
}

/** Every input that was sent in plain text (secret-wrapped values removed), as one string. */
function plainTextOf(resources: readonly RegisteredResource[]): string {
    const strip = (value: unknown): unknown => {
        if (isSecretInput(value)) return "[secret]";
        if (Array.isArray(value)) return value.map(strip);
        if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v)]));
        return value;
    };
    return JSON.stringify(resources.map((r) => strip(r.inputs)));
}

function syncOf(resources: readonly RegisteredResource[]) {
    return byName(resources, "prod-one-flux-instance").inputs.values.instance.sync;
}

describe("flux: Git credentials", () => {
    it("public HTTPS repository: no Secret, no pull secret", async () => {
        const resources = await composed({ repository: PUBLIC_REPO });
        assert.strictEqual((await capturedOfType(SECRET)).length, 0);
        assert.ok(!("pullSecret" in syncOf(resources)));
    });

    it("existing Secret: referenced by name, nothing created", async () => {
        const resources = await composed({ repository: SSH_REPO, auth: { type: "secretRef", secretName: "git-ssh" } });
        assert.strictEqual((await capturedOfType(SECRET)).length, 0);
        assert.strictEqual(syncOf(resources).pullSecret, "git-ssh");
    });

    it("basic auth: username and password in a secret Secret, created after the namespace and before the instance", async () => {
        const resources = await composed({ repository: PUBLIC_REPO, auth: { type: "basic", username: "ci-bot" } }, { [GIT_PASSWORD_KEY]: PASSWORD });
        const secret = byName(resources, "prod-one-flux-git-credentials");
        assert.deepStrictEqual([secret.inputs.metadata.name, secret.inputs.metadata.namespace], ["flux-system", "flux-system"]);
        assert.ok(isSecretInput(secret.inputs.stringData), "stringData must be secret");
        assert.deepStrictEqual(plainInput(secret.inputs.stringData), { username: "ci-bot", password: PASSWORD });
        assert.ok(secret.dependencies.includes(byName(resources, "prod-one-flux-ns").urn));
        assert.ok(byName(resources, "prod-one-flux-instance").dependencies.includes(secret.urn));
        assert.strictEqual(syncOf(resources).pullSecret, "flux-system");
        assert.ok(!plainTextOf(resources).includes(PASSWORD), "the password appears in plain text");
    });

    describe("deploy key", () => {
        const gitops = { repository: SSH_REPO, branch: "main", auth: { type: "deployKey" }, github: { owner: "acme" } };

        it("generates an ED25519 key and stores it with GitHub's host keys in a secret Secret", async () => {
            const resources = await composed(gitops, { [GITHUB_TOKEN_KEY]: TOKEN });
            assert.strictEqual(byName(resources, "prod-one-flux-deploy-key").inputs.algorithm, "ED25519");
            const secret = byName(resources, "prod-one-flux-git-credentials");
            assert.ok(isSecretInput(secret.inputs.stringData));
            const data = plainInput<Record<string, string>>(secret.inputs.stringData);
            assert.deepStrictEqual(Object.keys(data).sort(), ["identity", "identity.pub", "known_hosts"]);
            assert.match(data.identity, /^-----BEGIN OPENSSH PRIVATE KEY-----/);
            assert.match(data["identity.pub"], /^ssh-ed25519 /);
            assert.strictEqual(data.known_hosts, GITHUB_KNOWN_HOSTS);
            assert.match(data.known_hosts, /^github\.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl$/m);
            assert.strictEqual(syncOf(resources).pullSecret, "flux-system");
        });

        it("registers the public key read-only on the repository through an explicit GitHub provider", async () => {
            const resources = await composed(gitops, { [GITHUB_TOKEN_KEY]: TOKEN });
            const provider = byName(resources, "prod-one-flux-github");
            assert.strictEqual(provider.inputs.owner, "acme");
            assert.ok(isSecretInput(provider.inputs.token), "the GitHub token must be secret");
            const registration = byName(resources, "prod-one-flux-github-deploy-key");
            assert.strictEqual(registration.type, "github:index/repositoryDeployKey:RepositoryDeployKey");
            assert.strictEqual(registration.inputs.readOnly, true);
            assert.strictEqual(registration.inputs.repository, "fluxpilot");
            assert.strictEqual(registration.inputs.title, "fluxpilot prod/prod-one-flux");
            assert.match(registration.inputs.key, /^ssh-ed25519 /);
            assert.ok(registration.provider.startsWith(`${provider.urn}::`));
            // Flux must not try to clone before GitHub accepts the key.
            assert.ok(byName(resources, "prod-one-flux-instance").dependencies.includes(registration.urn));
        });

        it("keeps the private key and the token out of plain text", async () => {
            const resources = await composed(gitops, { [GITHUB_TOKEN_KEY]: TOKEN });
            const text = plainTextOf(resources);
            assert.ok(!text.includes("PRIVATE KEY"), "the private key appears in plain text");
            assert.ok(!text.includes(TOKEN), "the GitHub token appears in plain text");
        });
    });
});
