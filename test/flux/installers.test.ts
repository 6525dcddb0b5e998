import * as assert from "assert";
import { clusterProviders } from "../../components/clusters/registry";
import { findInstaller, installersFor, knownInstallerIds } from "../../components/flux/installers";
import { durationSeconds, gitRefName } from "../../core/flux";

describe("flux: installer helpers", () => {
    it("finds an installer for every id the config accepts", () => {
        for (const id of knownInstallerIds()) {
            assert.strictEqual(findInstaller(id)?.id, id);
        }
    });

    it("offers the generic installer on every provider's clusters, and a provider's own installers only there", () => {
        for (const provider of clusterProviders()) {
            const ids = installersFor(provider.cloud).map((i) => i.id);
            assert.strictEqual(ids[0], "flux-operator", provider.cloud);
            assert.deepStrictEqual(
                ids.slice(1),
                (provider.flux.installers ?? []).map((i) => i.id),
                provider.cloud,
            );
        }
        assert.deepStrictEqual(
            installersFor("azure").map((i) => i.id),
            ["flux-operator", "aks-extension"],
        );
        assert.strictEqual(findInstaller("aks-extension", "aws"), undefined);
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
