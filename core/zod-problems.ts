/**
 * Turns zod's validation issues into config problems that name the full key, the value given
 * and the fix, in the words a stack file's author uses.
 */
import { z } from "zod";
import { ConfigProblem, redacted } from "./problems";
import { splitRuleMessage } from "./rules";

type PathPart = PropertyKey;

export function formatKey(base: string, path: readonly PathPart[]): string {
    return path.reduce<string>((key, part) => (typeof part === "number" ? `${key}[${part}]` : `${key}.${String(part)}`), base);
}

/** The schema inside the wrappers that do not change which keys an object accepts. */
function unwrapped(schema: z.core.$ZodType): z.core.$ZodType {
    let current = schema;
    for (;;) {
        if (
            current instanceof z.core.$ZodOptional ||
            current instanceof z.core.$ZodNullable ||
            current instanceof z.core.$ZodDefault ||
            current instanceof z.core.$ZodPrefault ||
            current instanceof z.core.$ZodReadonly
        ) {
            current = current._zod.def.innerType;
        } else if (current instanceof z.core.$ZodPipe) {
            current = current._zod.def.in;
        } else {
            return current;
        }
    }
}

/** Keys an object schema accepts at `path` inside `schema`, for "did you mean" fixes. */
function knownKeysAt(schema: z.ZodType, path: readonly PathPart[]): string[] {
    let current: z.core.$ZodType | undefined = unwrapped(schema);
    for (const part of path) {
        // Zod puts only string keys on an object's path, so the part needs no type check here.
        if (current instanceof z.core.$ZodObject) current = current._zod.def.shape[String(part)];
        else if (current instanceof z.core.$ZodArray) current = current._zod.def.element;
        else return [];
        if (current === undefined) return [];
        current = unwrapped(current);
    }
    return current instanceof z.core.$ZodObject ? Object.keys(current._zod.def.shape) : [];
}

/** The closest known key, when it is close enough to be a likely typo. */
export function closestKey(given: string, known: readonly string[]): string | undefined {
    let best: { key: string; distance: number } | undefined;
    for (const key of known) {
        const distance = editDistance(given.toLowerCase(), key.toLowerCase());
        if (!best || distance < best.distance) best = { key, distance };
    }
    return best && best.distance <= Math.max(2, Math.floor(given.length / 3)) ? best.key : undefined;
}

/** Levenshtein distance: the fewest inserted, deleted or replaced letters that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}

/** `show` turns a known name into the form the reader writes (e.g. with its namespace). */
export function unknownKeyProblem(key: string, name: string, known: readonly string[], show = (k: string) => k): ConfigProblem {
    const suggestion = closestKey(name, known);
    const list = known.map(show).join(", ");
    return {
        key,
        message: "is not a known setting",
        fix: suggestion ? `did you mean "${show(suggestion)}"? Known settings here: ${list}` : known.length > 0 ? `remove it; known settings here: ${list}` : "remove it",
    };
}

function describeType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "a list";
    return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function oneOf(values: readonly unknown[]): string {
    return `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`;
}

/**
 * Parses `value` with `schema`; returns the data, or the problems with keys rooted at `baseKey`.
 * `secret` hides the given values in messages.
 */
export function parseWithProblems<T>(schema: z.ZodType<T>, value: unknown, baseKey: string, secret = false): { data?: T; problems: ConfigProblem[] } {
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) return { data: result.data, problems: [] };
    const problems: ConfigProblem[] = [];
    for (const issue of result.error.issues) {
        const shown = (input: unknown) => (secret ? redacted : input);
        if (issue.code === "unrecognized_keys") {
            const known = knownKeysAt(schema, issue.path);
            for (const name of issue.keys) {
                problems.push(unknownKeyProblem(formatKey(baseKey, [...issue.path, name]), name, known));
            }
            continue;
        }
        const key = formatKey(baseKey, issue.path);
        const { message, fix } = splitRuleMessage(issue.message);
        // Zod words a left-out setting as a type issue, or for an enum or literal as a value issue.
        if (issue.input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")) {
            problems.push({ key, message: "is missing", fix: fix ?? (issue.code === "invalid_value" ? `set ${key} to ${oneOf(issue.values)}` : `set ${key}`) });
        } else if (issue.code === "invalid_type") {
            const expected = issue.expected === "int" ? "a whole number" : `a ${issue.expected}`;
            problems.push({
                key,
                value: shown(issue.input),
                // Zod expects "int" only once the value passed as a number (checks run after the type), so a
                // fraction: "not a number" would mislead. Anything else that is not a number expects "number".
                message: issue.expected === "int" ? `must be ${expected}` : `must be ${expected}, not ${describeType(issue.input)}`,
                fix: fix ?? `set ${key} to ${expected}`,
            });
        } else if (issue.code === "invalid_value") {
            problems.push({
                key,
                value: shown(issue.input),
                message: fix ? message : "is not one of the accepted values",
                fix: fix ?? `use ${oneOf(issue.values)}`,
            });
        } else {
            problems.push({ key, value: shown(issue.input), message, fix: fix ?? "see docs/configuration.md for the accepted values" });
        }
    }
    return { problems };
}
