/**
 * Resource inputs as the policies see them under the engine: secrets unwrapped to their values,
 * and values the cloud computes later still unknown, so that reading one stops the policy the way
 * @pulumi/policy's unknownCheckingProxy does ("can't run during preview").
 */
import * as pulumi from "@pulumi/pulumi";

/** A policy read a value that is only known once the cloud creates a resource. */
export class UnknownDuringPreview extends Error {
    constructor(readonly path: string) {
        super(`the value at ${path} is only known after the update, so the policy cannot run during a preview`);
        this.name = "UnknownDuringPreview";
    }
}

/** Stands in for an unknown value inside the plain copy; never reaches a policy unread. */
const UNKNOWN: unique symbol = Symbol("unknown during preview");

/** A plain copy of the inputs: secrets unwrapped, unknowns marked. */
export function plainInputs(value: unknown): unknown {
    if (pulumi.isUnknown(value)) return UNKNOWN;
    if (Array.isArray(value)) return value.map(plainInputs);
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return plainInputs(record["value"]);
        return Object.fromEntries(Object.entries(record).map(([key, v]) => [key, plainInputs(v)]));
    }
    return value;
}

/** Wraps a plain copy so that reading an unknown value throws UnknownDuringPreview. */
export function guardUnknowns<T extends object>(target: T, path = ""): T {
    return new Proxy(target, {
        get(object, key, receiver) {
            const value: unknown = Reflect.get(object, key, receiver);
            if (typeof key === "symbol") return value;
            const here = path === "" ? key : `${path}.${key}`;
            if (value === UNKNOWN) throw new UnknownDuringPreview(here);
            // Frozen properties (an array's constructor prototype) must be returned as they are.
            const descriptor = Object.getOwnPropertyDescriptor(object, key);
            if (descriptor && descriptor.configurable === false && descriptor.writable === false) return value;
            return typeof value === "object" && value !== null ? guardUnknowns(value, here) : value;
        },
    });
}
