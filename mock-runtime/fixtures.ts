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

// ---- Flux (components/flux): what the providers compute for the deploy key, the webhook token
// and the webhook LoadBalancer. Values are fixed so outputs and tests are deterministic; the
// address is from TEST-NET-3 (RFC 5737), never a real host.

const OFFLINE_ED25519_PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOfflineFixtureKeyNotRealOfflineFixtureKey0";

registerComputedOutputFixtures({
    "tls:index/privateKey:PrivateKey": (name) => ({
        publicKeyOpenssh: `${OFFLINE_ED25519_PUBLIC} ${name}`,
        privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\noffline-fixture-${name}\n-----END OPENSSH PRIVATE KEY-----\n`,
    }),
    "random:index/randomPassword:RandomPassword": (name, inputs) => ({
        result: `offline${name}`.replace(/[^A-Za-z0-9]/g, "").padEnd(Number(inputs.length ?? 16), "x").slice(0, Number(inputs.length ?? 16)),
    }),
    "kubernetes:core/v1:Service": (_name, inputs) =>
        inputs.spec?.type === "LoadBalancer" ? { status: { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } } } : {},
});
