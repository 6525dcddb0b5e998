import * as assert from "assert";
import { findInstaller, installerIds } from "../../components/flux/installers";
import { durationSeconds, gitRefName } from "../../components/clusters/flux-installer";

describe("flux: installer helpers", () => {
    it("registers an installer for every id the config accepts", () => {
        for (const id of installerIds) {
            assert.strictEqual(findInstaller(id).id, id);
        }
    });

    it("turns Flux durations into whole seconds for the AKS API", () => {
        assert.deepStrictEqual(["1m", "5m", "30s", "1h30m", "1m30s", "1500ms", "100ms"].map(durationSeconds), [60, 300, 30, 5400, 90, 2, 1]);
    });

    it("names Git refs as Flux's spec.ref.name expects, and has no name for a semver range", () => {
        assert.strictEqual(gitRefName({ branch: "main" }), "refs/heads/main");
        assert.strictEqual(gitRefName({ tag: "v1.2.0" }), "refs/tags/v1.2.0");
        assert.strictEqual(gitRefName({ semver: ">=1.0.0" }), undefined);
    });
});
