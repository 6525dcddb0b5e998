import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { minVersion, satisfies } from "semver";
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

    it("declares Node.js floors that every locked package's own engines range accepts", () => {
        const root = path.join(__dirname, "..", "..");
        const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { engines: { node: string } };
        const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
            packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
        };
        // The lowest version of each release line the project accepts, e.g. 22.22.2 and 24.15.0.
        const floors = manifest.engines.node.split("||").map((line) => minVersion(line.trim())?.version ?? `no minimum in "${line}"`);
        assert.ok(floors.length >= 2, `package.json engines.node ${manifest.engines.node}: expected one range per LTS line`);
        const refusing = Object.entries(lock.packages).flatMap(([name, entry]) => {
            const wanted = entry.engines && !Array.isArray(entry.engines) ? entry.engines.node : undefined;
            if (name === "" || entry.optional || wanted === undefined) return [];
            return floors.filter((floor) => !satisfies(floor, wanted)).map((floor) => `${name} (${wanted}) refuses ${floor}`);
        });
        assert.deepStrictEqual(refusing, [], "raise package.json's engines.node, or hold the package back");
        const lockedRoot = lock.packages[""].engines;
        assert.strictEqual(lockedRoot && !Array.isArray(lockedRoot) ? lockedRoot.node : undefined, manifest.engines.node, "package-lock.json is stale: run npm install");
    });
});
