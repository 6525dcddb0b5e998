/**
 * What changes between two plan snapshots of one stack: resources added, removed and changed
 * (matched by URN, so a rename or a new parent shows as a remove plus an add, as it is a
 * replacement in Pulumi), and stack outputs changed. Works on snapshots only, so secrets stay
 * hidden; a secret whose value changed is not visible (both sides read SECRET).
 */
import { nameFromUrn, PlanResource, PlanSnapshot } from "./snapshot";
import { childPath, compareStrings, displayValue, JsonValue } from "./values";

/** One difference at a path; `before` or `after` is absent when the value was added or removed. */
export interface ValueChange {
    path: string;
    before?: JsonValue;
    after?: JsonValue;
}

export interface ResourceRef {
    urn: string;
    type: string;
    name: string;
}

export interface ResourceChange extends ResourceRef {
    changes: ValueChange[];
}

export interface PlanDiff {
    stack: string;
    added: ResourceRef[];
    removed: ResourceRef[];
    changed: ResourceChange[];
    unchanged: number;
    outputs: ValueChange[];
}

export function diffSnapshots(before: PlanSnapshot, after: PlanSnapshot): PlanDiff {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const now = new Map(after.resources.map((r) => [r.urn, r]));
    const diff: PlanDiff = { stack: after.stack, added: [], removed: [], changed: [], unchanged: 0, outputs: [] };

    for (const urn of [...new Set([...old.keys(), ...now.keys()])].sort(compareStrings)) {
        const a = old.get(urn);
        const b = now.get(urn);
        if (!a) diff.added.push(ref(b!));
        else if (!b) diff.removed.push(ref(a));
        else {
            const changes = resourceChanges(a, b);
            if (changes.length > 0) diff.changed.push({ ...ref(b), changes });
            else diff.unchanged += 1;
        }
    }
    diff.outputs = valueChanges("outputs", before.outputs, after.outputs);
    return diff;
}

export function hasChanges(diff: PlanDiff): boolean {
    return diff.added.length + diff.removed.length + diff.changed.length + diff.outputs.length > 0;
}

function ref(r: PlanResource): ResourceRef {
    return { urn: r.urn, type: r.type, name: r.name };
}

function resourceChanges(a: PlanResource, b: PlanResource): ValueChange[] {
    const changes: ValueChange[] = [];
    for (const field of ["custom", "provider", "protect"] as const) {
        changes.push(...valueChanges(field, a[field], b[field]));
    }
    // Dependencies are a set: report which were dropped and which are new, not shifted indexes.
    const oldDeps = new Set(a.dependencies);
    const newDeps = new Set(b.dependencies);
    for (const urn of a.dependencies) if (!newDeps.has(urn)) changes.push({ path: "dependencies", before: urn });
    for (const urn of b.dependencies) if (!oldDeps.has(urn)) changes.push({ path: "dependencies", after: urn });
    changes.push(...valueChanges("inputs", a.inputs, b.inputs));
    return changes;
}

/** Leaf-level differences between two JSON values; arrays are compared index by index. */
export function valueChanges(path: string, before: JsonValue | undefined, after: JsonValue | undefined): ValueChange[] {
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareStrings);
        return keys.flatMap((key) => valueChanges(childPath(path, key), before[key], after[key]));
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        const length = Math.max(before.length, after.length);
        return Array.from({ length }, (_, i) => valueChanges(childPath(path, i), before[i], after[i])).flat();
    }
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    const change: ValueChange = { path };
    if (before !== undefined) change.before = before;
    if (after !== undefined) change.after = after;
    return [change];
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function formatDiff(diff: PlanDiff): string {
    const lines = [`Plan diff for stack ${diff.stack}:`];
    const resourceLine = (sign: string, r: ResourceRef) => `${sign} ${r.type}  ${r.name}`;
    for (const r of diff.added) lines.push(resourceLine("+", r));
    for (const r of diff.removed) lines.push(resourceLine("-", r));
    for (const r of diff.changed) {
        lines.push(resourceLine("~", r));
        for (const c of r.changes) lines.push(`    ${formatChange(c)}`);
    }
    if (diff.outputs.length > 0) {
        lines.push("Outputs:");
        for (const c of diff.outputs) lines.push(`    ${formatChange(c)}`);
    }
    if (!hasChanges(diff)) lines.push("  no changes");
    lines.push(
        "",
        `${diff.added.length} to add, ${diff.removed.length} to remove, ${diff.changed.length} to change, ` +
            `${diff.unchanged} unchanged; ${diff.outputs.length} output change(s)`,
    );
    return `${lines.join("\n")}\n`;
}

function formatChange(c: ValueChange): string {
    // Dependencies and providers are URNs: the resource name reads better than the whole URN.
    const isUrn = c.path === "dependencies" || c.path === "provider";
    const show = (v: JsonValue | undefined) => (isUrn && typeof v === "string" ? nameFromUrn(v) : isUrn && v === null ? "(default)" : displayValue(v, 80));
    if (!("before" in c)) return `${c.path}: + ${show(c.after)}`;
    if (!("after" in c)) return `${c.path}: - ${show(c.before)}`;
    return `${c.path}: ${show(c.before)} -> ${show(c.after)}`;
}
