/**
 * YAML parsing with positions: a document that does not parse is reported with its file, line
 * and column, so a broken manifest is found before kustomize's terser error.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { GitOpsProblem } from "./problems";

export type KubeObject = Record<string, any> & { apiVersion?: string; kind?: string; metadata?: Record<string, any> };

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
        const value = doc.toJS();
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
    const kind = object.kind ?? "<no kind>";
    const name = object.metadata?.name ?? "<no name>";
    const namespace = object.metadata?.namespace;
    return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}
