/**
 * Helpers for asserting on what the program registered under the mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { clearRegisteredResources, registeredOutputNames, registeredResources, RegisteredResource as RecordedRegistration } from "../../mock-runtime/runtime";

export { clearRegisteredResources };

/**
 * A registration as the tests read it. The runtime records inputs as `unknown` (whatever the program
 * passed, after serialisation); tests assert on them field by field, so here, and only in tests,
 * they are `any` (eslint.config.mjs relaxes the no-unsafe-* rules for test code for this).
 */
export type RegisteredResource = Omit<RecordedRegistration, "inputs"> & { inputs: any };

/**
 * The public Output properties of a component that it did not pass to `registerOutputs`: each is
 * missing from the engine's view of the component (and so from `pulumi stack export`).
 */
export async function unregisteredOutputs(component: pulumi.ComponentResource): Promise<string[]> {
    await settle();
    const registered = registeredOutputNames(component) ?? [];
    return Object.entries(component)
        .filter(([name, value]) => !name.startsWith("_") && pulumi.Output.isInstance(value))
        .map(([name]) => name)
        .filter((name) => !registered.includes(name) && name !== "urn");
}

/** Waits until every pending registration and output has been delivered to the mock engine. */
export async function settle(): Promise<void> {
    await pulumi.runtime.waitForRPCs();
}

/** Everything registered since the last `clearRegisteredResources()`. */
export async function captured(): Promise<readonly RegisteredResource[]> {
    await settle();
    return registeredResources();
}

export async function capturedOfType(type: string): Promise<RegisteredResource[]> {
    return (await captured()).filter((r) => r.type === type);
}

/** Resource counts per type, sorted by type, for count assertions. */
export async function countsByType(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const r of await captured()) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Resolves an output to its value (undefined when unknown). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as any).promise() as Promise<T>;
}

export function isSecretOutput(output: pulumi.Output<unknown>): Promise<boolean> {
    return (output as any).isSecret as Promise<boolean>;
}

/** True when a captured input value was sent to the engine as a secret. */
export function isSecretInput(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as any)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig;
}

/** The plain value of a captured input, secret or not. */
export function plainInput<T = unknown>(value: unknown): T {
    return (isSecretInput(value) ? (value as any).value : value) as T;
}
