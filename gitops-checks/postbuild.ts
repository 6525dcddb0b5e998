/**
 * What kustomize-controller does to the built objects before it applies them:
 *
 * - `spec.postBuild`: variables from `substituteFrom` (ConfigMaps and Secrets, in order, later
 *   ones winning) then `substitute` (winning over all), newlines removed from every value, are
 *   substituted into each object's YAML, unless the object carries the label or annotation
 *   `kustomize.toolkit.fluxcd.io/substitute: disabled`. Nothing is substituted when there are no
 *   variables. (fluxcd/pkg kustomize/kustomize_varsub.go: SubstituteVariables, LoadVariables.)
 * - `spec.commonMetadata`: labels and annotations set on every object's metadata, selectors left
 *   alone (kustomize-controller internal/controller/kustomization_controller.go, apply:
 *   ssautil.SetCommonMetadata).
 *
 * In a cluster the substituteFrom objects are read from the API server. Here they are looked up
 * in a chain of `SubstitutionSource`s: the objects of the same render, the cluster facts of the
 * offline plan (plan-facts.ts), then values given to the checker.
 */
import * as YAML from "yaml";
import { arrayOrEmpty, isRecord, recordOrEmpty } from "../core/guards";
import { RenderedObject } from "./kustomize";
import { GitOpsProblem } from "./problems";
import { describeObject, KubeObject, metadataOf, namespaceOf, specOf } from "./yaml";

export const SUBSTITUTE_KEY = "kustomize.toolkit.fluxcd.io/substitute";
const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** Where substituteFrom's ConfigMaps and Secrets are found outside the cluster. */
export interface SubstitutionSource {
    /** Name of the source, for messages (e.g. "the render", "flux-checks.yaml"). */
    name: string;
    /** The object's data as strings (a Secret's data decoded), or undefined when it has none such. */
    lookup(kind: "ConfigMap" | "Secret", namespace: string, name: string): Record<string, string> | undefined;
}

/** ConfigMaps and Secrets in a set of rendered objects. */
export function renderedSource(objects: readonly RenderedObject[]): SubstitutionSource {
    return {
        name: "the render",
        lookup(kind, namespace, name) {
            const found = objects.find(
                ({ object }) => object.kind === kind && object.apiVersion === "v1" && metadataOf(object).name === name && (metadataOf(object).namespace ?? "default") === namespace,
            )?.object;
            if (!found) return undefined;
            if (kind === "ConfigMap") return stringValues(found.data);
            const decoded: Record<string, string> = {};
            for (const [k, v] of Object.entries(recordOrEmpty(found.data))) decoded[k] = Buffer.from(String(v), "base64").toString("utf8");
            return { ...decoded, ...stringValues(found.stringData) };
        },
    };
}

/** Values given to the checker: `<Kind>/<namespace>/<name>` to the object's data. */
export function explicitSource(name: string, values: Readonly<Record<string, Readonly<Record<string, string>>>>): SubstitutionSource {
    return { name, lookup: (kind, namespace, object) => (values[`${kind}/${namespace}/${object}`] ? { ...values[`${kind}/${namespace}/${object}`] } : undefined) };
}

function stringValues(data: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (data && typeof data === "object") for (const [k, v] of Object.entries(data)) out[k] = String(v);
    return out;
}

/** The variables a Flux Kustomization's postBuild gives, and the problems finding them. */
export function loadVariables(kustomization: KubeObject, sources: readonly SubstitutionSource[], file: string): { vars: Map<string, string>; problems: GitOpsProblem[] } {
    const postBuild = recordOrEmpty(specOf(kustomization).postBuild);
    const namespace = namespaceOf(kustomization) ?? "default";
    const vars = new Map<string, string>();
    const problems: GitOpsProblem[] = [];
    const where = { file, object: describeObject(kustomization), rule: "postBuild" };
    for (const ref of arrayOrEmpty(postBuild.substituteFrom).map(recordOrEmpty)) {
        const kind = ref.kind;
        if (kind !== "ConfigMap" && kind !== "Secret") {
            problems.push({ ...where, message: `spec.postBuild.substituteFrom kind ${JSON.stringify(kind)}: use ConfigMap or Secret` });
            continue;
        }
        const data = sources.map((s) => s.lookup(kind, namespace, String(ref.name))).find((d) => d !== undefined);
        if (data === undefined) {
            if (ref.optional === true) continue;
            problems.push({
                ...where,
                message: `spec.postBuild.substituteFrom ${kind} ${namespace}/${String(ref.name)} is neither in the render nor among the values given (${sources.map((s) => s.name).join(", ")}): add it, give its values to the checker, or mark it optional: true`,
            });
            continue;
        }
        for (const [k, v] of Object.entries(data)) vars.set(k, v.replace(/\n/g, ""));
    }
    for (const [k, v] of Object.entries(recordOrEmpty(postBuild.substitute))) vars.set(k, String(v).replace(/\n/g, ""));
    for (const name of vars.keys()) {
        if (!VARIABLE_NAME.test(name)) problems.push({ ...where, message: `variable name "${name}" is invalid: it must match ${VARIABLE_NAME.source}` });
    }
    return { vars, problems };
}

/**
 * Bash-style substitution as fluxcd/pkg/envsubst evaluates it, for the forms Flux documents:
 * `${VAR}`, `${VAR:-default}` / `${VAR-default}`, `${VAR:=default}` / `${VAR=default}`, and
 * `$${VAR}`, which escapes to a literal `${VAR}`. A bare `$VAR` is left alone. Unknown variables
 * become empty strings (the controller's default, non-strict mode); they are returned so that the
 * checker can report them.
 */
export function substitute(text: string, vars: ReadonlyMap<string, string>): { text: string; unknown: string[] } {
    const unknown: string[] = [];
    const out = text.replace(
        /\$(\$?)\{([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[-=])([^}]*))?\}/g,
        (whole, escape: string, name: string, op: string | undefined, fallback: string | undefined) => {
            if (escape) return whole.slice(1);
            const value = vars.get(name);
            if (op === undefined) {
                if (value === undefined) unknown.push(name);
                return value ?? "";
            }
            // With the colon an empty value also takes the default; without it only an unset one.
            const useDefault = op.startsWith(":") ? value === undefined || value === "" : value === undefined;
            return useDefault ? (fallback ?? "") : value!;
        },
    );
    return { text: out, unknown };
}

function disabled(object: KubeObject): boolean {
    const metadata = metadataOf(object);
    return recordOrEmpty(metadata.labels)[SUBSTITUTE_KEY] === "disabled" || recordOrEmpty(metadata.annotations)[SUBSTITUTE_KEY] === "disabled";
}

/**
 * Applies a Flux Kustomization's postBuild and commonMetadata to its built objects. Problems are
 * variables that could not be found, and unknown `${VAR}` references: errors, because Flux would
 * silently put an empty string on the cluster (a cluster name, a region, an account).
 */
export function applyPostBuild(
    kustomization: KubeObject,
    objects: readonly RenderedObject[],
    sources: readonly SubstitutionSource[],
    file: string,
): { objects: RenderedObject[]; problems: GitOpsProblem[] } {
    const spec = specOf(kustomization);
    const problems: GitOpsProblem[] = [];
    let result = objects.map((o) => ({ ...o, object: structuredClone(o.object) }));
    if (spec.postBuild) {
        const loaded = loadVariables(kustomization, sources, file);
        problems.push(...loaded.problems);
        if (loaded.vars.size > 0) {
            result = result.map((rendered) => {
                if (disabled(rendered.object)) return rendered;
                const { text, unknown } = substitute(YAML.stringify(rendered.object, { lineWidth: 0 }), loaded.vars);
                for (const name of new Set(unknown)) {
                    problems.push({
                        file: rendered.sourceFile,
                        object: describeObject(rendered.object),
                        rule: "postBuild",
                        message: `\${${name}} has no value in ${describeObject(kustomization)}'s postBuild: Flux substitutes an empty string. Add it to spec.postBuild.substitute or substituteFrom, or write $\${${name}} to keep it literal`,
                    });
                }
                try {
                    return { ...rendered, object: recordOrEmpty(YAML.parse(text)) };
                } catch (error) {
                    // Flux fails the whole Kustomization here ("post build failed ... YAMLToJSON").
                    problems.push({
                        file: rendered.sourceFile,
                        object: describeObject(rendered.object),
                        rule: "postBuild",
                        message: `is not valid YAML once ${describeObject(kustomization)}'s variables are substituted (${(error as Error).message.split("\n")[0]}): quote the value where the variable is used`,
                    });
                    return rendered;
                }
            });
        }
    }
    const common = spec.commonMetadata;
    if (isRecord(common)) {
        for (const { object } of result) {
            if (!isRecord(object.metadata)) object.metadata = {};
            const metadata = metadataOf(object);
            if (common.labels) metadata.labels = { ...recordOrEmpty(metadata.labels), ...recordOrEmpty(common.labels) };
            if (common.annotations) metadata.annotations = { ...recordOrEmpty(metadata.annotations), ...recordOrEmpty(common.annotations) };
        }
    }
    return { objects: result, problems };
}
