/**
 * Typed guards for raw data (parsed JSON and YAML, values from outside the program): what enters as
 * `unknown` is narrowed here instead of being cast or read as `any`.
 */

/** A JSON or YAML mapping: a non-null object that is not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The mapping itself, or an empty one for anything else (a missing or malformed section reads as empty). */
export function recordOrEmpty(value: unknown): Record<string, unknown> {
    return isRecord(value) ? value : {};
}

/** The array itself, or an empty one for anything else. */
export function arrayOrEmpty(value: unknown): readonly unknown[] {
    return Array.isArray(value) ? value : [];
}

/** A scalar's text as String() prints it; undefined for null, undefined, objects and arrays. */
export function scalarText(value: unknown): string | undefined {
    return typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" ? String(value) : undefined;
}

/** The value when it is a string, else undefined. */
export function stringOr(value: unknown): string | undefined {
    return typeof value === "string" ? value : undefined;
}
