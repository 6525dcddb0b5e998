/**
 * Issue 12: a cluster whose Flux installer gives kustomize-controller no identity for the
 * cluster's SOPS key is warned about, naming the setting that chose the installer.
 */
import * as assert from "assert";
import { formatProblem } from "../../core/problems";
import { parseStackModel } from "../../stacks/model";
import { prodConfig } from "./hostile-configs";

const aks = (flux?: Record<string, unknown>) => ({
    name: "prod-aks",
    cloud: "azure",
    region: "westeurope",
    endpoint: { publicAccess: false },
    adminGroupObjectIds: ["3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b"],
    ...(flux ? { flux } : {}),
});
const eks = { name: "prod-eks", cloud: "aws", region: "eu-west-1", endpoint: { publicAccess: false } };
// A self-hosted runner, so that only the SOPS warnings remain (ci.test.ts covers the others).
const ci = { runner: "self-hosted", runsOn: ["fluxpilot-deploy"] };

function warningsOf(clusters: Record<string, unknown>[], flux?: Record<string, unknown>): string[] {
    const config = { ...prodConfig(), "fluxpilot:clusters": clusters, "fluxpilot:ci": ci, ...(flux ? { "fluxpilot:flux": flux } : {}) };
    return parseStackModel("prod", config).warnings.map(formatProblem);
}

const WARNING =
    ": gives cluster prod-aks's kustomize-controller no identity for the cluster's SOPS key, so an encrypted Secret synced there fails its Kustomization (given: \"aks-extension\"). Fix: use installer flux-operator on this cluster to decrypt SOPS Secrets, or keep encrypted Secrets out of this environment (docs/secrets.md)";

describe("SOPS decryption warnings", () => {
    it("warns about an AKS cluster on the microsoft.flux extension, at the cluster's own installer setting", () => {
        assert.deepStrictEqual(warningsOf([eks, aks({ installer: "aks-extension" })]), [`fluxpilot:clusters[1].flux.installer${WARNING}`]);
    });

    it("names the stack-wide installer setting when the cluster inherits it", () => {
        assert.deepStrictEqual(warningsOf([aks()], { installer: "aks-extension" }), [`fluxpilot:flux.installer${WARNING}`]);
    });

    it("is silent for flux-operator, the default, on every cloud", () => {
        assert.deepStrictEqual(warningsOf([eks, aks()]), []);
        assert.deepStrictEqual(warningsOf([aks({ installer: "flux-operator" })], { installer: "aks-extension" }), []);
    });
});
