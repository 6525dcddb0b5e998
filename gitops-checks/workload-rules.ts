/**
 * Workload rules over rendered objects: the security and reliability baseline every pod that
 * Flux applies must meet. Each rule mirrors a public check (checkov CKV_K8S_*, kube-score,
 * Polaris) and is named after it, so a failure can be looked up; the same rules are enforced in
 * the clusters by the Kyverno ClusterPolicies under infrastructure/configs/base/kyverno-policies.
 */
import { arrayOrEmpty, isRecord, recordOrEmpty, scalarText } from "../core/guards";
import { RenderedObject } from "./kustomize";
import { GitOpsProblem } from "./problems";
import { apiVersionOf, describeObject, kindOf, KubeObject, namespaceOf, nameOf, specOf } from "./yaml";

export interface Workload {
    rendered: RenderedObject;
    kind: string;
    namespace: string | undefined;
    name: string;
    podSpec: Record<string, unknown>;
    podLabels: Record<string, string>;
    /** The HorizontalPodAutoscaler that scales this workload, if any. */
    hpa?: KubeObject;
    /** Replicas the workload runs with at least: the HPA's minReplicas, else spec.replicas, else 1. */
    minReplicas: number;
}

export interface RuleContext {
    objects: readonly RenderedObject[];
}

export interface WorkloadRule {
    /** The public id the rule is reported under (checkov id, else the kube-score check name). */
    id: string;
    /** The public checks it mirrors, for the test name and the docs. */
    mirrors: string;
    title: string;
    /** Messages for every way the workload breaks the rule (empty when it passes). */
    check(workload: Workload, context: RuleContext): string[];
}

const POD_TEMPLATE_PATH: Readonly<Record<string, readonly string[]>> = {
    Deployment: ["spec", "template"],
    StatefulSet: ["spec", "template"],
    DaemonSet: ["spec", "template"],
    ReplicaSet: ["spec", "template"],
    Job: ["spec", "template"],
    CronJob: ["spec", "jobTemplate", "spec", "template"],
    Pod: [],
};

/** Kinds that run a fixed set of replicas and so need disruption budgets (as kube-score). */
const REPLICATED_KINDS = new Set(["Deployment", "StatefulSet"]);

function dig(object: unknown, keys: readonly string[]): unknown {
    return keys.reduce<unknown>((value, k) => (isRecord(value) ? value[k] : undefined), object);
}

function sameNamespace(a: KubeObject, namespace: string | undefined): boolean {
    return namespaceOf(a) === namespace;
}

/** Label values as text, as the API server holds them (YAML may have parsed `tier: 1` as a number). */
function labelsOf(value: unknown): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(recordOrEmpty(value))) {
        const text = scalarText(v);
        if (text !== undefined) labels[k] = text;
    }
    return labels;
}

function numberOr(value: unknown, fallback: number): number {
    return typeof value === "number" ? value : fallback;
}

/** The objects of `kind` in the workload's namespace whose selector (`selectorOf`) selects its pods. */
export function selectingObjects(objects: readonly RenderedObject[], kind: string, selectorOf: (o: KubeObject) => unknown, w: Workload): KubeObject[] {
    return objects.map((r) => r.object).filter((o) => kindOf(o) === kind && sameNamespace(o, w.namespace) && labelSelectorMatches(selectorOf(o), w.podLabels));
}

/** Workloads among rendered objects (core/apps/batch kinds with a pod template). */
export function findWorkloads(objects: readonly RenderedObject[]): Workload[] {
    const workloads: Workload[] = [];
    for (const rendered of objects) {
        const { object } = rendered;
        const kind = kindOf(object);
        const templatePath = kind === undefined ? undefined : POD_TEMPLATE_PATH[kind];
        if (kind === undefined || !templatePath || !/^(v1|apps\/v1|batch\/v1)$/.test(apiVersionOf(object) ?? "")) continue;
        const template = recordOrEmpty(templatePath.length === 0 ? object : dig(object, templatePath));
        const namespace = namespaceOf(object);
        const name = String(nameOf(object));
        const hpa = objects
            .map((r) => r.object)
            .find((o) => {
                const target = recordOrEmpty(specOf(o).scaleTargetRef);
                return kindOf(o) === "HorizontalPodAutoscaler" && sameNamespace(o, namespace) && target.kind === kind && scalarText(target.name) === name;
            });
        const minReplicas = hpa ? numberOr(specOf(hpa).minReplicas, 1) : kind === "Pod" ? 1 : numberOr(specOf(object).replicas, 1);
        workloads.push({
            rendered,
            kind,
            namespace,
            name,
            podSpec: recordOrEmpty(template.spec),
            podLabels: labelsOf(recordOrEmpty(template.metadata).labels),
            hpa,
            minReplicas,
        });
    }
    return workloads;
}

type Container = Record<string, unknown>;

function containers(podSpec: Record<string, unknown>, includeInit: boolean): Container[] {
    const main = arrayOrEmpty(podSpec.containers);
    const init = includeInit ? arrayOrEmpty(podSpec.initContainers) : [];
    return [...init, ...main].filter(isRecord);
}

function securityContextOf(c: Container): Record<string, unknown> {
    return recordOrEmpty(c.securityContext);
}

/** Runs `test` on each container and prefixes failures with the container's name. */
function perContainer(workload: Workload, includeInit: boolean, test: (c: Container) => string | undefined): string[] {
    const found = containers(workload.podSpec, includeInit);
    if (found.length === 0) return ["the pod template has no containers"];
    return found.flatMap((c) => {
        const failure = test(c);
        return failure ? [`container ${String(c.name)}: ${failure}`] : [];
    });
}

/** A container's setting, falling back to the pod's securityContext as Kubernetes does. */
function effective(workload: Workload, c: Container, field: string): unknown {
    return securityContextOf(c)[field] ?? recordOrEmpty(workload.podSpec.securityContext)[field];
}

export function labelSelectorMatches(selector: unknown, labels: Record<string, string>): boolean {
    if (!selector || typeof selector !== "object") return false;
    const { matchLabels, matchExpressions } = recordOrEmpty(selector);
    for (const [k, v] of Object.entries(recordOrEmpty(matchLabels))) {
        const wanted = scalarText(v);
        if (wanted === undefined || labels[k] !== wanted) return false;
    }
    for (const entry of arrayOrEmpty(matchExpressions)) {
        const expression = recordOrEmpty(entry);
        const value = labels[String(expression.key)];
        const values = arrayOrEmpty(expression.values).map(scalarText);
        switch (expression.operator) {
            case "In":
                if (value === undefined || !values.includes(value)) return false;
                break;
            case "NotIn":
                if (value !== undefined && values.includes(value)) return false;
                break;
            case "Exists":
                if (value === undefined) return false;
                break;
            case "DoesNotExist":
                if (value !== undefined) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

function requireResource(kind: "requests" | "limits", resource: "cpu" | "memory") {
    return (workload: Workload): string[] =>
        perContainer(workload, true, (c) => (recordOrEmpty(recordOrEmpty(c.resources)[kind])[resource] === undefined ? `no resources.${kind}.${resource}` : undefined));
}

/** Every container (init containers too) sets securityContext.<field> to `value` itself. */
function requireContainerSetting(field: string, value: boolean) {
    return (workload: Workload): string[] => perContainer(workload, true, (c) => (securityContextOf(c)[field] === value ? undefined : `securityContext.${field} is not ${value}`));
}

/** Kinds that serve until stopped; a Job's pods run to completion and take no probes. */
const LONG_RUNNING_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"]);

function requireProbe(probe: "livenessProbe" | "readinessProbe") {
    return (workload: Workload): string[] => (LONG_RUNNING_KINDS.has(workload.kind) ? perContainer(workload, false, (c) => (c[probe] ? undefined : `no ${probe}`)) : []);
}

/** The tag of an image reference, "" when it has none; digests count as pinned. */
export function imageTag(image: string): { tag: string; digest: boolean } {
    const digest = image.includes("@sha256:");
    const withoutDigest = image.split("@")[0];
    const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
    const colon = lastSegment.indexOf(":");
    return { tag: colon < 0 ? "" : lastSegment.slice(colon + 1), digest };
}

function percentOrCount(value: unknown, replicas: number): number {
    if (typeof value === "number") return value;
    const match = /^(\d+)%$/.exec(String(value));
    return match ? Math.ceil((Number(match[1]) / 100) * replicas) : NaN;
}

export const WORKLOAD_RULES: readonly WorkloadRule[] = [
    {
        id: "CKV_K8S_8",
        mirrors: "checkov CKV_K8S_8, kube-score pod-probes, Polaris livenessProbeMissing",
        title: "every container has a liveness probe",
        check: requireProbe("livenessProbe"),
    },
    {
        id: "CKV_K8S_9",
        mirrors: "checkov CKV_K8S_9, kube-score pod-probes, Polaris readinessProbeMissing",
        title: "every container has a readiness probe",
        check: requireProbe("readinessProbe"),
    },
    {
        id: "CKV_K8S_10",
        mirrors: "checkov CKV_K8S_10, kube-score container-resources, Polaris cpuRequestsMissing",
        title: "every container requests CPU",
        check: requireResource("requests", "cpu"),
    },
    {
        id: "CKV_K8S_11",
        mirrors: "checkov CKV_K8S_11, kube-score container-resources, Polaris cpuLimitsMissing",
        title: "every container has a CPU limit",
        check: requireResource("limits", "cpu"),
    },
    {
        id: "CKV_K8S_12",
        mirrors: "checkov CKV_K8S_12, kube-score container-resources, Polaris memoryRequestsMissing",
        title: "every container requests memory",
        check: requireResource("requests", "memory"),
    },
    {
        id: "CKV_K8S_13",
        mirrors: "checkov CKV_K8S_13, kube-score container-resources, Polaris memoryLimitsMissing",
        title: "every container has a memory limit",
        check: requireResource("limits", "memory"),
    },
    {
        id: "CKV_K8S_14",
        mirrors: "checkov CKV_K8S_14, kube-score container-image-tag, Polaris tagNotSpecified",
        title: "every image is pinned to a tag other than latest",
        check: (w) =>
            perContainer(w, true, (c) => {
                const { tag, digest } = imageTag(scalarText(c.image) ?? "");
                if (digest) return undefined;
                if (tag === "") return `image "${String(c.image)}" has no tag`;
                if (tag.toLowerCase() === "latest") return `image "${String(c.image)}" uses the latest tag`;
                return undefined;
            }),
    },
    {
        id: "CKV_K8S_16",
        mirrors: "checkov CKV_K8S_16, kube-score container-security-context-privileged, Polaris privileged",
        title: "no container is privileged",
        check: (w) => perContainer(w, true, (c) => (securityContextOf(c).privileged === true ? "securityContext.privileged is true" : undefined)),
    },
    {
        id: "CKV_K8S_20",
        mirrors: "checkov CKV_K8S_20, Polaris privilegeEscalationAllowed",
        title: "no container allows privilege escalation",
        check: requireContainerSetting("allowPrivilegeEscalation", false),
    },
    {
        id: "CKV_K8S_22",
        mirrors: "checkov CKV_K8S_22, kube-score container-security-context-readonlyrootfilesystem, Polaris notReadOnlyRootFilesystem",
        title: "every container has a read-only root filesystem",
        check: requireContainerSetting("readOnlyRootFilesystem", true),
    },
    {
        id: "CKV_K8S_23",
        mirrors: "checkov CKV_K8S_23, kube-score container-security-context-user-group-id, Polaris runAsRootAllowed",
        title: "every container runs as non-root",
        check: (w) =>
            perContainer(w, true, (c) => {
                if (effective(w, c, "runAsNonRoot") !== true) return "runAsNonRoot is not true (container or pod securityContext)";
                if (effective(w, c, "runAsUser") === 0) return "runAsUser is 0 (root)";
                return undefined;
            }),
    },
    {
        id: "CKV_K8S_31",
        mirrors: "checkov CKV_K8S_31, kube-score container-seccomp-profile",
        title: "every container runs with the RuntimeDefault seccomp profile",
        check: (w) =>
            perContainer(w, true, (c) => {
                const profile = recordOrEmpty(effective(w, c, "seccompProfile")).type;
                return profile === "RuntimeDefault" || profile === "Localhost" ? undefined : `seccompProfile.type is ${JSON.stringify(profile)}, not RuntimeDefault`;
            }),
    },
    {
        id: "CKV_K8S_37",
        mirrors: "checkov CKV_K8S_37 and CKV_K8S_28, Polaris dangerousCapabilities and insecureCapabilities",
        title: "every container drops all capabilities",
        check: (w) =>
            perContainer(w, true, (c) => {
                const caps = recordOrEmpty(securityContextOf(c).capabilities);
                const drop = arrayOrEmpty(caps.drop).map((x) => String(x).toUpperCase());
                // NET_BIND_SERVICE is the one addition the restricted Pod Security Standard allows.
                const added = arrayOrEmpty(caps.add).filter((x) => String(x).toUpperCase() !== "NET_BIND_SERVICE");
                if (!drop.includes("ALL")) return "securityContext.capabilities.drop does not include ALL";
                if (added.length > 0) return `securityContext.capabilities.add grants ${added.join(", ")}`;
                return undefined;
            }),
    },
    {
        id: "CKV_K8S_38",
        mirrors: "checkov CKV_K8S_38",
        title: "service account tokens are mounted only where needed",
        check: (w, context) => {
            if (w.podSpec.automountServiceAccountToken === false) return [];
            if (w.podSpec.automountServiceAccountToken === true) return ["automountServiceAccountToken is true"];
            const accountName = scalarText(w.podSpec.serviceAccountName) ?? "default";
            const account = context.objects.map((r) => r.object).find((o) => kindOf(o) === "ServiceAccount" && nameOf(o) === accountName && sameNamespace(o, w.namespace));
            return account?.automountServiceAccountToken === false ? [] : [`the pod mounts a token of service account ${accountName}: set automountServiceAccountToken: false`];
        },
    },
    {
        id: "CKV_K8S_21",
        mirrors: "checkov CKV_K8S_21",
        title: "no workload runs in the default namespace",
        check: (w) => (!w.namespace || w.namespace === "default" ? [`namespace is ${w.namespace ?? "unset"}: give the app its own namespace`] : []),
    },
    {
        id: "deployment-has-poddisruptionbudget",
        mirrors: "kube-score deployment-has-poddisruptionbudget and statefulset-has-poddisruptionbudget, Polaris missingPodDisruptionBudget",
        title: "workloads with more than one replica have a PodDisruptionBudget that allows a disruption",
        check: (w, context) => {
            if (!REPLICATED_KINDS.has(w.kind) || w.minReplicas <= 1) return [];
            const budgets = selectingObjects(context.objects, "PodDisruptionBudget", (o) => specOf(o).selector, w);
            if (budgets.length === 0) return [`runs at least ${w.minReplicas} replicas but no PodDisruptionBudget selects its pods`];
            return budgets.flatMap((pdb) => {
                const spec = specOf(pdb);
                const allowed =
                    spec.maxUnavailable !== undefined ? percentOrCount(spec.maxUnavailable, w.minReplicas) : w.minReplicas - percentOrCount(spec.minAvailable, w.minReplicas);
                return allowed > 0 ? [] : [`PodDisruptionBudget ${String(nameOf(pdb))} allows no disruption at ${w.minReplicas} replicas, so nodes cannot drain`];
            });
        },
    },
    {
        id: "pod-networkpolicy",
        mirrors: "kube-score pod-networkpolicy",
        title: "a NetworkPolicy selects every pod, for both ingress and egress",
        check: (w, context) => {
            const policies = selectingObjects(context.objects, "NetworkPolicy", (o) => specOf(o).podSelector, w);
            if (policies.length === 0) return ["no NetworkPolicy selects its pods"];
            const types = new Set(
                policies.flatMap((p) => {
                    const spec = specOf(p);
                    const declared = spec.policyTypes ?? (spec.egress ? ["Ingress", "Egress"] : ["Ingress"]);
                    return Array.isArray(declared) ? arrayOrEmpty(declared) : [declared];
                }),
            );
            return ["Ingress", "Egress"].filter((t) => !types.has(t)).map((t) => `no NetworkPolicy selecting its pods restricts ${t}`);
        },
    },
    {
        id: "deployment-targeted-by-hpa-does-not-have-replicas-configured",
        mirrors: "kube-score deployment-targeted-by-hpa-does-not-have-replicas-configured",
        title: "workloads scaled by an HPA leave spec.replicas unset",
        check: (w) =>
            w.hpa && specOf(w.rendered.object).replicas !== undefined
                ? [`spec.replicas is set while HorizontalPodAutoscaler ${String(nameOf(w.hpa))} scales it; Flux would reset the count on every sync`]
                : [],
    },
];

/** Problems for one rule across the workloads among `objects`. */
export function checkWorkloadRule(rule: WorkloadRule, objects: readonly RenderedObject[]): GitOpsProblem[] {
    const context: RuleContext = { objects };
    return findWorkloads(objects).flatMap((w) =>
        rule.check(w, context).map((message) => ({
            file: w.rendered.sourceFile,
            object: describeObject(w.rendered.object),
            rule: rule.id,
            message,
        })),
    );
}

export function checkWorkloads(objects: readonly RenderedObject[], rules: readonly WorkloadRule[] = WORKLOAD_RULES): GitOpsProblem[] {
    return rules.flatMap((rule) => checkWorkloadRule(rule, objects));
}
