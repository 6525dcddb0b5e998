/**
 * Canned answers for the provider calls and computed outputs the program needs when it runs
 * under Pulumi's mock runtime (the offline plan and the tests). Every invoke the program makes
 * must have an entry here: an unknown token throws, so a missing fixture is loud, never silent.
 *
 * Add entries next to the component that needs them; keep the values realistic, because the
 * offline plan prints them.
 */

/** token -> answer for a provider function call such as `aws:index/getAvailabilityZones:getAvailabilityZones`. */
export type InvokeFixture = (inputs: Record<string, any>) => Record<string, any>;

/**
 * type -> outputs the cloud would compute for a resource (endpoints, ARNs, certificates).
 * Used only when the runtime is not previewing; in preview (the offline plan) computed outputs
 * stay unknown, as they would in `pulumi preview`.
 */
export type ComputedOutputsFixture = (name: string, inputs: Record<string, any>) => Record<string, any>;

export const invokeFixtures: Record<string, InvokeFixture> = {};

export const computedOutputFixtures: Record<string, ComputedOutputsFixture> = {};

/** Registers fixtures; a token registered twice is a programming error. */
export function registerInvokeFixtures(fixtures: Record<string, InvokeFixture>): void {
    for (const [token, fixture] of Object.entries(fixtures)) {
        if (invokeFixtures[token]) {
            throw new Error(`invoke fixture for ${token} is registered twice`);
        }
        invokeFixtures[token] = fixture;
    }
}

export function registerComputedOutputFixtures(fixtures: Record<string, ComputedOutputsFixture>): void {
    for (const [type, fixture] of Object.entries(fixtures)) {
        if (computedOutputFixtures[type]) {
            throw new Error(`computed-output fixture for ${type} is registered twice`);
        }
        computedOutputFixtures[type] = fixture;
    }
}
