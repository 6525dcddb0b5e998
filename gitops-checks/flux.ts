/**
 * Flux entry points: the Flux Kustomizations that `clusters/<env>` declares, the graph they form
 * (paths and dependsOn) and the contract they keep with the Flux bootstrap and its lock-down
 * flags (--no-cross-namespace-refs, --no-remote-bases, --default-service-account).
 */
import * as path from "path";
import { fluxComponents, KUSTOMIZE_CONTROLLER_SA } from "../core/flux";
import { arrayOrEmpty, recordOrEmpty, scalarText } from "../core/guards";
import { BuildResult, KustomizeBuilder, overlayOf, RenderedObject } from "./kustomize";
import { GitOpsError, GitOpsProblem } from "./problems";
import { apiVersionOf, describeObject, kindOf, KubeObject, namespaceOf, nameOf, specOf } from "./yaml";

/** What the Flux bootstrap creates: a GitRepository and a root Kustomization, both named so. */
export const BOOTSTRAP_NAMESPACE = "flux-system";
export const BOOTSTRAP_SOURCE = "flux-system";
export const ROOT_KUSTOMIZATION = "flux-system";

/** The GA API version of every Flux kind (Flux 2.x); anything else is refused. */
export const FLUX_GA_API_VERSIONS: Readonly<Record<string, string>> = {
    "kustomize.toolkit.fluxcd.io/Kustomization": "kustomize.toolkit.fluxcd.io/v1",
    "source.toolkit.fluxcd.io/GitRepository": "source.toolkit.fluxcd.io/v1",
    "source.toolkit.fluxcd.io/HelmRepository": "source.toolkit.fluxcd.io/v1",
    "source.toolkit.fluxcd.io/OCIRepository": "source.toolkit.fluxcd.io/v1",
    "source.toolkit.fluxcd.io/HelmChart": "source.toolkit.fluxcd.io/v1",
    "source.toolkit.fluxcd.io/Bucket": "source.toolkit.fluxcd.io/v1",
    "helm.toolkit.fluxcd.io/HelmRelease": "helm.toolkit.fluxcd.io/v2",
    "notification.toolkit.fluxcd.io/Receiver": "notification.toolkit.fluxcd.io/v1",
    "notification.toolkit.fluxcd.io/Alert": "notification.toolkit.fluxcd.io/v1beta3",
    "notification.toolkit.fluxcd.io/Provider": "notification.toolkit.fluxcd.io/v1beta3",
};

export interface FluxKustomization {
    name: string;
    namespace: string;
    /** spec.path made repository-relative without a leading `./` (e.g. `apps/sample-app/overlays/prod`). */
    path: string;
    dependsOn: { name: string; namespace: string }[];
    rendered: RenderedObject;
    /**
     * `namespace/name` of the Flux Kustomization whose content declares this one (e.g. a path
     * chosen per cluster with a cluster fact); absent for those of the entry point.
     */
    appliedBy?: string;
    /**
     * `Kind namespace/name` of the source when it is not this repository (another
     * GitRepository, an OCIRepository, a Bucket, an ExternalArtifact): its path is not rendered.
     */
    foreignSource?: string;
}

export interface ClusterEntry {
    /** Repository-relative directory, e.g. `clusters/prod`. */
    dir: string;
    build: BuildResult;
    /** The Kustomizations the entry point declares, without the root one (below). */
    kustomizations: FluxKustomization[];
    /**
     * The root Kustomization when the entry point declares it, as a repository bootstrapped by
     * the flux CLI does in clusters/<env>/flux-system/gotk-sync.yaml: its path is the entry point.
     */
    root?: FluxKustomization;
}

export function groupOf(apiVersion: string | undefined): string {
    const slash = (apiVersion ?? "").indexOf("/");
    return slash < 0 ? "" : apiVersion!.slice(0, slash);
}

export function isFluxKustomization(object: KubeObject): boolean {
    return object.kind === "Kustomization" && groupOf(apiVersionOf(object)) === "kustomize.toolkit.fluxcd.io";
}

/** spec.sourceRef of a Flux Kustomization, or an empty mapping. */
function sourceRefOf(object: KubeObject): Record<string, unknown> {
    return recordOrEmpty(specOf(object).sourceRef);
}

/** A HelmRelease's chart source: spec.chart.spec.sourceRef, else spec.chartRef (undefined when neither is set). */
function chartSourceOf(spec: Record<string, unknown>): unknown {
    return recordOrEmpty(recordOrEmpty(spec.chart).spec).sourceRef ?? spec.chartRef;
}

function toFluxKustomization(rendered: RenderedObject): FluxKustomization {
    const spec = specOf(rendered.object);
    const namespace = namespaceOf(rendered.object) ?? BOOTSTRAP_NAMESPACE;
    return {
        name: String(nameOf(rendered.object)),
        namespace,
        path: normalizeFluxPath(spec.path),
        dependsOn: arrayOrEmpty(spec.dependsOn)
            .map(recordOrEmpty)
            .map((d) => ({
                name: String(scalarText(d.name)),
                namespace: scalarText(d.namespace) ?? namespace,
            })),
        rendered,
    };
}

/**
 * The GitRepositories that are this repository: the bootstrap's (`flux-system/flux-system`) and
 * the source of the root Kustomization when the entry point declares one. A spec.path of any
 * other source is resolved in that source, which the checker does not have.
 */
function isThisRepository(k: FluxKustomization, root: FluxKustomization | undefined): boolean {
    const ref = sourceRefOf(k.rendered.object);
    const refKey = key(scalarText(ref.namespace) ?? k.namespace, String(scalarText(ref.name)));
    const own = new Set([key(BOOTSTRAP_NAMESPACE, BOOTSTRAP_SOURCE)]);
    const rootRef = root ? sourceRefOf(root.rendered.object) : undefined;
    if (root && rootRef?.kind === "GitRepository") own.add(key(scalarText(rootRef.namespace) ?? root.namespace, String(scalarText(rootRef.name))));
    return ref.kind === "GitRepository" && own.has(refKey);
}

/**
 * Builds `clusterDir` as kustomize-controller does (a kustomization.yaml is generated when the
 * folder has none) and collects the Flux Kustomizations it declares.
 */
export function loadClusterEntry(builder: KustomizeBuilder, clusterDir: string): ClusterEntry {
    let build = builder.buildFlux(clusterDir);
    const dir = normalizeFluxPath(build.dir);
    const declared = build.objects.filter((r) => isFluxKustomization(r.object)).map(toFluxKustomization);
    let root = declared.find((k) => k.path === dir);
    if (root && Object.keys(overlayOf(root.rendered.object.spec)).length > 0) {
        // The root Kustomization's own patches, images, ... apply to the entry point itself.
        build = builder.buildFlux(clusterDir, overlayOf(root.rendered.object.spec));
        const rebuilt = build.objects.filter((r) => isFluxKustomization(r.object)).map(toFluxKustomization);
        root = rebuilt.find((k) => k.path === dir) ?? root;
        declared.splice(0, declared.length, ...rebuilt);
    }
    const kustomizations = declared.filter((k) => k !== root && k.path !== dir);
    for (const k of kustomizations) markForeignSource(k, root);
    return { dir: build.dir, build, kustomizations, root };
}

function markForeignSource(k: FluxKustomization, root: FluxKustomization | undefined): void {
    if (!isThisRepository(k, root)) {
        const ref = sourceRefOf(k.rendered.object);
        k.foreignSource = `${scalarText(ref.kind) ?? "<no kind>"} ${scalarText(ref.namespace) ?? k.namespace}/${scalarText(ref.name) ?? "<no name>"}`;
    }
}

/**
 * The Flux Kustomizations among the objects another Kustomization applies, after its postBuild:
 * Flux reconciles them like those of the entry point, so the render follows them too (their
 * spec.path may hold a cluster fact, e.g. ./infrastructure/cloud/${cluster_cloud}).
 */
export function nestedKustomizations(objects: readonly RenderedObject[], appliedBy: string, root: FluxKustomization | undefined): FluxKustomization[] {
    return objects
        .filter((r) => isFluxKustomization(r.object))
        .map((r) => {
            const k = { ...toFluxKustomization(r), appliedBy };
            markForeignSource(k, root);
            return k;
        });
}

/** One note per source that is not this repository, naming the Kustomizations not rendered. */
export function notRendered(entry: ClusterEntry): GitOpsProblem[] {
    const bySource = new Map<string, FluxKustomization[]>();
    for (const k of entry.kustomizations) if (k.foreignSource) bySource.set(k.foreignSource, [...(bySource.get(k.foreignSource) ?? []), k]);
    return [...bySource].map(([source, ks]) => ({
        file: ks[0].rendered.sourceFile,
        severity: "note" as const,
        rule: "not-rendered",
        message: `not rendered: ${ks.map((k) => key(k.namespace, k.name)).join(", ")} ${ks.length === 1 ? "applies" : "apply"} a path of ${source}, which is not this repository; check that source on its own`,
    }));
}

/** Flux resolves spec.path against the repository root; an empty path means the root itself. */
export function normalizeFluxPath(value: unknown): string {
    const text = typeof value === "string" ? value.trim() : "";
    const normalized = path.posix.normalize(text.replace(/^\.(\/|$)/, "") || ".").replace(/\/+$/, "");
    return normalized === "" ? "." : normalized;
}

function key(namespace: string, name: string): string {
    return `${namespace}/${name}`;
}

/**
 * Every path exists and builds, every dependsOn names a Kustomization of the same entry point,
 * names are unique and the dependsOn graph has no cycle.
 */
export function checkFluxGraph(builder: KustomizeBuilder, entry: ClusterEntry): GitOpsProblem[] {
    const problems: GitOpsProblem[] = [];
    const byKey = new Map<string, FluxKustomization>();
    for (const k of entry.kustomizations) {
        if (byKey.has(key(k.namespace, k.name))) {
            problems.push({ file: k.rendered.sourceFile, object: describeObject(k.rendered.object), message: "a Flux Kustomization with this name is declared twice" });
        }
        byKey.set(key(k.namespace, k.name), k);
        problems.push(...checkFluxPath(builder, k));
    }
    for (const k of entry.kustomizations) {
        for (const dep of k.dependsOn) {
            if (!byKey.has(key(dep.namespace, dep.name))) {
                problems.push({
                    file: k.rendered.sourceFile,
                    object: describeObject(k.rendered.object),
                    message: `dependsOn "${dep.namespace}/${dep.name}" names no Kustomization declared in ${entry.dir} (declared: ${[...byKey.keys()].join(", ") || "none"})`,
                });
            }
        }
    }
    for (const cycle of findCycles(entry.kustomizations)) {
        const first = byKey.get(cycle[0])!;
        problems.push({
            file: first.rendered.sourceFile,
            object: describeObject(first.rendered.object),
            message: `dependsOn cycle: ${[...cycle, cycle[0]].join(" -> ")}; Flux would never apply these`,
        });
    }
    return problems;
}

/** spec.path is set, stays in the repository, names no variable left unsubstituted, and builds (this repository's only). */
export function checkFluxPath(builder: KustomizeBuilder, k: FluxKustomization): GitOpsProblem[] {
    const where = { file: k.rendered.sourceFile, object: describeObject(k.rendered.object) };
    const rawPath = specOf(k.rendered.object).path;
    if (typeof rawPath !== "string" || rawPath.trim() === "") {
        return [{ ...where, message: "spec.path is missing: set it to the directory to apply, e.g. ./apps/<app>/overlays/<env>" }];
    }
    if (k.path.startsWith("..") || path.isAbsolute(k.path)) {
        return [{ ...where, message: `spec.path "${rawPath}" leaves the repository: Flux paths are relative to the repository root` }];
    }
    if (k.foreignSource) return [];
    const variable = /\$\{[^}]*\}/.exec(rawPath);
    if (variable) {
        const why = k.appliedBy
            ? `${k.appliedBy}'s postBuild gives it no value`
            : `it is applied by the root Kustomization ${ROOT_KUSTOMIZATION}, which does not substitute (declare it in a folder a Kustomization with postBuild applies)`;
        return [{ ...where, message: `spec.path "${rawPath}" still holds ${variable[0]}: ${why}, so Flux would look for a folder of that name` }];
    }
    return builder.tryBuildFlux(k.path, overlayOf(k.rendered.object.spec)).problems.map((p) => ({ ...where, message: `spec.path "${rawPath}": ${p.message}` }));
}

/** Each elementary cycle once, as the list of `namespace/name` keys along it. */
export function findCycles(kustomizations: readonly FluxKustomization[]): string[][] {
    const edges = new Map<string, string[]>();
    for (const k of kustomizations)
        edges.set(
            key(k.namespace, k.name),
            k.dependsOn.map((d) => key(d.namespace, d.name)),
        );
    const cycles: string[][] = [];
    const seen = new Set<string>();
    const state = new Map<string, "visiting" | "done">();
    const stack: string[] = [];
    const visit = (node: string): void => {
        state.set(node, "visiting");
        stack.push(node);
        for (const next of edges.get(node) ?? []) {
            if (!edges.has(next)) continue; // unknown dependency, reported separately
            if (state.get(next) === "visiting") {
                const cycle = stack.slice(stack.indexOf(next));
                const signature = [...cycle].sort().join(",");
                if (!seen.has(signature)) {
                    seen.add(signature);
                    cycles.push(cycle);
                }
            } else if (!state.has(next)) {
                visit(next);
            }
        }
        stack.pop();
        state.set(node, "done");
    };
    for (const node of edges.keys()) if (!state.has(node)) visit(node);
    return cycles;
}

/** The Kustomizations in the order Flux will apply them (dependencies first, then by name). */
export function applyOrder(kustomizations: readonly FluxKustomization[]): FluxKustomization[] {
    const remaining = new Map(kustomizations.map((k) => [key(k.namespace, k.name), k]));
    const order: FluxKustomization[] = [];
    while (remaining.size > 0) {
        const ready = [...remaining.values()].filter((k) => k.dependsOn.every((d) => !remaining.has(key(d.namespace, d.name)))).sort((a, b) => a.name.localeCompare(b.name));
        if (ready.length === 0) {
            throw new GitOpsError("cannot order Flux Kustomizations", [{ file: "dependsOn", message: `cycle among ${[...remaining.keys()].join(", ")}` }]);
        }
        for (const k of ready) {
            order.push(k);
            remaining.delete(key(k.namespace, k.name));
        }
    }
    return order;
}

/** Settings every Flux Kustomization in clusters/<env> must carry, and why. */
const REQUIRED_KUSTOMIZATION_FIELDS: readonly [string, string][] = [
    ["interval", "how often Flux re-applies it"],
    ["retryInterval", "how soon a failed apply is retried"],
    ["timeout", "how long apply and health checks may take"],
];

/**
 * The contract with the bootstrap and the lock-down flags, for a cluster entry point's own
 * Kustomizations.
 */
export function checkEntryContract(entry: ClusterEntry): GitOpsProblem[] {
    const problems: GitOpsProblem[] = [];
    for (const k of entry.kustomizations) {
        const object = k.rendered.object;
        const spec = specOf(object);
        const add = (message: string) => problems.push({ file: k.rendered.sourceFile, object: describeObject(object), message });
        if (k.name === ROOT_KUSTOMIZATION && k.namespace === BOOTSTRAP_NAMESPACE) {
            add(`the name ${ROOT_KUSTOMIZATION} belongs to the bootstrap's root Kustomization, which applies ${entry.dir}: choose another`);
        }
        if (k.namespace !== BOOTSTRAP_NAMESPACE) {
            add(`metadata.namespace is "${k.namespace}": entry-point Kustomizations live in ${BOOTSTRAP_NAMESPACE}, next to the bootstrap's GitRepository`);
        }
        const source = recordOrEmpty(spec.sourceRef);
        if (source.kind !== "GitRepository" || source.name !== BOOTSTRAP_SOURCE || (source.namespace && source.namespace !== k.namespace)) {
            add(`spec.sourceRef is ${JSON.stringify(spec.sourceRef ?? {})}: use {kind: GitRepository, name: ${BOOTSTRAP_SOURCE}} (the bootstrap's source, same namespace)`);
        }
        if (typeof spec.path === "string" && !spec.path.startsWith("./")) {
            add(`spec.path "${spec.path}" should start with ./ (relative to the repository root, e.g. ./apps/<app>/overlays/<env>)`);
        }
        problems.push(...checkIdentity(k, entry).map((message) => ({ file: k.rendered.sourceFile, object: describeObject(object), message })));
        if (spec.prune !== true) add("spec.prune must be true so that objects removed from Git are removed from the cluster");
        if (spec.wait !== true && !(Array.isArray(spec.healthChecks) && spec.healthChecks.length > 0)) {
            add("set spec.wait: true (or spec.healthChecks) so that dependants wait until this is healthy");
        }
        for (const [field, why] of REQUIRED_KUSTOMIZATION_FIELDS) {
            if (typeof spec[field] !== "string" || spec[field] === "") add(`spec.${field} is missing: set it (${why})`);
        }
    }
    return problems;
}

/** Platform-level Kustomizations: the only ones that run as a Flux controller's account. */
export const PLATFORM_PREFIX = "infra-";
/** Service accounts of the Flux controllers (named after them), which can do anything in the cluster. */
const CONTROLLER_ACCOUNTS: readonly string[] = fluxComponents;

/**
 * Who a Kustomization applies as. infra-* ones run as kustomize-controller; every other (an app)
 * runs as a service account of its own, bound to its own namespaces, so whatever lands under apps/
 * cannot reach beyond them (as in fluxcd/flux2-multi-tenancy).
 */
function checkIdentity(k: FluxKustomization, entry: ClusterEntry): string[] {
    const account = specOf(k.rendered.object).serviceAccountName;
    if (k.name.startsWith(PLATFORM_PREFIX)) {
        return account === KUSTOMIZE_CONTROLLER_SA
            ? []
            : [
                  `spec.serviceAccountName is ${JSON.stringify(account)}: set it to ${KUSTOMIZE_CONTROLLER_SA}; platform Kustomizations (${PLATFORM_PREFIX}*) run as Flux's own account, and staging and prod run Flux with --default-service-account=default`,
              ];
    }
    const fix = `set it to this app's own service account (e.g. ${k.name}), declared and bound to the app's namespaces by a RoleBinding in infrastructure/tenants/; only ${PLATFORM_PREFIX}* Kustomizations run as a Flux controller`;
    if (typeof account !== "string" || account === "") return [`spec.serviceAccountName is ${JSON.stringify(account)}: ${fix}`];
    if (CONTROLLER_ACCOUNTS.includes(account)) return [`spec.serviceAccountName is ${account}, a Flux controller with rights over the whole cluster: ${fix}`];
    const sharing = entry.kustomizations.filter((other) => other !== k && !other.name.startsWith(PLATFORM_PREFIX) && specOf(other.rendered.object).serviceAccountName === account);
    if (sharing.length > 0) return [`spec.serviceAccountName ${account} is also used by ${sharing.map((o) => o.name).join(", ")}: ${fix}`];
    return [];
}

/**
 * Flux objects anywhere in an environment, for any repository: GA APIs, and a HelmRelease's
 * chart source declared in the environment.
 */
export function checkFluxObjects(objects: readonly RenderedObject[]): GitOpsProblem[] {
    const problems: GitOpsProblem[] = [];
    const present = new Set(objects.map((r) => `${String(kindOf(r.object))}/${namespaceOf(r.object) ?? ""}/${String(nameOf(r.object))}`));
    for (const { object, sourceFile } of objects) {
        const add = (message: string) => problems.push({ file: sourceFile, object: describeObject(object), message });
        const apiVersion = apiVersionOf(object);
        const group = groupOf(apiVersion);
        if (!group.endsWith(".toolkit.fluxcd.io")) continue;
        const ga = FLUX_GA_API_VERSIONS[`${group}/${String(kindOf(object))}`];
        if (ga && apiVersion !== ga) add(`apiVersion ${String(apiVersion)} is not the GA API: use ${ga}`);
        const namespace = namespaceOf(object) ?? "";
        const spec = specOf(object);
        if (object.kind === "HelmRelease") {
            const chartSource = chartSourceOf(spec);
            const ref = recordOrEmpty(chartSource);
            const [refKind, refNamespace, refName] = [String(scalarText(ref.kind)), scalarText(ref.namespace) ?? namespace, String(scalarText(ref.name))];
            if (!chartSource) add("neither spec.chart.spec.sourceRef nor spec.chartRef is set");
            else if (!present.has(`${refKind}/${refNamespace}/${refName}`)) {
                add(`the chart source ${refKind} ${refNamespace}/${refName} is not declared in this environment`);
            }
        }
    }
    return problems;
}

/**
 * The fluxpilot rule set's Flux objects: only the kinds FluxPilot uses, and the lock-down flags'
 * consequences (--no-cross-namespace-refs, --default-service-account).
 */
export function checkFluxPilotObjects(objects: readonly RenderedObject[]): GitOpsProblem[] {
    const problems: GitOpsProblem[] = [];
    for (const { object, sourceFile } of objects) {
        const add = (message: string) => problems.push({ file: sourceFile, object: describeObject(object), rule: "fluxpilot", message });
        const apiVersion = apiVersionOf(object);
        const group = groupOf(apiVersion);
        if (!group.endsWith(".toolkit.fluxcd.io")) continue;
        const kind = String(kindOf(object));
        if (!FLUX_GA_API_VERSIONS[`${group}/${kind}`]) add(`${String(apiVersion)} ${kind} is not a Flux kind this repository uses`);
        const namespace = namespaceOf(object) ?? "";
        const spec = specOf(object);
        const sourceNamespace = scalarText(recordOrEmpty(spec.sourceRef).namespace);
        if (object.kind === "Kustomization" && sourceNamespace && sourceNamespace !== namespace) {
            add(`spec.sourceRef points into namespace ${sourceNamespace}; Flux runs with --no-cross-namespace-refs=true`);
        }
        if (object.kind === "HelmRelease") {
            if (spec.serviceAccountName !== "helm-controller") {
                add(
                    `spec.serviceAccountName is ${JSON.stringify(spec.serviceAccountName)}: set it to helm-controller; staging and prod run Flux with --default-service-account=default`,
                );
            }
            const ref = recordOrEmpty(chartSourceOf(spec));
            const refNamespace = scalarText(ref.namespace);
            if (refNamespace && refNamespace !== namespace) {
                add(
                    `the chart source ${String(scalarText(ref.kind))}/${String(scalarText(ref.name))} is in namespace ${refNamespace}; keep it in ${namespace} (--no-cross-namespace-refs=true)`,
                );
            }
        }
    }
    return problems;
}
