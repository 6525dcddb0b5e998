/**
 * The pack as a whole: names unique, one config per environment, every level the issue asks
 * for, and the facts the policies state in step with the program's own.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { environments } from "../../core/environments";
import { GKE_WEBHOOK_PORTS } from "../../components/clusters/gke/config";
import { AKS_CHANNELS_THAT_MOVE_THE_MINOR } from "../../components/clusters/aks/config";
import { WEBHOOK_PORTS } from "../../policy/operability/gke-webhook-firewall";
import { CHANNELS_THAT_MOVE_THE_MINOR } from "../../policy/operability/aks-channel";
import { enforcementLevelOf, packConfigFile, POLICY_DIR, readPackConfig } from "../../policy/offline/config";
import { policies } from "../../policy/policies";

describe("policy pack: layout and config", () => {
    it("policy names are unique", () => {
        const names = policies.map((p) => p.name);
        assert.deepStrictEqual([...new Set(names)], names);
    });

    it("advisory in dev and local, mandatory in staging and prod, protection required in prod only", () => {
        const expected = { dev: "advisory", local: "advisory", staging: "mandatory", prod: "mandatory" } as const;
        for (const environment of environments) {
            const config = readPackConfig(packConfigFile(environment), policies);
            for (const policy of policies) assert.strictEqual(enforcementLevelOf(policy, config, "mandatory"), expected[environment], `${policy.name} in ${environment}`);
            const protection = config["prod-clusters-protected"];
            assert.strictEqual(typeof protection === "object" && protection["requireProtection"] === true, environment === "prod", `requireProtection in ${environment}`);
        }
    });

    it("the pack directory is one pulumi can run: PulumiPolicy.yaml, a versioned package.json whose main is the entry", () => {
        assert.match(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
        assert.ok(fs.existsSync(path.join(POLICY_DIR, pkg.main)), `main ${pkg.main} does not exist`);
        // Only the entry constructs the PolicyPack (it starts the analyzer's server).
        const constructing = listTs(POLICY_DIR).filter((file) => /new PolicyPack\(/.test(fs.readFileSync(file, "utf8")));
        assert.deepStrictEqual(
            constructing.map((f) => path.relative(POLICY_DIR, f)),
            ["index.ts"],
        );
    });

    it("the policies' cloud facts match the program's (webhook ports, channels that move the minor)", () => {
        assert.deepStrictEqual([...WEBHOOK_PORTS], [...GKE_WEBHOOK_PORTS]);
        assert.deepStrictEqual([...CHANNELS_THAT_MOVE_THE_MINOR], [...AKS_CHANNELS_THAT_MOVE_THE_MINOR]);
    });
});

function listTs(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === "node_modules" ? [] : listTs(full);
        return entry.name.endsWith(".ts") ? [full] : [];
    });
}
