/**
 * The rotation procedures in docs/flux.md, checked as a plan: every URN they pass to
 * `pulumi up --replace` is one the program registers, and everything that carries the rotated
 * value is computed from it, so the replacement reaches GitHub and the cluster in the same update.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { composeStack } from "../../stacks/compose";
import { GITHUB_TOKEN_KEY } from "../../core/git";
import { REPOSITORY_ROOT } from "../../core/repository";
import { captured, clearRegisteredResources, RegisteredResource } from "../support/harness";
import { byName, model, SSH_REPO } from "./support";

const TOKEN = "ghp_offlineTestToken000000000000000000";

/** The `--replace` URNs of the rotation section, for stack/project/cluster as the plan names them. */
function documentedUrns(stack: string, project: string, cluster: string): string[] {
    const doc = fs.readFileSync(path.join(REPOSITORY_ROOT, "docs", "flux.md"), "utf8");
    const urns = [...doc.matchAll(/pulumi up -s <stack> --replace '([^']+)'/g)].map((m) => m[1]);
    return [...new Set(urns)].map((urn) => urn.replace("<stack>", stack).replace("::fluxpilot::", `::${project}::`).replace("<cluster>", cluster));
}

describe("flux: rotation procedures (docs/flux.md), as a plan", () => {
    let resources: readonly RegisteredResource[];
    let urns: string[];

    before(async () => {
        clearRegisteredResources();
        const config = {
            "fluxpilot:gitops": { repository: SSH_REPO, branch: "main", auth: { type: "deployKey" }, github: { owner: "acme" } },
            "fluxpilot:flux": { webhook: { enabled: true, ingress: { host: "flux-hook.example.com", className: "alb", annotations: {} } } },
            [GITHUB_TOKEN_KEY]: TOKEN,
        };
        composeStack(model("prod", config, [GITHUB_TOKEN_KEY]));
        resources = await captured();
        const [, stack, project] = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(resources[0].urn)!;
        urns = documentedUrns(stack, project, "prod-one");
    });

    it("documents the deploy key and the webhook token, and the plan has both", () => {
        assert.strictEqual(urns.length, 2, urns.join("\n"));
        for (const urn of urns)
            assert.ok(
                resources.some((r) => r.urn === urn),
                `${urn} is not in the plan`,
            );
    });

    it("replacing the deploy key re-registers it on GitHub and rewrites the flux-system Secret", () => {
        const key = byName(resources, "prod-one-flux-deploy-key");
        assert.ok(urns.includes(key.urn));
        assert.ok(byName(resources, "prod-one-flux-github-deploy-key").dependencies.includes(key.urn));
        assert.ok(byName(resources, "prod-one-flux-git-credentials").dependencies.includes(key.urn));
    });

    it("replacing the webhook token updates the cluster's Secret and the GitHub webhook", () => {
        const token = resources.find((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === "prod-one-flux-webhook-token")!;
        assert.ok(urns.includes(token.urn));
        const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "prod-one-flux-webhook-token")!;
        assert.ok(secret.dependencies.includes(token.urn));
        assert.ok(byName(resources, "prod-one-flux-github-webhook").dependencies.includes(token.urn));
    });
});
