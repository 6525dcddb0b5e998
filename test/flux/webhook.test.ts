import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { RECEIVER_CHART, receiverPath } from "../../components/flux/webhook";
import { composeStack } from "../../stacks/compose";
import { GITHUB_TOKEN_KEY } from "../../core/git";
import { captured, clearRegisteredResources, countsByType, isSecretInput, isSecretOutput, plainInput, unregisteredOutputs, valueOf } from "../support/harness";
import { byName, model, problemsOf, PUBLIC_REPO } from "./support";

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

    describe("over TLS through an Ingress (issue 11 item 16)", () => {
        const ALB = {
            host: "flux-hook.example.com",
            className: "alb",
            annotations: {
                "alb.ingress.kubernetes.io/scheme": "internet-facing",
                "alb.ingress.kubernetes.io/target-type": "ip",
                "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
                "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-west-1:111122223333:certificate/4f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b",
            },
        };
        const config = (webhook: Record<string, unknown>) => ({
            "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot", branch: "main", github: { owner: "acme" } },
            "fluxpilot:flux": { webhook },
            ...TOKEN,
        });

        it("refuses plain http on a public load balancer in staging and prod, before any resource", () => {
            for (const env of ["staging", "prod"]) {
                assert.deepStrictEqual(
                    problemsOf(() => model(env, config({ enabled: true }), [GITHUB_TOKEN_KEY])),
                    [`fluxpilot:flux.webhook.ingress: is missing, so the receiver would be served as plain http on a public load balancer, which ${env} does not allow`],
                );
            }
        });

        it("refuses an Ingress that names no class, and a host that is not a DNS name", () => {
            assert.deepStrictEqual(
                problemsOf(() => model("prod", config({ enabled: true, ingress: { host: "flux-hook.example.com" } }), [GITHUB_TOKEN_KEY])),
                ["fluxpilot:flux.webhook.ingress: names no ingress class, so no controller (or only a default one) would serve it"],
            );
            assert.match(
                problemsOf(() => model("prod", config({ enabled: true, ingress: { ...ALB, host: "203.0.113.10" } }), [GITHUB_TOKEN_KEY]))[0],
                /webhook.ingress.host: is not a DNS name/,
            );
        });

        it("routes https://<host>/hook/ through the Ingress to a ClusterIP Service, with the controller's certificate, and creates no public load balancer", async () => {
            clearRegisteredResources();
            const stack = composeStack(model("prod", config({ enabled: true, ingress: ALB }), [GITHUB_TOKEN_KEY]));
            const resources = await captured();
            const cluster = Object.keys(stack.fluxes)[0];
            assert.ok(!resources.some((r) => r.type === "kubernetes:core/v1:Service" && r.inputs.spec?.type === "LoadBalancer"), "no plain http load balancer");
            const service = byName(resources, `${cluster}-flux-webhook-internal`);
            assert.strictEqual(service.inputs.spec.type, "ClusterIP");
            assert.deepStrictEqual(service.inputs.spec.ports, [{ name: "http", port: 80, targetPort: "http-webhook", protocol: "TCP" }]);
            const ingress = resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress")!;
            assert.ok(ingress);
            assert.deepStrictEqual(ingress.inputs.metadata.annotations, ALB.annotations);
            assert.strictEqual(ingress.inputs.spec.ingressClassName, "alb");
            assert.deepStrictEqual(ingress.inputs.spec.rules, [
                {
                    host: "flux-hook.example.com",
                    http: { paths: [{ path: "/hook/", pathType: "Prefix", backend: { service: { name: "webhook-receiver-internal", port: { name: "http" } } } }] },
                },
            ]);
            const token = plainInput<{ token: string }>(
                resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === `${cluster}-flux-webhook-token`)!.inputs.stringData,
            ).token;
            const hook = byName(resources, `${cluster}-flux-github-webhook`);
            const configuration = plainInput<Record<string, unknown>>(hook.inputs.configuration);
            assert.strictEqual(plainInput(configuration.url), `https://flux-hook.example.com${receiverPath(token, "github-receiver", "flux-system")}`);
            assert.strictEqual(configuration.insecureSsl, false, "GitHub checks the certificate");
            assert.ok(hook.dependencies.includes(ingress.urn), "GitHub is told the URL once the Ingress exists");
        });

        it("names the TLS Secret when the certificate lives in the cluster (cert-manager, AKS app routing)", async () => {
            clearRegisteredResources();
            const ingress = {
                host: "flux-hook.example.com",
                className: "webapprouting.kubernetes.azure.com",
                tlsSecretName: "keyvault-webhook-receiver",
                annotations: { "kubernetes.azure.com/tls-cert-keyvault-uri": "https://prod-kv.vault.azure.net/certificates/flux-hook" },
            };
            composeStack(model("prod", config({ enabled: true, ingress }), [GITHUB_TOKEN_KEY]));
            const registered = (await captured()).find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress")!;
            assert.deepStrictEqual(registered.inputs.spec.tls, [{ hosts: ["flux-hook.example.com"], secretName: "keyvault-webhook-receiver" }]);
        });
    });
});
