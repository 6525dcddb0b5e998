/**
 * The plan snapshot: every resource the program registers for one stack, with its wiring and
 * inputs, plus the stack outputs, as deterministic JSON (same program and config, same bytes).
 */
import * as fs from "fs";
import * as path from "path";
import { isRecord, recordOrEmpty } from "../../core/guards";
import { RegisteredResource } from "../../mock-runtime/runtime";
import { compareStrings, JsonValue, toPlanValue } from "./values";

export const SNAPSHOT_FORMAT = "fluxpilot-plan/v1";

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    /** false for component resources, which only group their children. */
    custom: boolean;
    /** URN of the parent resource, or null at the stack root. */
    parent: string | null;
    /** URN of the explicit provider (without its ID), or null for the default provider. */
    provider: string | null;
    /** URNs this resource waits for (dependsOn and input dependencies), sorted. */
    dependencies: string[];
    protect: boolean;
    /** Inputs as sent to the engine; secrets are SECRET, values computed by the cloud UNKNOWN. */
    inputs: { [key: string]: JsonValue };
}

export interface PlanSnapshot {
    format: typeof SNAPSHOT_FORMAT;
    project: string;
    stack: string;
    /** Sorted by URN. */
    resources: PlanResource[];
    /** The program's exports, resolved; secrets SECRET, unknowns UNKNOWN. */
    outputs: { [key: string]: JsonValue };
    summary: { byType: { [type: string]: number }; total: number };
}

/** The old snapshot given to `--diff` cannot be used. */
export class InvalidSnapshotError extends Error {
    constructor(file: string, reason: string) {
        super(`${file} is not a plan snapshot: ${reason}`);
        this.name = "InvalidSnapshotError";
    }
}

export async function buildSnapshot(project: string, stack: string, registered: readonly RegisteredResource[], outputs: Record<string, unknown>): Promise<PlanSnapshot> {
    const urns = new Set<string>();
    for (const r of registered) {
        // The engine refuses a second registration of the same URN; so does the plan.
        if (urns.has(r.urn)) throw new Error(`two resources have the URN ${r.urn}; resource names must be unique per type and parent`);
        urns.add(r.urn);
    }
    const resources = await Promise.all(
        registered.map(async (r): Promise<PlanResource> => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            custom: r.custom,
            parent: r.parent || null,
            provider: r.provider ? providerUrn(r.provider) : null,
            dependencies: [...new Set(r.dependencies)].sort(compareStrings),
            protect: r.protect,
            inputs: ((await toPlanValue(r.inputs)) ?? {}) as PlanResource["inputs"],
        })),
    );
    resources.sort((a, b) => compareStrings(a.urn, b.urn));
    return {
        format: SNAPSHOT_FORMAT,
        project,
        stack,
        resources,
        outputs: ((await toPlanValue(outputs)) ?? {}) as PlanSnapshot["outputs"],
        summary: summarise(resources),
    };
}

/**
 * A provider reference is `<urn>::<id>`; the ID is unknown in preview and differs between real
 * runs, so only the URN is kept.
 */
function providerUrn(reference: string): string {
    const separator = reference.lastIndexOf("::");
    return separator > 0 ? reference.slice(0, separator) : reference;
}

/** The last URN segment is the resource name. */
export function nameFromUrn(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

export function summarise(resources: readonly PlanResource[]): PlanSnapshot["summary"] {
    const byType: Record<string, number> = {};
    for (const r of resources) byType[r.type] = (byType[r.type] ?? 0) + 1;
    const sorted = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => compareStrings(a, b)));
    return { byType: sorted, total: resources.length };
}

/** Canonical bytes: keys sorted at every level, two-space indent, trailing newline. */
export function serializeSnapshot(snapshot: PlanSnapshot): string {
    return `${JSON.stringify(sortKeys(snapshot), null, 2)}\n`;
}

export function writeSnapshot(file: string, snapshot: PlanSnapshot): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, serializeSnapshot(snapshot));
}

/** Reads a snapshot written by this tool, checking the format so a diff never compares apples to pears. */
export function readSnapshot(file: string): PlanSnapshot {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new InvalidSnapshotError(file, (error as Error).message);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (error) {
        throw new InvalidSnapshotError(file, `not JSON (${(error as Error).message})`);
    }
    const document = recordOrEmpty(parsed);
    if (document.format !== SNAPSHOT_FORMAT) {
        throw new InvalidSnapshotError(file, `format is ${JSON.stringify(document.format)}, expected "${SNAPSHOT_FORMAT}"; regenerate it with this version of the plan`);
    }
    if (!Array.isArray(document.resources) || typeof document.outputs !== "object" || document.outputs === null) {
        throw new InvalidSnapshotError(file, "it has no resources list or outputs map");
    }
    // Checked as far as the plan relies on: the format it writes, a resources list and an outputs map.
    return document as unknown as PlanSnapshot;
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (isRecord(value)) {
        return Object.fromEntries(
            Object.keys(value)
                .sort(compareStrings)
                .map((key) => [key, sortKeys(value[key])]),
        );
    }
    return value;
}
