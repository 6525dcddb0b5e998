/**
 * Reads a stack's configuration from `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi
 * CLI assembles it for a program, without the CLI and without a secrets provider.
 *
 * Pure apart from reading the two files: it never decrypts, never touches the network and never
 * changes process state. Shared by the offline plan and the Automation API command line.
 *
 * What it applies, as the CLI does:
 * - Project config in `Pulumi.yaml`: a key without a namespace belongs to the project
 *   (`region` is `<project>:region`). A plain value is the key's default for project keys and its
 *   value for other namespaces (`aws:region: us-west-2`); the long form
 *   `{type, description, items, default, value, secret}` declares a type. Stack values win.
 * - Typed project keys: a missing value without a default, a value of the wrong type, and a plain
 *   value for a key declared `secret: true` are reported, all together.
 * - `stackConfigDir` in `Pulumi.yaml` moves the stack files.
 *
 * A `{secure: <ciphertext>}` value, at the top or nested inside objects and arrays, is replaced by
 * SECURE_PLACEHOLDER and its top-level key is listed in `secretKeys`, so the program sees a secret
 * whose value is a harmless marker.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { isRecord } from "../../core/guards";

/** Stands in for every `secure:` value; the ciphertext is never passed on. */
export const SECURE_PLACEHOLDER = "[secure value, not decrypted offline]";

export interface StackConfig {
    /** Project name from `Pulumi.yaml`. */
    project: string;
    /** Full keys (`fluxpilot:clusters`) to values: strings, numbers, booleans, objects, arrays. */
    config: Record<string, unknown>;
    /** Full keys whose value is secret (a `secure:` value somewhere inside it), sorted. */
    secretKeys: string[];
}

/** The requested stack has no settings file; `available` lists the stacks that do. */
export class StackNotFoundError extends Error {
    constructor(
        readonly stack: string,
        readonly available: readonly string[],
        readonly stackDir: string,
    ) {
        const known = available.length > 0 ? available.join(", ") : "none";
        super(`stack "${stack}" has no Pulumi.${stack}.yaml in ${stackDir}; available stacks: ${known}`);
        this.name = "StackNotFoundError";
    }
}

/** There is no `Pulumi.yaml` (or `Pulumi.yml`) in the directory given as the project. */
export class ProjectNotFoundError extends Error {
    constructor(readonly projectDir: string) {
        super(`no Pulumi.yaml in ${projectDir}; run from the project directory or name it explicitly`);
        this.name = "ProjectNotFoundError";
    }
}

/** `Pulumi.yaml` or the stack file cannot be used as it is; `problems` lists every reason. */
export class StackFileError extends Error {
    constructor(
        readonly file: string,
        readonly problems: readonly string[],
    ) {
        super(`${file} is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "StackFileError";
    }
}

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml"];
const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;
/** Stack names the CLI accepts; also keeps the file name inside the stack directory. */
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;
const DECLARATION_ATTRIBUTES = new Set(["type", "description", "items", "default", "value", "secret"]);

interface ConfigDeclaration {
    type?: string;
    items?: { type?: string; items?: unknown };
    default?: unknown;
    value?: unknown;
    secret?: boolean;
}

interface ProjectFile {
    file: string;
    name: string;
    /** `main:` from Pulumi.yaml, resolved: the program file or directory. */
    main: string;
    stackDir: string;
    declarations: Map<string, ConfigDeclaration>;
}

export function readStackConfig(projectDir: string, stack: string): StackConfig {
    const project = readProjectFile(projectDir);
    const stackFile = findStackFile(project, stack);
    const document = parseYamlFile(stackFile);
    const problems: string[] = [];

    if (document.environment !== undefined) {
        problems.push("`environment:` imports Pulumi ESC environments, which cannot be resolved offline; move the values into `config:`");
    }
    const stackValues = asMap(document.config ?? {});
    if (!stackValues) {
        problems.push("`config:` must be a map of `namespace:key` to value");
    }

    const config: Record<string, unknown> = {};
    const secretKeys = new Set<string>();
    const setValue = (key: string, raw: unknown) => {
        const { value, secure } = replaceSecureValues(raw);
        config[key] = value;
        if (secure) secretKeys.add(key);
        else secretKeys.delete(key);
    };

    for (const [key, declaration] of project.declarations) {
        const projectValue = declaration.value ?? declaration.default;
        if (projectValue !== undefined) setValue(key, projectValue);
    }
    for (const [key, raw] of Object.entries(stackValues ?? {})) {
        if (!key.includes(":")) {
            problems.push(`config key "${key}" has no namespace; write it as "${project.name}:${key}"`);
            continue;
        }
        setValue(key, raw);
    }
    problems.push(...checkDeclarations(project, stack, stackValues ?? {}));

    if (problems.length > 0) throw new StackFileError(stackFile, problems);
    return { project: project.name, config: sortedRecord(config), secretKeys: [...secretKeys].sort() };
}

/**
 * The program entry the CLI would run: `main:` from Pulumi.yaml when it names a file, else
 * `index.ts` in the directory it names (the project directory by default).
 */
export function programEntry(projectDir: string): string {
    const { main } = readProjectFile(projectDir);
    return fs.existsSync(main) && fs.statSync(main).isDirectory() ? path.join(main, "index.ts") : main;
}

/** Stack names that have a settings file next to the project, sorted. */
export function listStacks(projectDir: string): string[] {
    return stacksIn(readProjectFile(projectDir).stackDir);
}

function stacksIn(stackDir: string): string[] {
    if (!fs.existsSync(stackDir)) return [];
    const stacks = fs
        .readdirSync(stackDir)
        .map((file) => STACK_FILE.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined && STACK_NAME.test(stack));
    return [...new Set(stacks)].sort();
}

function findStackFile(project: ProjectFile, stack: string): string {
    if (STACK_NAME.test(stack)) {
        for (const ext of ["yaml", "yml"]) {
            const file = path.join(project.stackDir, `Pulumi.${stack}.${ext}`);
            if (fs.existsSync(file)) return file;
        }
    }
    throw new StackNotFoundError(stack, stacksIn(project.stackDir), project.stackDir);
}

function readProjectFile(projectDir: string): ProjectFile {
    const file = PROJECT_FILES.map((name) => path.join(projectDir, name)).find((f) => fs.existsSync(f));
    if (!file) throw new ProjectNotFoundError(projectDir);
    const document = parseYamlFile(file);
    const problems: string[] = [];
    const name = typeof document.name === "string" && document.name !== "" ? document.name : undefined;
    if (!name) problems.push("`name:` must be the project name");

    // `config: <dir>` is the old spelling of `stackConfigDir`, as in the CLI.
    const legacyDir = typeof document.config === "string" ? document.config : undefined;
    const stackConfigDir = document.stackConfigDir ?? legacyDir;
    if (stackConfigDir !== undefined && typeof stackConfigDir !== "string") {
        problems.push("`stackConfigDir:` must be a directory path relative to Pulumi.yaml");
    }
    if (document.main !== undefined && typeof document.main !== "string") {
        problems.push("`main:` must be the program's path relative to Pulumi.yaml");
    }
    const declarations = new Map<string, ConfigDeclaration>();
    const rawDeclarations = legacyDir === undefined ? asMap(document.config ?? {}) : {};
    if (!rawDeclarations) problems.push("`config:` must be a map of config keys to declarations or values");
    for (const [key, raw] of Object.entries(rawDeclarations ?? {})) {
        const declaration = toDeclaration(key, raw, name ?? "", problems);
        if (declaration) declarations.set(fullKey(name ?? "", key), declaration);
    }
    if (problems.length > 0) throw new StackFileError(file, problems);
    return {
        file,
        name: name!,
        main: path.resolve(projectDir, typeof document.main === "string" ? document.main : "."),
        stackDir: path.resolve(projectDir, typeof stackConfigDir === "string" ? stackConfigDir : "."),
        declarations,
    };
}

/** Normalises one `Pulumi.yaml` config entry to its long form, reporting what the CLI rejects. */
function toDeclaration(key: string, raw: unknown, project: string, problems: string[]): ConfigDeclaration | undefined {
    const ownedByProject = isProjectKey(project, key);
    const map = asMap(raw);
    if (!map) {
        // Short form: a default for the project's keys, a value for other namespaces.
        return ownedByProject ? { default: raw } : { value: raw };
    }
    const unknown = Object.keys(map).filter((k) => !DECLARATION_ATTRIBUTES.has(k));
    if (unknown.length > 0) {
        problems.push(`config "${key}" has unknown attribute(s) ${unknown.join(", ")}; allowed: ${[...DECLARATION_ATTRIBUTES].join(", ")}`);
        return undefined;
    }
    const declaration = map as ConfigDeclaration;
    if (declaration.default !== undefined && declaration.value !== undefined) {
        problems.push(`config "${key}" has both \`default\` and \`value\`; keep one`);
    }
    if (!ownedByProject && (declaration.type !== undefined || declaration.default !== undefined)) {
        problems.push(`config "${key}" belongs to another namespace: it can only set \`value\`, not \`type\` or \`default\``);
    }
    if (declaration.type !== undefined && declaration.default !== undefined && !matchesType(declaration, declaration.default)) {
        problems.push(`config "${key}" has a default that is not of type ${typeName(declaration)}`);
    }
    return declaration;
}

/** The CLI's checks of stack values against typed project declarations, all reported together. */
function checkDeclarations(project: ProjectFile, stack: string, stackValues: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const [key, declaration] of project.declarations) {
        if (declaration.type === undefined && declaration.secret !== true) continue;
        const given = stackValues[key];
        if (given === undefined) {
            if (declaration.type !== undefined && declaration.default === undefined && declaration.value === undefined) {
                problems.push(`stack "${stack}" is missing "${key}" (declared as ${typeName(declaration)} in ${path.basename(project.file)}); set it in the stack file`);
            }
            continue;
        }
        const secure = replaceSecureValues(given).secure;
        if (declaration.secret === true && !secure) {
            problems.push(`"${key}" is declared secret, but stack "${stack}" sets it in plain text; set it with \`pulumi config set --secret\``);
        }
        // A secure value's type cannot be checked without decrypting it.
        if (declaration.type !== undefined && !secure && !matchesType(declaration, given)) {
            problems.push(`"${key}" must be of type ${typeName(declaration)} (given: ${JSON.stringify(given)})`);
        }
    }
    return problems;
}

/** Type rules of the CLI: integers may be whole floats or numeric strings, booleans "true"/"false". */
function matchesType(type: { type?: string; items?: unknown }, value: unknown): boolean {
    switch (type.type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return Number.isInteger(value) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return asMap(value) !== undefined;
        case "array": {
            const items = asMap(type.items);
            return Array.isArray(value) && items !== undefined && value.every((item) => matchesType(items, item));
        }
        default:
            return false;
    }
}

function typeName(type: { type?: string; items?: unknown }): string {
    const items = asMap(type.items);
    return type.type === "array" && items ? `array<${typeName(items)}>` : String(type.type);
}

/** Replaces every `{secure: ...}` inside `value` with the placeholder; reports whether there was one. */
export function replaceSecureValues(value: unknown): { value: unknown; secure: boolean } {
    if (isSecureValue(value)) return { value: SECURE_PLACEHOLDER, secure: true };
    if (Array.isArray(value)) {
        const items = value.map(replaceSecureValues);
        return { value: items.map((i) => i.value), secure: items.some((i) => i.secure) };
    }
    const map = asMap(value);
    if (map) {
        let secure = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(map)) {
            const replaced = replaceSecureValues(v);
            out[k] = replaced.value;
            secure ||= replaced.secure;
        }
        return { value: out, secure };
    }
    return { value, secure: false };
}

function isSecureValue(value: unknown): boolean {
    const map = asMap(value);
    return map !== undefined && Object.keys(map).length === 1 && typeof map.secure === "string";
}

function isProjectKey(project: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${project}:`);
}

function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function parseYamlFile(file: string): Record<string, unknown> {
    const document = YAML.parseDocument(fs.readFileSync(file, "utf8"), { prettyErrors: true });
    if (document.errors.length > 0) {
        throw new StackFileError(
            file,
            document.errors.map((e) => e.message.split("\n")[0]),
        );
    }
    const content: unknown = document.toJS() ?? {};
    const map = asMap(content);
    if (!map) throw new StackFileError(file, ["the file must contain a YAML map"]);
    return map;
}

function asMap(value: unknown): Record<string, unknown> | undefined {
    return isRecord(value) ? value : undefined;
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
