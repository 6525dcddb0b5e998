/**
 * Canned cloud answers a provider ships for the offline runtime (the offline plan and the tests):
 * the provider functions its component calls and the outputs the cloud computes. Plain data, so
 * the program carries no mock machinery; mock-runtime/ registers them from the registry.
 */
import { createHash } from "crypto";
import { scalarText } from "../../core/guards";

/** Resource or call inputs as the mock runtime deserialises them: whatever the program passed. */
export type FixtureInputs = Readonly<Record<string, unknown>>;

/**
 * An input as text, printed the way a template literal prints a scalar (an absent input without a
 * fallback reads "undefined", as it did when fixtures interpolated inputs directly); `fallback`
 * when the input is undefined or null; an object input as JSON.
 */
export function inputText(inputs: FixtureInputs, key: string, fallback?: string): string {
    const value = inputs[key] ?? fallback;
    return value === undefined ? "undefined" : (scalarText(value) ?? JSON.stringify(value));
}

/** token -> answer for a provider function call such as `aws:index/getAvailabilityZones:getAvailabilityZones`. */
export type InvokeFixture = (inputs: FixtureInputs) => Record<string, unknown>;

/**
 * type -> outputs the cloud would compute for a resource (endpoints, ARNs, certificates). Used
 * only when the runtime is not previewing; in preview computed outputs stay unknown, as they
 * would in `pulumi preview`.
 */
export type ComputedOutputsFixture = (name: string, inputs: FixtureInputs) => Record<string, unknown>;

export interface OfflineFixtures {
    invokes?: Record<string, InvokeFixture>;
    computedOutputs?: Record<string, ComputedOutputsFixture>;
}

/** A stable fake identifier derived from the resource name, so repeated runs print the same plan. */
export function fakeId(name: string, length: number, alphabet = "0123456789ABCDEF"): string {
    const digest = createHash("sha256").update(name).digest();
    return Array.from(digest.subarray(0, length), (byte) => alphabet[byte % alphabet.length]).join("");
}

/** A syntactically valid, base64-encoded PEM block standing in for a cluster CA. */
export function fakeCertificateAuthority(name: string): string {
    const body = Buffer.from(createHash("sha512").update(name).digest()).toString("base64");
    return Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).toString("base64");
}
