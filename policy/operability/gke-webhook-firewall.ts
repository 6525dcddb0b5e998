/**
 * A private GKE cluster's control plane reaches its nodes only on tcp 443 and 10250, so an
 * admission webhook served on another port times out and every admission it enforces fails
 * (issue 11, item 1). A firewall rule must open the webhook ports from the master range, as
 * terraform-google-kubernetes-engine's private-cluster module does (8443, 9443, 15017;
 * `add_master_webhook_firewall_rules`).
 */
import * as compute from "@pulumi/gcp/compute";
import * as container from "@pulumi/gcp/container";
import { PolicyResource } from "@pulumi/policy";
import { siblingsOf, stackPolicy, typeOf } from "../define";

/** Ports the webhooks FluxPilot's clusters run listen on: 9443 Kyverno, 8443 and 15017 as in the Terraform module. */
export const WEBHOOK_PORTS = ["8443", "9443", "15017"] as const;

const GKE_CLUSTER = typeOf(container.Cluster);
const FIREWALL = typeOf(compute.Firewall);

export const gkeWebhookFirewall = stackPolicy({
    name: "gke-private-webhook-firewall",
    description: "A private GKE cluster has a firewall rule opening the admission webhook ports from its master range to the nodes.",
    severity: "high",
    checkov: [],
    remediationSteps: `Create an INGRESS firewall rule on the cluster's network with sourceRanges [masterIpv4CidrBlock] allowing tcp ${WEBHOOK_PORTS.join(", ")}; the GKE cluster component does this.`,
    configSchema: { properties: { ports: { type: "array", items: { type: "string" }, default: [...WEBHOOK_PORTS] } } },
    validateStack: (args, report) => {
        const { resources } = args;
        const ports = args.getConfig<{ ports?: string[] }>().ports ?? [...WEBHOOK_PORTS];
        for (const cluster of resources.filter((r) => r.type === GKE_CLUSTER)) {
            const privateNodes = cluster.asType(container.Cluster)?.privateClusterConfig;
            if (privateNodes?.enablePrivateNodes !== true) continue;
            const master = privateNodes.masterIpv4CidrBlock;
            const open = new Set(siblingsOf(cluster, resources).flatMap((r) => portsOpenedFrom(r, master)));
            const closed = ports.filter((port) => !open.has(port));
            if (closed.length > 0) {
                report(
                    `private GKE cluster ${cluster.name}: no firewall rule opens tcp ${closed.join(", ")} from the master range ${master}; admission webhooks on those ports time out`,
                    cluster.urn,
                );
            }
        }
    },
});

/** The tcp ports an ingress firewall rule opens from `source`. Port ranges ("8000-9000") count too. */
function portsOpenedFrom(resource: PolicyResource, source: string): string[] {
    if (resource.type !== FIREWALL) return [];
    const rule = resource.asType(compute.Firewall);
    if (rule === undefined || rule.direction === "EGRESS" || rule.disabled === true || !(rule.sourceRanges ?? []).includes(source)) return [];
    return (rule.allows ?? []).filter((a) => a.protocol === "tcp" || a.protocol === "all").flatMap((a) => expandPorts(a.ports ?? []));
}

function expandPorts(ports: readonly string[]): string[] {
    return ports.flatMap((port) => {
        const range = /^(\d+)-(\d+)$/.exec(port);
        if (!range) return [port];
        const [from, to] = [Number(range[1]), Number(range[2])];
        return WEBHOOK_PORTS.filter((p) => Number(p) >= from && Number(p) <= to);
    });
}
