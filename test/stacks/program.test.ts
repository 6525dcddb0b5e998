import * as assert from "assert";
import { setStackConfig } from "../../scripts/offline/runtime";
import { isStackConfigError } from "../../stacks/errors";
import { captured, clearRegisteredResources } from "../support/harness";

/** Loads index.ts afresh with the given stack config, as `pulumi up` would. */
function runProgram(config: Record<string, unknown>): Record<string, any> {
    setStackConfig(config);
    clearRegisteredResources();
    delete require.cache[require.resolve("../../index")];
    return require("../../index");
}

describe("program entry (index.ts)", () => {
    it("registers no resource when the config is invalid", async () => {
        const badConfigs: Array<Record<string, unknown>> = [
            { "fluxpilot:environment": "dev" },
            {
                "fluxpilot:environment": "prod",
                "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot", path: "clusters/nowhere" },
                "fluxpilot:clusters": [{ name: "edge", cloud: "existing" }],
            },
            {
                "fluxpilot:environment": "local",
                "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot" },
                "fluxpilot:clusters": [{ name: "edge", cloud: "existing" }, { name: "edge", cloud: "on-prem" }],
            },
        ];
        for (const config of badConfigs) {
            assert.throws(() => runProgram(config), (error: unknown) => isStackConfigError(error));
            assert.deepStrictEqual(await captured(), [], `resources registered for ${JSON.stringify(config)}`);
        }
    });
});
