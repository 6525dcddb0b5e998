/**
 * What a default-deny NetworkPolicy must still let through for a pod to work: name resolution.
 * A pod whose egress is restricted and that cannot reach the cluster DNS (kube-dns / CoreDNS in
 * kube-system, labelled k8s-app=kube-dns on EKS, GKE, AKS and kind) fails every lookup, yet
 * passes every schema and workload rule. Kubelet probes need no allow: traffic from the pod's
 * own node is always admitted.
 */
import { arrayOrEmpty, recordOrEmpty } from "../core/guards";
import { RenderedObject } from "./kustomize";
import { GitOpsProblem } from "./problems";
import { findWorkloads, labelSelectorMatches, selectingObjects } from "./workload-rules";
import { describeObject, KubeObject, metadataOf, namespaceOf, specOf } from "./yaml";

const DNS_NAMESPACE_LABELS = { "kubernetes.io/metadata.name": "kube-system" };
const DNS_POD_LABELS = { "k8s-app": "kube-dns" };

function restrictsEgress(policy: KubeObject): boolean {
    const spec = specOf(policy);
    return Array.isArray(spec.policyTypes) ? arrayOrEmpty(spec.policyTypes).includes("Egress") : spec.egress !== undefined;
}

/** Whether one egress rule admits DNS over `protocol` to the cluster DNS pods. */
function ruleAllowsDns(rule: unknown, protocol: "UDP" | "TCP", policyNamespace: string | undefined): boolean {
    const { ports, to } = recordOrEmpty(rule);
    const portList = arrayOrEmpty(ports).map(recordOrEmpty);
    const portOk = portList.length === 0 || portList.some((p) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || p.port === 53));
    if (!portOk) return false;
    const peers = arrayOrEmpty(to).map(recordOrEmpty);
    if (peers.length === 0) return true;
    return peers.some((peer) => {
        if (peer.ipBlock) {
            const block = recordOrEmpty(peer.ipBlock);
            return block.cidr === "0.0.0.0/0" && arrayOrEmpty(block.except).length === 0;
        }
        // A peer without namespaceSelector means the policy's own namespace.
        const namespaceOk = peer.namespaceSelector
            ? labelSelectorMatches(peer.namespaceSelector, DNS_NAMESPACE_LABELS)
            : policyNamespace === DNS_NAMESPACE_LABELS["kubernetes.io/metadata.name"];
        const podOk = peer.podSelector ? labelSelectorMatches(peer.podSelector, DNS_POD_LABELS) : true;
        return namespaceOk && podOk;
    });
}

/** Every workload whose egress a NetworkPolicy restricts may still reach the cluster DNS on UDP and TCP 53. */
export function checkDnsEgress(objects: readonly RenderedObject[]): GitOpsProblem[] {
    const problems: GitOpsProblem[] = [];
    for (const w of findWorkloads(objects)) {
        const restricting = selectingObjects(objects, "NetworkPolicy", (p) => specOf(p).podSelector, w).filter(restrictsEgress);
        if (restricting.length === 0) continue;
        const missing = (["UDP", "TCP"] as const).filter(
            (protocol) => !restricting.some((p) => arrayOrEmpty(specOf(p).egress).some((rule) => ruleAllowsDns(rule, protocol, namespaceOf(p)))),
        );
        if (missing.length > 0) {
            problems.push({
                file: w.rendered.sourceFile,
                object: describeObject(w.rendered.object),
                message: `NetworkPolicies ${restricting.map((p) => metadataOf(p).name).join(", ")} restrict its egress but allow no DNS over ${missing.join(" and ")} port 53 to the cluster DNS (namespace kube-system, pods k8s-app=kube-dns): every name lookup would fail`,
            });
        }
    }
    return problems;
}
