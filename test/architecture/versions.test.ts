import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { FLUX_OPERATOR_CHART_VERSION, KUBERNETES_VERSIONS, PINNED_VERSIONS } from "../../core/versions";
import { DEFAULT_OPERATOR_CHART_VERSION } from "../../components/flux/settings";
import { EKS_VERSIONS } from "../../components/clusters/eks/config";
import { GKE_VERSIONS } from "../../components/clusters/gke/config";
import { AKS_VERSIONS } from "../../components/clusters/aks/config";

const table = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "versions.md"), "utf8");

describe("pinned versions", () => {
    it("lists every version core/versions.ts pins in docs/versions.md, with the same value", () => {
        const missing = Object.entries(PINNED_VERSIONS).filter(([name, version]) => {
            const row = table.split("\n").find((line) => line.startsWith(`| ${name} |`));
            return row === undefined || !row.includes(version);
        });
        assert.deepStrictEqual(missing, []);
    });

    it("pins the flux-operator charts to 0.58.1, the newest flux-operator release (0.59.0 does not exist)", () => {
        assert.strictEqual(FLUX_OPERATOR_CHART_VERSION, "0.58.1");
        assert.strictEqual(DEFAULT_OPERATOR_CHART_VERSION, FLUX_OPERATOR_CHART_VERSION);
    });

    it("takes each cloud's Kubernetes versions from core/versions.ts", () => {
        assert.strictEqual(EKS_VERSIONS, KUBERNETES_VERSIONS.eks.supported);
        assert.strictEqual(GKE_VERSIONS, KUBERNETES_VERSIONS.gke.supported);
        assert.strictEqual(AKS_VERSIONS, KUBERNETES_VERSIONS.aks.supported);
    });
});
