/**
 * Rules across the objects of one environment's render: references that must resolve (Service
 * selectors, HPA and PDB targets), secrets that must not be in Git in the clear, host access,
 * pinned chart and artifact versions, and the Service types an environment allows. Each rule is
 * reported under the public id it mirrors when there is one (kube-score, checkov, Polaris), else
 * under a name of its own.
 */
import { arrayOrEmpty, isRecord, recordOrEmpty, scalarText } from "../core/guards";
import { RenderedObject } from "./kustomize";
import { GitOpsProblem } from "./problems";
import { findWorkloads, labelSelectorMatches, Workload } from "./workload-rules";
import { describeObject, KubeObject, metadataOf, namespaceOf, specOf } from "./yaml";

export interface ObjectRuleOptions {
    /** The Service types this environment allows; undefined allows all. */
    serviceTypes?: readonly string[];
    /** `Kind namespace/name` of workloads allowed host access. */
    allowHostAccess?: readonly string[];
    /** The environment's name, for messages. */
    environment?: string;
}

export interface ObjectRule {
    id: string;
    /** The public checks it mirrors, or why there is none. */
    mirrors: string;
    check(objects: readonly RenderedObject[], options: ObjectRuleOptions): GitOpsProblem[];
}

function problem(rendered: RenderedObject, rule: string, message: string): GitOpsProblem {
    return { file: rendered.sourceFile, object: describeObject(rendered.object), rule, message };
}

function workloadKey(w: Workload): string {
    return `${w.kind} ${w.namespace ?? "default"}/${w.name}`;
}

/** The pods' containers of every kind: init, ephemeral and regular. */
function containersOf(podSpec: Record<string, unknown>): Record<string, unknown>[] {
    return ["initContainers", "containers", "ephemeralContainers"].flatMap((field) => arrayOrEmpty(podSpec[field])).filter(isRecord);
}

/** spec.type of a Service as text: ClusterIP when unset, as the API server defaults it. */
function serviceTypeOf(object: KubeObject): string {
    const type = specOf(object).type ?? "ClusterIP";
    return scalarText(type) ?? JSON.stringify(type);
}

// An env var name that says it carries a credential.
const CREDENTIAL_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;
// A value that is a credential whatever the name: a key header, a URL with a password, a known token prefix.
const CREDENTIAL_VALUE =
    /-----BEGIN [A-Z ]*PRIVATE KEY-----|^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@|^(AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[baprs]-[A-Za-z0-9-]{10,})/;
// Values that reference something rather than hold it.
const PLACEHOLDER = /^(\$\{[^}]*\}|\$\([^)]*\)|<[^>]*>|changeme|)$/i;

// An exact version: no ranges, wildcards or `latest`, so every cluster gets the same artifact.
export const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const OBJECT_RULES: readonly ObjectRule[] = [
    {
        id: "service-targets-pod",
        mirrors: "kube-score service-targets-pod",
        check(objects) {
            const workloads = findWorkloads(objects);
            return objects
                .filter(({ object }) => object.kind === "Service" && object.apiVersion === "v1")
                .filter(({ object }) => specOf(object).type !== "ExternalName" && Object.keys(recordOrEmpty(specOf(object).selector)).length > 0)
                .filter(({ object }) => !workloads.some((w) => w.namespace === namespaceOf(object) && labelSelectorMatches({ matchLabels: specOf(object).selector }, w.podLabels)))
                .map((r) =>
                    problem(
                        r,
                        "service-targets-pod",
                        `spec.selector ${JSON.stringify(specOf(r.object).selector)} matches the pods of no workload in namespace ${namespaceOf(r.object) ?? "default"}: fix the selector or the pod template's labels`,
                    ),
                );
        },
    },
    {
        id: "horizontalpodautoscaler-has-target",
        mirrors: "kube-score horizontalpodautoscaler-has-target",
        check(objects) {
            const workloads = findWorkloads(objects);
            return objects
                .filter(({ object }) => object.kind === "HorizontalPodAutoscaler")
                .filter(({ object }) => {
                    const target = recordOrEmpty(specOf(object).scaleTargetRef);
                    return !workloads.some((w) => w.kind === target.kind && w.name === target.name && w.namespace === namespaceOf(object));
                })
                .map((r) => {
                    const target = recordOrEmpty(specOf(r.object).scaleTargetRef);
                    return problem(
                        r,
                        "horizontalpodautoscaler-has-target",
                        `spec.scaleTargetRef ${String(target.kind)} ${String(target.name)} is not in this render's namespace ${namespaceOf(r.object) ?? "default"}: name a workload that exists`,
                    );
                });
        },
    },
    {
        id: "poddisruptionbudget-has-target",
        mirrors: "no public id (kube-score checks the reverse: deployment-has-poddisruptionbudget)",
        check(objects) {
            const workloads = findWorkloads(objects);
            return objects
                .filter(({ object }) => object.kind === "PodDisruptionBudget")
                .filter(({ object }) => !workloads.some((w) => w.namespace === namespaceOf(object) && labelSelectorMatches(specOf(object).selector ?? {}, w.podLabels)))
                .map((r) =>
                    problem(
                        r,
                        "poddisruptionbudget-has-target",
                        `spec.selector ${JSON.stringify(specOf(r.object).selector ?? {})} matches the pods of no workload in namespace ${namespaceOf(r.object) ?? "default"}: fix the selector`,
                    ),
                );
        },
    },
    {
        id: "no-plaintext-secret",
        mirrors: "no public Kubernetes id (a secrets scanner such as checkov's CKV_SECRET_* finds some values)",
        check(objects) {
            // SOPS-encrypted files carry a top-level `sops` block; kustomize-controller decrypts them.
            return objects
                .filter(({ object }) => object.kind === "Secret" && object.apiVersion === "v1" && object.sops === undefined)
                .filter(({ object }) => Object.keys(recordOrEmpty(object.data)).length + Object.keys(recordOrEmpty(object.stringData)).length > 0)
                .map((r) =>
                    problem(
                        r,
                        "no-plaintext-secret",
                        "a Secret with its values in Git in the clear: encrypt the file with SOPS (Flux decrypts it with spec.decryption), or create the Secret from a secret store (e.g. External Secrets)",
                    ),
                );
        },
    },
    {
        id: "no-host-access",
        mirrors:
            "checkov CKV_K8S_19 (hostNetwork), CKV_K8S_17 (hostPID), CKV_K8S_18 (hostIPC), CKV_K8S_26 (hostPort); Polaris hostNetworkSet, hostPIDSet, hostIPCSet, hostPortSet; hostPath has no id of its own",
        check(objects, options) {
            const allowed = new Set(options.allowHostAccess ?? []);
            const problems: GitOpsProblem[] = [];
            for (const w of findWorkloads(objects)) {
                if (allowed.has(workloadKey(w))) continue;
                const uses: string[] = [];
                for (const field of ["hostNetwork", "hostPID", "hostIPC"]) if (w.podSpec[field] === true) uses.push(field);
                for (const volume of arrayOrEmpty(w.podSpec.volumes).map(recordOrEmpty))
                    if (volume.hostPath) uses.push(`hostPath volume ${String(volume.name)} (${String(recordOrEmpty(volume.hostPath).path)})`);
                for (const c of containersOf(w.podSpec))
                    for (const port of arrayOrEmpty(c.ports).map(recordOrEmpty))
                        if (port.hostPort) uses.push(`hostPort ${scalarText(port.hostPort)} on container ${String(c.name)}`);
                if (uses.length > 0) {
                    problems.push(
                        problem(
                            w.rendered,
                            "no-host-access",
                            `uses the node's ${uses.join(", ")}: remove it, or allow the workload by name in flux-checks.yaml (allowHostAccess: ["${workloadKey(w)}"])`,
                        ),
                    );
                }
            }
            return problems;
        },
    },
    {
        id: "no-inline-credential",
        mirrors: "no public Kubernetes id (checkov CKV_K8S_35 prefers secret files over env; this checks literal values)",
        check(objects) {
            const problems: GitOpsProblem[] = [];
            for (const w of findWorkloads(objects)) {
                for (const c of containersOf(w.podSpec)) {
                    for (const env of arrayOrEmpty(c.env).map(recordOrEmpty)) {
                        if (typeof env.value !== "string" || PLACEHOLDER.test(env.value.trim())) continue;
                        if (CREDENTIAL_NAME.test(String(env.name)) || CREDENTIAL_VALUE.test(env.value)) {
                            // The value itself is never printed.
                            problems.push(
                                problem(
                                    w.rendered,
                                    "no-inline-credential",
                                    `container ${String(c.name)} env ${String(env.name)} holds a credential-looking value inline: move it to a Secret and use valueFrom.secretKeyRef`,
                                ),
                            );
                        }
                    }
                }
            }
            return problems;
        },
    },
    {
        id: "exact-artifact-version",
        mirrors: "no public id",
        check(objects) {
            const problems: GitOpsProblem[] = [];
            const find = (kind: string, namespace: string | undefined, name: string) =>
                objects.find(({ object }) => object.kind === kind && metadataOf(object).name === name && namespaceOf(object) === namespace);
            for (const r of objects) {
                const { object } = r;
                const spec = specOf(object);
                if (object.kind === "HelmRelease") {
                    const chart = recordOrEmpty(spec.chart).spec;
                    const version = recordOrEmpty(chart).version;
                    if (chart && !EXACT_SEMVER.test(scalarText(version) ?? "")) {
                        problems.push(problem(r, "exact-artifact-version", `spec.chart.spec.version is ${JSON.stringify(version)}: pin an exact chart version (e.g. "1.2.3")`));
                    }
                    const ref = recordOrEmpty(spec.chartRef);
                    if (ref.kind === "OCIRepository") {
                        const refNamespace = scalarText(ref.namespace) ?? namespaceOf(object);
                        const oci = find("OCIRepository", refNamespace, String(ref.name));
                        if (!oci)
                            problems.push(
                                problem(
                                    r,
                                    "exact-artifact-version",
                                    `spec.chartRef names OCIRepository ${String(refNamespace)}/${String(ref.name)}, which is not in this render: declare it`,
                                ),
                            );
                    }
                }
                if (object.kind === "HelmChart" && !EXACT_SEMVER.test(scalarText(spec.version) ?? "")) {
                    problems.push(problem(r, "exact-artifact-version", `spec.version is ${JSON.stringify(spec.version)}: pin an exact chart version`));
                }
                if (object.kind === "OCIRepository") {
                    const ref = recordOrEmpty(spec.ref);
                    const pinned =
                        typeof ref.digest === "string" ||
                        (typeof ref.semver === "string" && EXACT_SEMVER.test(ref.semver)) ||
                        (typeof ref.tag === "string" && ref.tag !== "latest" && ref.semver === undefined);
                    if (!pinned) {
                        problems.push(
                            problem(
                                r,
                                "exact-artifact-version",
                                `spec.ref is ${JSON.stringify(spec.ref ?? {})}: pin it with an exact ref.semver ("1.2.3"), a ref.tag other than latest, or a ref.digest, so every cluster gets the same artifact`,
                            ),
                        );
                    }
                }
            }
            return problems;
        },
    },
    {
        id: "service-type-policy",
        mirrors: "no public id (a per-environment policy)",
        check(objects, options) {
            const allowed = options.serviceTypes;
            if (!allowed) return [];
            return objects
                .filter(({ object }) => object.kind === "Service" && object.apiVersion === "v1" && !allowed.includes(serviceTypeOf(object)))
                .map((r) =>
                    problem(
                        r,
                        "service-type-policy",
                        `spec.type ${serviceTypeOf(r.object)} is not allowed in ${options.environment ?? "this environment"} (allowed: ${allowed.join(", ")} in flux-checks.yaml serviceTypes): use an allowed type or change the policy`,
                    ),
                );
        },
    },
];

export function checkObjects(objects: readonly RenderedObject[], options: ObjectRuleOptions = {}, rules: readonly ObjectRule[] = OBJECT_RULES): GitOpsProblem[] {
    return rules.flatMap((rule) => rule.check(objects, options));
}
