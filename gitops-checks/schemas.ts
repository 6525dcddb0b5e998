/**
 * Schema validation of rendered objects against published models: `kubernetes-models` for the
 * Kubernetes API, `@kubernetes-models/flux-cd` for Flux and `@kubernetes-models/prometheus-operator`
 * for the Prometheus Operator CRDs. Their validators are generated from the upstream OpenAPI
 * schemas and CRDs; nothing here describes a schema by hand.
 *
 * The model packages are ES modules, loaded with import() (see importModel). One gap is explicit
 * rather than silent: Kyverno publishes no model package; its ClusterPolicies are checked for
 * apiVersion, kind and name only, and Kyverno's admission webhook validates them when Flux
 * applies them.
 * A kind with no model is validated against its CustomResourceDefinition's openAPIV3Schema when
 * that CRD is in the same render (as the API server would), and is otherwise a warning naming
 * the kind, so a new kind cannot slip through unnoticed.
 */
import Ajv from "ajv";
import { arrayOrEmpty, isRecord, recordOrEmpty } from "../core/guards";
import { RenderedObject } from "./kustomize";
import { GitOpsProblem } from "./problems";
import { apiVersionOf, describeObject, KubeObject, metadataOf, specOf } from "./yaml";

interface ModelClass {
    new (data: object): { validate(): void };
}

/** Packages that ship models, in the order they are searched; each lays out `<group>/<version>/<Kind>`. */
const MODEL_PACKAGES: readonly { package: string; groups: (group: string) => boolean }[] = [
    { package: "kubernetes-models", groups: (g) => g === "" || g.endsWith(".k8s.io") || !g.includes(".") },
    { package: "@kubernetes-models/flux-cd", groups: (g) => g.endsWith(".toolkit.fluxcd.io") },
    { package: "@kubernetes-models/prometheus-operator", groups: (g) => g === "monitoring.coreos.com" },
];

/** Kinds with no published model package; checked for identity only (see the module comment). */
export const KINDS_WITHOUT_PUBLISHED_SCHEMA: ReadonlySet<string> = new Set(["kyverno.io/v1/ClusterPolicy"]);

const modelCache = new Map<string, Promise<ModelClass | null>>();

/**
 * import() of an ES module from this CommonJS program: tsconfig's module "nodenext" keeps it a
 * real import() (module "commonjs" would turn it into require(), which these packages refuse).
 */
function importModel(specifier: string): Promise<Record<string, unknown>> {
    return import(specifier);
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The model class for apiVersion + kind, or null when no installed package has one. */
export function findModel(apiVersion: string, kind: string): Promise<ModelClass | null> {
    const cacheKey = `${apiVersion}/${kind}`;
    let model = modelCache.get(cacheKey);
    if (!model) {
        model = loadModel(apiVersion, kind);
        modelCache.set(cacheKey, model);
    }
    return model;
}

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass | null> {
    const { group, version } = splitApiVersion(apiVersion);
    for (const candidate of MODEL_PACKAGES.filter((p) => p.groups(group))) {
        const modulePath = `${candidate.package}/${group || version}/${group ? `${version}/` : ""}${kind}`;
        let loaded: Record<string, unknown>;
        try {
            loaded = await importModel(modulePath);
        } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            // Not shipped: either no such file, or a path the package's exports map does not list.
            if (code === "ERR_MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED") continue;
            throw error;
        }
        if (typeof loaded[kind] === "function") return loaded[kind] as ModelClass;
    }
    return null;
}

export type SchemaOutcome = "validated" | "identity-only" | "no-schema";

/** The openAPIV3Schema of each served version of the CRDs among `objects`, by `apiVersion/Kind`. */
export function crdSchemas(objects: readonly RenderedObject[]): Map<string, object> {
    const schemas = new Map<string, object>();
    for (const { object } of objects) {
        if (object.kind !== "CustomResourceDefinition" || groupOf(apiVersionOf(object)) !== "apiextensions.k8s.io") continue;
        const spec = specOf(object);
        for (const version of arrayOrEmpty(spec.versions).map(recordOrEmpty)) {
            const schema = recordOrEmpty(version.schema).openAPIV3Schema;
            if (isRecord(schema) && version.served !== false) schemas.set(`${String(spec.group)}/${String(version.name)}/${String(recordOrEmpty(spec.names).kind)}`, schema);
        }
    }
    return schemas;
}

function groupOf(apiVersion: string | undefined): string {
    return splitApiVersion(apiVersion ?? "").group;
}

// Structural schemas use these Kubernetes extensions; strict mode would refuse them.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

function validateAgainstCrd(object: KubeObject, schema: object): string[] {
    const validate = ajv.compile(schema);
    // metadata is validated by the API server, not the CRD; the schema rarely describes it.
    const { metadata: _metadata, ...rest } = object;
    if (validate({ ...rest, metadata: {} })) return [];
    return [...new Set((validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`))];
}

/** Validates one object; returns the problems and how it was validated. */
export async function validateObject(
    object: KubeObject,
    sourceFile: string,
    crds: ReadonlyMap<string, object> = new Map(),
): Promise<{ outcome: SchemaOutcome; problems: GitOpsProblem[] }> {
    const where = { file: sourceFile, object: describeObject(object), rule: "schema" };
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string" || typeof metadataOf(object).name !== "string") {
        return { outcome: "validated", problems: [{ ...where, message: "apiVersion, kind and metadata.name are required" }] };
    }
    const id = `${object.apiVersion}/${object.kind}`;
    if (KINDS_WITHOUT_PUBLISHED_SCHEMA.has(id)) return { outcome: "identity-only", problems: [] };
    const { apiVersion, kind } = object;
    const model = await findModel(apiVersion, kind);
    if (!model) {
        const crd = crds.get(id);
        if (crd) {
            const messages = validateAgainstCrd(object, crd);
            return {
                outcome: "validated",
                problems: messages.map((m) => ({ ...where, message: `does not match the schema of its CustomResourceDefinition in this render: ${m}` })),
            };
        }
        return {
            outcome: "no-schema",
            problems: [
                {
                    ...where,
                    severity: "warning",
                    message: `no schema for ${apiVersion} ${kind}, so it is not validated: check the apiVersion and kind, add its CustomResourceDefinition to the render, or the model package that has it`,
                },
            ],
        };
    }
    try {
        new model(object).validate();
    } catch (error) {
        const details = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
        const messages = details?.length ? details.map((d) => `${d.instancePath || "/"} ${d.message}`) : [(error as Error).message];
        return {
            outcome: "validated",
            problems: [...new Set(messages)].map((m) => ({ ...where, message: `does not match the ${apiVersion} ${kind} schema: ${m}` })),
        };
    }
    return { outcome: "validated", problems: [] };
}

export async function validateObjects(objects: readonly RenderedObject[]): Promise<GitOpsProblem[]> {
    const crds = crdSchemas(objects);
    const results = await Promise.all(objects.map((r) => validateObject(r.object, r.sourceFile, crds)));
    return results.flatMap((r) => r.problems);
}
