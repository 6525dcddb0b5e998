/**
 * Human-readable plan: the resource tree indented by parent, the scalar inputs of each resource,
 * the count per type and the stack outputs. Reads only the snapshot, so secrets are already hidden.
 */
import { nameFromUrn, PlanResource, PlanSnapshot } from "./snapshot";
import { compareStrings, displayValue, isScalar } from "./values";

/** Scalar inputs shown per resource; the rest is in the snapshot. */
const MAX_INPUTS_SHOWN = 6;
const MAX_VALUE_LENGTH = 48;

export function formatTree(snapshot: PlanSnapshot): string {
    const lines = [`Stack ${snapshot.stack} (project ${snapshot.project}): ${countLabel(snapshot.summary.total)}`, ""];
    const byUrn = new Map(snapshot.resources.map((r) => [r.urn, r]));
    const children = new Map<string | null, PlanResource[]>();
    for (const r of snapshot.resources) {
        // A parent that is not in the plan (the stack itself) puts the resource at the root.
        const parent = r.parent !== null && byUrn.has(r.parent) ? r.parent : null;
        children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const visit = (parent: string | null, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            lines.push(...resourceLines(r, depth, byUrn));
            visit(r.urn, depth + 1);
        }
    };
    visit(null, 0);

    lines.push("", "Resources by type:");
    const width = Math.max(5, ...Object.keys(snapshot.summary.byType).map((t) => t.length));
    for (const [type, count] of Object.entries(snapshot.summary.byType)) {
        lines.push(`  ${type.padEnd(width)}  ${count}`);
    }
    lines.push(`  ${"total".padEnd(width)}  ${snapshot.summary.total}`);

    const outputs = Object.keys(snapshot.outputs).sort(compareStrings);
    if (outputs.length > 0) {
        lines.push("", "Outputs:");
        for (const key of outputs) lines.push(`  ${key}: ${displayValue(snapshot.outputs[key], 100)}`);
    }
    return `${lines.join("\n")}\n`;
}

function resourceLines(r: PlanResource, depth: number, byUrn: ReadonlyMap<string, PlanResource>): string[] {
    const indent = "  ".repeat(depth);
    const marks: string[] = [];
    if (r.provider) marks.push(`provider=${byUrn.get(r.provider)?.name ?? nameFromUrn(r.provider)}`);
    if (r.protect) marks.push("protect");
    const head = `${indent}${r.type}  ${r.name}${marks.length > 0 ? `  [${marks.join(", ")}]` : ""}`;

    const scalars = Object.keys(r.inputs)
        .sort(compareStrings)
        .filter((key) => isScalar(r.inputs[key]));
    if (scalars.length === 0) return [head];
    const shown = scalars.slice(0, MAX_INPUTS_SHOWN).map((key) => `${key}=${displayValue(r.inputs[key], MAX_VALUE_LENGTH)}`);
    const more = scalars.length > MAX_INPUTS_SHOWN ? ` (+${scalars.length - MAX_INPUTS_SHOWN} more)` : "";
    return [head, `${indent}    ${shown.join(" ")}${more}`];
}

function countLabel(n: number): string {
    return n === 1 ? "1 resource" : `${n} resources`;
}
