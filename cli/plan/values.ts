/**
 * Turns values the program produced (resource inputs as the engine received them, stack outputs)
 * into plain JSON for the snapshot: secrets become SECRET, values unknown until the cloud creates
 * something become UNKNOWN, resources become their URN, object keys are sorted.
 */
import * as pulumi from "@pulumi/pulumi";

/** Stands in for any secret value; the value itself never reaches the snapshot or the terminal. */
export const SECRET = "[secret]";
/** Stands in for a value only known after the cloud creates a resource, as `pulumi preview` shows it. */
export const UNKNOWN = "[unknown]";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Normalises any value the program produced; async because resources and outputs resolve later. */
export async function toPlanValue(value: unknown): Promise<JsonValue | undefined> {
    if (value === undefined || typeof value === "function" || typeof value === "symbol") return undefined;
    if (value === null || typeof value === "boolean" || typeof value === "string") return value;
    if (typeof value === "number") return Number.isFinite(value) ? value : null;
    if (typeof value === "bigint") return value.toString();
    if (pulumi.isUnknown(value)) return UNKNOWN;
    if (isRpcSecret(value)) return SECRET;
    if (pulumi.Output.isInstance<unknown>(value)) return outputValue(value);
    if (pulumi.Resource.isInstance(value)) return outputValue(value.urn);
    const asset = assetOrArchive(value);
    if (asset) return assetValue(asset);
    if (value instanceof Promise) return toPlanValue(await value);
    if (Array.isArray(value)) {
        const items = await Promise.all(value.map(toPlanValue));
        return items.map((item) => (item === undefined ? null : item));
    }
    const entries = await Promise.all(
        Object.keys(value)
            .sort(compareStrings)
            .map(async (key) => [key, await toPlanValue(Reflect.get(value, key))] as const),
    );
    return Object.fromEntries(entries.filter((entry): entry is [string, JsonValue] => entry[1] !== undefined));
}

/**
 * Asset and Archive as a plain lookup: the SDK's own type guards for them match any object, so
 * using them as guards would narrow every other object away in the caller.
 */
function assetOrArchive(value: unknown): pulumi.asset.Asset | pulumi.asset.Archive | undefined {
    return pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value) ? value : undefined;
}

/** A secret output hides everything, including whether it is known; otherwise unknowns stay marked. */
async function outputValue(output: pulumi.Output<unknown>): Promise<JsonValue | undefined> {
    if (await output.isSecret) return SECRET;
    const value = await output.promise(/* withUnknowns */ true);
    // A wholly unknown output resolves to undefined; partly unknown values carry markers inside.
    if (value === undefined && !(await output.isKnown)) return UNKNOWN;
    return toPlanValue(value);
}

/** Assets and archives keep their source (path, URI or text) under one tagged key. */
async function assetValue(value: pulumi.asset.Asset | pulumi.asset.Archive): Promise<JsonValue | undefined> {
    const fields: Record<string, unknown> = {};
    for (const key of ["path", "uri", "text", "assets"]) {
        // Each subclass holds its own source field as a promise (FileAsset.path, StringAsset.text, ...).
        const field: unknown = Reflect.get(value, key);
        if (field !== undefined) fields[key] = field instanceof Promise ? await field : field;
    }
    return { [`[${value.constructor.name}]`]: (await toPlanValue(fields)) ?? {} };
}

function isRpcSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && Reflect.get(value, pulumi.runtime.specialSigKey) === pulumi.runtime.specialSecretSig;
}

/** Code-point order, independent of locale, so snapshots are identical on every machine. */
export function compareStrings(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

export function isScalar(value: JsonValue | undefined): value is string | number | boolean | null {
    return value === null || typeof value !== "object";
}

/** One value for a terminal line: markers bare, everything else as JSON, cut to `max` characters. */
export function displayValue(value: JsonValue | undefined, max = 60): string {
    if (value === undefined) return "(absent)";
    if (value === SECRET || value === UNKNOWN) return value;
    const text = JSON.stringify(value);
    return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Dotted path for an object key or array index, quoting keys that are not identifiers. */
export function childPath(parent: string, key: string | number): string {
    if (typeof key === "number") return `${parent}[${key}]`;
    const part = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
    return parent === "" ? part : /^"/.test(part) ? `${parent}[${part}]` : `${parent}.${part}`;
}
