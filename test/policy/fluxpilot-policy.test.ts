/**
 * `npm run fluxpilot -- preview|up` passes the pack to Pulumi with the stack's environment config,
 * as `--policy-pack policy --policy-pack-config policy/config/<env>.json` would.
 */
import * as assert from "assert";
import { CliIo, main } from "../../cli/fluxpilot/cli";
import { packConfigFile, POLICY_DIR } from "../../policy/offline/config";
import { FakeClock, FakeGateway, StackScript } from "../workflows/fake-gateway";
import { makeProject, removeTempDirs } from "../workflows/project";

async function fluxpilot(argv: string[], scripts: Record<string, StackScript>): Promise<FakeGateway> {
    const io: CliIo = { stdout: () => undefined, stderr: () => undefined, env: { PULUMI_CONFIG_PASSPHRASE: "x" }, isTTY: false };
    const clock = new FakeClock();
    let gateway: FakeGateway | undefined;
    const code = await main(argv, io, {
        createGateway: () => (gateway = new FakeGateway(scripts, clock)),
        createValidator: () => ({ validate: async () => undefined }),
        now: clock.now,
    });
    assert.strictEqual(code, 0);
    return gateway!;
}

const optionsOf = (gateway: FakeGateway, method: string) => gateway.calls.find((c) => c.method === method)?.options;

describe("fluxpilot passes the policy pack", () => {
    after(removeTempDirs);
    const project = () => makeProject({ prod: "config:\n  fluxpilot:environment: prod\n", dev: "config:\n  fluxpilot:environment: dev\n" });

    it("to preview and up, with the stack's environment config", async () => {
        const dir = project();
        const preview = await fluxpilot(["preview", "prod", "--dir", dir, "--backend", "s3://state"], { prod: { preview: { changes: { same: 1 } } } });
        assert.deepStrictEqual(optionsOf(preview, "preview"), { color: "never", policyPacks: [POLICY_DIR], policyPackConfigs: [packConfigFile("prod")] });
        const up = await fluxpilot(["up", "dev", "--dir", dir, "--backend", "s3://state"], { dev: { up: { changes: { create: 1 } } } });
        assert.deepStrictEqual(optionsOf(up, "up"), { color: "never", policyPacks: [POLICY_DIR], policyPackConfigs: [packConfigFile("dev")] });
    });

    it("not to destroy, where no new configuration is checked", async () => {
        const dir = project();
        const gateway = await fluxpilot(["destroy", "dev", "--yes", "--dir", dir, "--backend", "s3://state"], { dev: { destroy: { changes: { delete: 1 } } } });
        assert.deepStrictEqual(optionsOf(gateway, "destroy"), { color: "never" });
    });
});
