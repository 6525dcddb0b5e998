import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
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
});
