/**
 * Schema validation of rendered objects against published models: `kubernetes-models` for the
 * Kubernetes API, `@kubernetes-models/flux-cd` for Flux and `@kubernetes-models/prometheus-operator`
 * for the Prometheus Operator CRDs. Their validators are generated from the upstream OpenAPI
 * schemas and CRDs; nothing here describes a schema by hand.
 *
 * Two gaps are explicit rather than silent:
 * - The Node 20 releases of @kubernetes-models/flux-cd (2.x) stop at HelmRelease v2beta2 and
 *   HelmRepository v1beta2; the releases that add the GA versions need Node 22. Until the project
 *   moves to Node 22, those two kinds are validated against their previous served version: every
 *   field this repository sets exists there, but a field only the GA version has (or dropped)
 *   is not caught. The GA apiVersion itself is enforced by checkFluxObjects.
 * - Kyverno publishes no model package; its ClusterPolicies are checked for apiVersion, kind and
 *   name only, and Kyverno's admission webhook validates them when Flux applies them.
 * Any other kind without a schema is a problem, so a new kind cannot slip through unvalidated.
 */
import { RenderedObject } from "./kustomize";
import { GitOpsProblem } from "./problems";
import { describeObject, KubeObject } from "./yaml";

interface ModelClass {
    new (data: object): { validate(): void };
}

/** Packages that ship models, in the order they are searched; each lays out `<group>/<version>/<Kind>`. */
const MODEL_PACKAGES: readonly { package: string; groups: (group: string) => boolean }[] = [
    { package: "kubernetes-models", groups: (g) => g === "" || g.endsWith(".k8s.io") || !g.includes(".") },
    { package: "@kubernetes-models/flux-cd", groups: (g) => g.endsWith(".toolkit.fluxcd.io") },
    { package: "@kubernetes-models/prometheus-operator", groups: (g) => g === "monitoring.coreos.com" },
];

/** GA Flux versions missing from the Node 20 model release -> the served version validated instead. */
export const SCHEMA_STAND_INS: Readonly<Record<string, string>> = {
    "helm.toolkit.fluxcd.io/v2/HelmRelease": "helm.toolkit.fluxcd.io/v2beta2",
    "source.toolkit.fluxcd.io/v1/HelmRepository": "source.toolkit.fluxcd.io/v1beta2",
};

/** Kinds with no published model package; checked for identity only (see the module comment). */
export const KINDS_WITHOUT_PUBLISHED_SCHEMA: ReadonlySet<string> = new Set(["kyverno.io/v1/ClusterPolicy"]);

const modelCache = new Map<string, ModelClass | null>();

function splitApiVersion(apiVersion: string): { group: string; version: string } {
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The model class for apiVersion + kind, or null when no installed package has one. */
export function findModel(apiVersion: string, kind: string): ModelClass | null {
    const cacheKey = `${apiVersion}/${kind}`;
    if (modelCache.has(cacheKey)) return modelCache.get(cacheKey)!;
    const { group, version } = splitApiVersion(apiVersion);
    let model: ModelClass | null = null;
    for (const candidate of MODEL_PACKAGES.filter((p) => p.groups(group))) {
        const modulePath = `${candidate.package}/${group || version}/${group ? `${version}/` : ""}${kind}`;
        let loaded: Record<string, unknown>;
        try {
            loaded = require(modulePath);
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            // Not shipped: either no such file, or a path the package's exports map does not list.
            if (code === "MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED") continue;
            throw error;
        }
        if (typeof loaded[kind] === "function") {
            model = loaded[kind] as ModelClass;
            break;
        }
    }
    modelCache.set(cacheKey, model);
    return model;
}

export type SchemaOutcome = "validated" | "validated-with-stand-in" | "identity-only";

/** Validates one object; returns the problems and how it was validated. */
export function validateObject(object: KubeObject, sourceFile: string): { outcome: SchemaOutcome; problems: GitOpsProblem[] } {
    const where = { file: sourceFile, object: describeObject(object), rule: "schema" };
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string" || typeof object.metadata?.name !== "string") {
        return { outcome: "validated", problems: [{ ...where, message: "apiVersion, kind and metadata.name are required" }] };
    }
    const id = `${object.apiVersion}/${object.kind}`;
    if (KINDS_WITHOUT_PUBLISHED_SCHEMA.has(id)) return { outcome: "identity-only", problems: [] };
    const standIn = SCHEMA_STAND_INS[id];
    const apiVersion = standIn ?? object.apiVersion;
    const model = findModel(apiVersion, object.kind);
    if (!model) {
        return {
            outcome: "validated",
            problems: [{ ...where, message: `no published schema for ${object.apiVersion} ${object.kind}: check the apiVersion and kind, or add the model package that has it` }],
        };
    }
    try {
        new model({ ...object, apiVersion }).validate();
    } catch (error) {
        const details = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
        const messages = details?.length
            ? details.map((d) => `${d.instancePath || "/"} ${d.message}`)
            : [(error as Error).message];
        return {
            outcome: standIn ? "validated-with-stand-in" : "validated",
            problems: [...new Set(messages)].map((m) => ({ ...where, message: `does not match the ${apiVersion} ${object.kind} schema: ${m}` })),
        };
    }
    return { outcome: standIn ? "validated-with-stand-in" : "validated", problems: [] };
}

export function validateObjects(objects: readonly RenderedObject[]): GitOpsProblem[] {
    return objects.flatMap((r) => validateObject(r.object, r.sourceFile).problems);
}
