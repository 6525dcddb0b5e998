import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { RECEIVER_CHART, receiverPath } from "../../components/flux/webhook";
import { composeStack } from "../../stacks/compose";
import { GITHUB_TOKEN_KEY } from "../../core/git";
import { captured, clearRegisteredResources, countsByType, isSecretInput, isSecretOutput, plainInput, unregisteredOutputs, valueOf } from "../support/harness";
import { byName, model, PUBLIC_REPO } from "./support";

const TOKEN = { [GITHUB_TOKEN_KEY]: "ghp_offlineWebhookToken" };

async function withWebhook(enabled: boolean) {
    clearRegisteredResources();
    const stack = composeStack(
        model("dev", { "fluxpilot:gitops": { repository: PUBLIC_REPO, github: { owner: "acme" } }, "fluxpilot:flux": { webhook: { enabled } }, ...TOKEN }, [GITHUB_TOKEN_KEY]),
    );
    return { stack, resources: await captured() };
}

describe("flux: webhook receiver", () => {
    it("computes the receiver path as Flux does (known example)", () => {
        // Reference computed independently: printf '%s' '<token>github-receiverflux-system' | sha256sum
        assert.strictEqual(
            receiverPath("Nq3vE8kZ2rT7pW4yL9cX1mB6hD5fJ0sA", "github-receiver", "flux-system"),
            "/hook/f6307982a5e623c5f9372e35368a822a3d8a6da674693c857b8c3b28d9da5fcc",
        );
    });

    it("registers every public output of Flux and its cluster, the webhook URL included", async () => {
        const { stack } = await withWebhook(true);
        assert.ok(stack.fluxes["dev-one"].webhookUrl);
        assert.deepStrictEqual(await unregisteredOutputs(stack.fluxes["dev-one"]), []);
        assert.deepStrictEqual(await unregisteredOutputs(stack.clusters["dev-one"]), []);
    });

    it("is off by default", async () => {
        clearRegisteredResources();
        const stack = composeStack(model("dev"));
        const counts = await countsByType();
        assert.strictEqual(counts["random:index/randomPassword:RandomPassword"], undefined);
        assert.strictEqual(counts["github:index/repositoryWebhook:RepositoryWebhook"], undefined);
        assert.strictEqual(stack.outputs["dev-one"].flux.webhookUrl, undefined);
    });

    it("keeps a random token as a secret, in the Secret the Receiver reads", async () => {
        const { resources } = await withWebhook(true);
        const token = resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
        assert.deepStrictEqual([token.inputs.length, token.inputs.special], [40, false]);
        const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "dev-one-flux-webhook-token")!;
        assert.deepStrictEqual([secret.inputs.metadata.name, secret.inputs.metadata.namespace], ["webhook-token", "flux-system"]);
        assert.ok(isSecretInput(secret.inputs.stringData));
        assert.deepStrictEqual(Object.keys(plainInput<object>(secret.inputs.stringData)), ["token"]);
    });

    it("creates the Receiver through its own chart after Flux, and exposes the controller through a LoadBalancer", async () => {
        const { resources } = await withWebhook(true);
        const instance = byName(resources, "dev-one-flux-instance");
        const receiver = byName(resources, "dev-one-flux-receiver");
        assert.strictEqual(receiver.type, "kubernetes:helm.sh/v3:Release");
        assert.strictEqual(receiver.inputs.chart, path.join("components", "flux", "charts", "flux-receiver"));
        assert.deepStrictEqual(receiver.inputs.values, { name: "github-receiver", secretName: "webhook-token", gitRepository: "flux-system", events: ["ping", "push"] });
        assert.ok(receiver.dependencies.includes(instance.urn), "the Receiver CRD exists only once Flux is installed");
        const service = byName(resources, "dev-one-flux-webhook");
        assert.strictEqual(service.type, "kubernetes:core/v1:Service");
        assert.strictEqual(service.inputs.spec.type, "LoadBalancer");
        assert.deepStrictEqual(service.inputs.spec.selector, { app: "notification-controller" });
        assert.deepStrictEqual(service.inputs.spec.ports, [{ name: "http", port: 80, targetPort: "http-webhook", protocol: "TCP" }]);
    });

    it("points a GitHub push webhook at the receiver URL, signed with the token, and exports the URL as a secret", async () => {
        const { stack, resources } = await withWebhook(true);
        const token = plainInput<{ token: string }>(
            resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "dev-one-flux-webhook-token")!.inputs.stringData,
        ).token;
        const expected = `http://203.0.113.10${receiverPath(token, "github-receiver", "flux-system")}`;
        const hook = byName(resources, "dev-one-flux-github-webhook");
        assert.strictEqual(hook.type, "github:index/repositoryWebhook:RepositoryWebhook");
        assert.deepStrictEqual([hook.inputs.repository, hook.inputs.events, hook.inputs.active], ["fluxpilot", ["push"], true]);
        const configuration = hook.inputs.configuration;
        assert.ok(isSecretInput(configuration.secret) || isSecretInput(configuration), "the webhook secret must be secret");
        const plain = plainInput<Record<string, unknown>>(configuration);
        assert.deepStrictEqual(
            { ...plain, url: plainInput(plain.url), secret: plainInput(plain.secret) },
            { url: expected, contentType: "json", secret: token, insecureSsl: false },
        );
        assert.ok(hook.dependencies.includes(byName(resources, "dev-one-flux-receiver").urn));
        assert.ok(hook.provider.startsWith(`${byName(resources, "dev-one-flux-github").urn}::`));
        const url = stack.outputs["dev-one"].flux.webhookUrl!;
        assert.strictEqual(await valueOf(url), expected);
        assert.strictEqual(await isSecretOutput(url), true);
    });

    it("ships a chart that renders a notification.toolkit.fluxcd.io/v1 Receiver of the sync GitRepository", () => {
        const dir = path.resolve(RECEIVER_CHART);
        const template = fs.readFileSync(path.join(dir, "templates", "receiver.yaml"), "utf8");
        assert.match(template, /^apiVersion: notification\.toolkit\.fluxcd\.io\/v1\nkind: Receiver$/m);
        assert.match(template, /apiVersion: source\.toolkit\.fluxcd\.io\/v1\n\s+kind: GitRepository/);
        const chart = parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8"));
        assert.deepStrictEqual([chart.apiVersion, chart.name], ["v2", "flux-receiver"]);
        const values = parse(fs.readFileSync(path.join(dir, "values.yaml"), "utf8"));
        assert.deepStrictEqual(values, { name: "github-receiver", secretName: "webhook-token", events: ["ping", "push"], gitRepository: "flux-system" });
    });
});
