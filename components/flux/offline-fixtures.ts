/**
 * Offline answers for what the Flux bootstrap creates (components/flux): what the providers
 * compute for the deploy key, the webhook token and the webhook LoadBalancer. Values are fixed so
 * outputs and tests are deterministic; the address is from TEST-NET-3 (RFC 5737), never a real host.
 */
import { isRecord } from "../../core/guards";
import { ComputedOutputsFixture, OfflineFixtures } from "../clusters/offline-fixtures";

const OFFLINE_ED25519_PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOfflineFixtureKeyNotRealOfflineFixtureKey0";

const computedOutputs: Record<string, ComputedOutputsFixture> = {
    "tls:index/privateKey:PrivateKey": (name) => ({
        publicKeyOpenssh: `${OFFLINE_ED25519_PUBLIC} ${name}`,
        privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\noffline-fixture-${name}\n-----END OPENSSH PRIVATE KEY-----\n`,
    }),
    "random:index/randomPassword:RandomPassword": (name, inputs) => ({
        result: `offline${name}`
            .replace(/[^A-Za-z0-9]/g, "")
            .padEnd(Number(inputs.length ?? 16), "x")
            .slice(0, Number(inputs.length ?? 16)),
    }),
    "kubernetes:core/v1:Service": (_name, inputs) =>
        isRecord(inputs.spec) && inputs.spec.type === "LoadBalancer" ? { status: { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } } } : {},
};

export const fluxOfflineFixtures: OfflineFixtures = { computedOutputs };
