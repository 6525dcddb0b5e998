/**
 * YAML parsing with positions: a document that does not parse is reported with its file, line
 * and column, so a broken manifest is found before kustomize's terser error.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { recordOrEmpty, scalarText } from "../core/guards";
import { GitOpsProblem } from "./problems";

/**
 * A parsed manifest: a YAML mapping whose fields are read through the accessors below (or the
 * guards in core/guards.ts), since nothing guarantees its shape before schema validation.
 */
export type KubeObject = Record<string, unknown>;

// Identity fields read as scalar text: YAML turns `name: 123` into a number, which still names the object.
export function kindOf(object: KubeObject): string | undefined {
    return scalarText(object.kind);
}

export function apiVersionOf(object: KubeObject): string | undefined {
    return scalarText(object.apiVersion);
}

/** metadata, or an empty mapping when it is missing or not a mapping. */
export function metadataOf(object: KubeObject): Record<string, unknown> {
    return recordOrEmpty(object.metadata);
}

export function nameOf(object: KubeObject): string | undefined {
    return scalarText(metadataOf(object).name);
}

export function namespaceOf(object: KubeObject): string | undefined {
    return scalarText(metadataOf(object).namespace);
}

/** spec, or an empty mapping when it is missing or not a mapping. */
export function specOf(object: KubeObject): Record<string, unknown> {
    return recordOrEmpty(object.spec);
}

export interface ParsedYaml {
    documents: unknown[];
    problems: GitOpsProblem[];
}

/** Parses every document in `text`; `file` is only used to name the location of problems. */
export function parseYamlDocuments(text: string, file: string): ParsedYaml {
    const documents: unknown[] = [];
    const problems: GitOpsProblem[] = [];
    for (const doc of YAML.parseAllDocuments(text, { prettyErrors: true })) {
        if (doc.errors.length > 0) {
            for (const error of doc.errors) {
                const at = error.linePos?.[0];
                const where = at ? `${file}:${at.line}:${at.col}` : file;
                problems.push({ file: where, message: `YAML does not parse: ${firstLine(error.message)}` });
            }
            continue;
        }
        const value: unknown = doc.toJS();
        // Empty documents (a trailing `---`, a comment-only file) carry nothing to apply.
        if (value !== null && value !== undefined) documents.push(value);
    }
    return { documents, problems };
}

export function parseYamlFile(file: string, root: string): ParsedYaml {
    return parseYamlDocuments(fs.readFileSync(file, "utf8"), path.relative(root, file));
}

function firstLine(message: string): string {
    return message.split("\n")[0].trim();
}

/** `Kind namespace/name`, the way problems name an object. */
export function describeObject(object: KubeObject): string {
    const kind = kindOf(object) ?? "<no kind>";
    const name = nameOf(object) ?? "<no name>";
    const namespace = namespaceOf(object);
    return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}
