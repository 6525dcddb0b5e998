/**
 * Instant sync: GitHub calls a Flux Receiver on every push, so the sync source is fetched within
 * seconds instead of at the next interval.
 *
 * - a random token (secret), in a Secret the Receiver reads and as the GitHub webhook's secret,
 *   so the notification-controller only accepts payloads GitHub signed with it;
 * - the Receiver, from the small chart in ./charts/flux-receiver (a Helm release, because the
 *   Receiver is a Flux custom resource whose CRD this same deployment installs);
 * - the way in: with `ingress`, a ClusterIP Service and an Ingress on the cluster's ingress
 *   controller, which terminates TLS for `host`, so GitHub calls https://<host>/hook/...; without
 *   it (dev and local only: the stack model refuses it in staging and prod), a LoadBalancer
 *   Service and plain http;
 * - the GitHub repository webhook, pointing at the URL Flux serves for that Receiver.
 */
import { createHash } from "crypto";
import * as path from "path";
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { FLUX_NAMESPACE, SYNC_NAME, WebhookIngress } from "../../core/flux";
import { REPOSITORY_ROOT } from "../../core/repository";

export const RECEIVER_NAME = "github-receiver";
export const WEBHOOK_TOKEN_SECRET = "webhook-token";
/**
 * The chart, relative to the project root (where Pulumi runs the program), so state is machine-independent.
 * Found from the checkout, not from this file: the command lines run a JavaScript copy in out/build (tools/build.js).
 */
export const RECEIVER_CHART = path.relative(process.cwd(), path.join(REPOSITORY_ROOT, "components", "flux", "charts", "flux-receiver")) || ".";

/**
 * The path notification-controller serves a Receiver at: `/hook/` followed by the hex SHA-256 of
 * the token, the Receiver's name and its namespace, concatenated (as Flux computes it).
 */
export function receiverPath(token: string, name: string, namespace: string): string {
    return `/hook/${createHash("sha256")
        .update(token + name + namespace)
        .digest("hex")}`;
}

/** The public address of a LoadBalancer Service: an IP on most clouds, a host name on AWS. */
export function loadBalancerAddress(status: k8s.types.output.core.v1.ServiceStatus | undefined): string | undefined {
    const ingress = status?.loadBalancer?.ingress?.[0];
    return ingress?.ip || ingress?.hostname || undefined;
}

export interface WebhookArgs {
    name: string;
    parent: pulumi.Resource;
    /** GitHub repository name (the provider carries the owner). */
    repository: string;
    githubProvider: github.Provider;
    /** Flux is running and its CRDs exist once these do. */
    fluxReady: pulumi.Resource[];
    /** Serve the receiver over TLS through this Ingress; plain http on a LoadBalancer without it. */
    ingress?: WebhookIngress;
}

/** Where notification-controller serves Receivers (the `/hook/` prefix of every receiver path). */
const HOOK_PREFIX = "/hook/";
const LABELS = { "app.kubernetes.io/managed-by": "fluxpilot" };

/** Creates the receiver side and the GitHub webhook; returns the webhook URL (secret: it embeds the token's digest). */
export function createWebhook(args: WebhookArgs): pulumi.Output<string> {
    const { name, parent } = args;
    // Kubernetes objects take the cluster's provider from their parent, the Flux component.
    const k8sOpts = { parent };
    const token = new random.RandomPassword(`${name}-webhook-token`, { length: 40, special: false }, { parent });
    const tokenValue = pulumi.secret(token.result);
    const secret = new k8s.core.v1.Secret(
        `${name}-webhook-token`,
        {
            metadata: { name: WEBHOOK_TOKEN_SECRET, namespace: FLUX_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "fluxpilot" } },
            type: "Opaque",
            stringData: pulumi.secret(pulumi.all({ token: tokenValue })),
        },
        { ...k8sOpts, dependsOn: args.fluxReady },
    );
    const receiver = new k8s.helm.v3.Release(
        `${name}-receiver`,
        {
            name: "flux-receiver",
            chart: RECEIVER_CHART,
            namespace: FLUX_NAMESPACE,
            createNamespace: false,
            values: { name: RECEIVER_NAME, secretName: WEBHOOK_TOKEN_SECRET, gitRepository: SYNC_NAME, events: ["ping", "push"] },
        },
        { ...k8sOpts, dependsOn: [secret, ...args.fluxReady] },
    );
    const { url, entry } = args.ingress ? servedThroughIngress(args, args.ingress, tokenValue) : servedOnLoadBalancer(args, tokenValue);
    new github.RepositoryWebhook(
        `${name}-github-webhook`,
        {
            repository: args.repository,
            active: true,
            events: ["push"],
            configuration: { url, contentType: "json", secret: tokenValue, insecureSsl: false },
        },
        { parent, provider: args.githubProvider, dependsOn: [receiver, entry] },
    );
    return pulumi.secret(url);
}

/** The Service in front of notification-controller's webhook port, of the given type. */
function receiverService(args: WebhookArgs, name: string, type: "LoadBalancer" | "ClusterIP"): k8s.core.v1.Service {
    return new k8s.core.v1.Service(
        `${args.name}-${type === "LoadBalancer" ? "webhook" : "webhook-internal"}`,
        {
            metadata: { name, namespace: FLUX_NAMESPACE, labels: LABELS },
            spec: { type, selector: { app: "notification-controller" }, ports: [{ name: "http", port: 80, targetPort: "http-webhook", protocol: "TCP" }] },
        },
        { parent: args.parent, dependsOn: args.fluxReady },
    );
}

/** Plain http on a public load balancer's address (dev and local only). */
function servedOnLoadBalancer(args: WebhookArgs, token: pulumi.Output<string>): { url: pulumi.Output<string>; entry: pulumi.Resource } {
    const service = receiverService(args, "webhook-receiver-public", "LoadBalancer");
    const url = pulumi.all([service.status, token]).apply(([status, value]) => {
        const address = loadBalancerAddress(status);
        if (!address) {
            throw new pulumi.ResourceError(`webhook Service ${FLUX_NAMESPACE}/webhook-receiver-public has no load balancer address yet`, service);
        }
        return `http://${address}${receiverPath(value, RECEIVER_NAME, FLUX_NAMESPACE)}`;
    });
    return { url, entry: service };
}

/**
 * https://<host>/hook/... through the cluster's ingress controller, which terminates TLS with the
 * certificate its annotations or the TLS Secret name. Only the receiver paths are routed. GitHub
 * checks the certificate (the webhook keeps insecureSsl off), so the host's DNS record must point
 * at the Ingress's address and the certificate must be valid for the host.
 */
function servedThroughIngress(args: WebhookArgs, ingress: WebhookIngress, token: pulumi.Output<string>): { url: pulumi.Output<string>; entry: pulumi.Resource } {
    const service = receiverService(args, "webhook-receiver-internal", "ClusterIP");
    const entry = new k8s.networking.v1.Ingress(
        `${args.name}-webhook`,
        {
            metadata: { name: "webhook-receiver", namespace: FLUX_NAMESPACE, labels: LABELS, annotations: ingress.annotations },
            spec: {
                ingressClassName: ingress.className,
                tls: ingress.tlsSecretName ? [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] : undefined,
                rules: [
                    {
                        host: ingress.host,
                        http: { paths: [{ path: HOOK_PREFIX, pathType: "Prefix", backend: { service: { name: service.metadata.name, port: { name: "http" } } } }] },
                    },
                ],
            },
        },
        { parent: args.parent, dependsOn: [service, ...args.fluxReady] },
    );
    const url = token.apply((value) => `https://${ingress.host}${receiverPath(value, RECEIVER_NAME, FLUX_NAMESPACE)}`);
    return { url, entry };
}
