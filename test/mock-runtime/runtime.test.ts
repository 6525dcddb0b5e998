import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { installOfflineRuntime } from "../../mock-runtime/runtime";
import { captured, clearRegisteredResources } from "../support/harness";

class Probe extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("fluxpilot:test:Probe", name, {}, opts);
        this.registerOutputs({});
    }
}

describe("offline runtime", () => {
    beforeEach(clearRegisteredResources);

    it("records the parent and dependencies of each registration", async () => {
        const parent = new Probe("outer");
        // Depending on a component means depending on its custom children, so depend on a custom resource.
        const first = new k8s.core.v1.Namespace("first", {}, { parent });
        new Probe("second", { parent, dependsOn: [first] });
        const all = await captured();
        const byName = new Map(all.map((r) => [r.name, r]));
        const outerUrn = byName.get("outer")!.urn;
        assert.strictEqual(byName.get("first")!.parent, outerUrn);
        assert.deepStrictEqual(byName.get("second")!.dependencies, [byName.get("first")!.urn]);
        assert.strictEqual(byName.get("outer")!.parent, "");
    });

    it("rejects with the stack and the SDK's reason when Pulumi does not accept the mocks", async () => {
        try {
            await assert.rejects(
                installOfflineRuntime({ project: "fluxpilot", stack: "broken", preview: true }, () => Promise.reject(new Error("monitor unavailable"))),
                {
                    message: "the offline runtime (Pulumi's mocks) could not be installed for stack broken: monitor unavailable",
                },
            );
        } finally {
            await installOfflineRuntime({ project: "fluxpilot", stack: "test", preview: false });
        }
    });
});
