/**
 * Composing in turns (stacks/compose.ts): in a preview the program builds one cluster, lets its
 * registrations reach the engine, then builds the next, so a large stack does not hold every
 * resource's pending registration at once. In an update it builds every cluster before any
 * registration. Either way the same resources are registered.
 */
import * as assert from "assert";
import { _setIsDryRun, isDryRun } from "@pulumi/pulumi/runtime/settings";
import { readStackConfig } from "../../cli/shared/stack-file";
import { ClusterProvider } from "../../components/clusters/provider";
import { findClusterProvider } from "../../components/clusters/registry";
import { REPOSITORY_ROOT } from "../../core/repository";
import { registeredResources, setStackConfig } from "../../mock-runtime/runtime";
import { ComposedStack, composeStack, composeStackInTurns } from "../../stacks/compose";
import { parseStackModel, StackModel } from "../../stacks/model";
import { captured, clearRegisteredResources, valueOf } from "../support/harness";

const PROD_CLOUDS = ["aws", "gcp", "azure"];

function prodModel(): StackModel {
    const { config, secretKeys } = readStackConfig(REPOSITORY_ROOT, "prod");
    return parseStackModel("prod", config, { secretKeys });
}

/**
 * Runs `compose` and returns, per cluster in the order they were built, how many registrations the
 * engine had received when its cluster component was about to be built.
 */
async function registrationsSeenPerCluster<T>(compose: () => T | Promise<T>): Promise<{ seen: number[]; result: T }> {
    const seen: number[] = [];
    const providers = PROD_CLOUDS.map((cloud) => findClusterProvider(cloud) as ClusterProvider);
    const originals = providers.map((provider) => provider.create.bind(provider));
    providers.forEach((provider, i) => {
        provider.create = (args, opts) => {
            seen.push(registeredResources().length);
            return originals[i](args, opts);
        };
    });
    try {
        clearRegisteredResources();
        const result = await compose();
        await captured();
        return { seen, result };
    } finally {
        providers.forEach((provider, i) => (provider.create = originals[i]));
    }
}

/** The URNs registered, sorted: what the engine would see. */
async function registeredUrns(): Promise<string[]> {
    return (await captured()).map((r) => r.urn).sort();
}

describe("stacks: composing the clusters in turns", () => {
    it("in turns, each cluster of prod is built only once the previous ones' registrations reached the engine", async () => {
        const { seen } = await registrationsSeenPerCluster(() => composeStackInTurns(prodModel()));
        assert.strictEqual(seen.length, 3);
        assert.strictEqual(seen[0], 0, "nothing registers before the first cluster is built");
        assert.ok(seen[1] > seen[0] && seen[2] > seen[1], `registrations seen before each cluster: ${seen.join(", ")}`);
    });

    it("at once, every cluster of prod is built before any registration", async () => {
        const { seen } = await registrationsSeenPerCluster(() => composeStack(prodModel()));
        assert.deepStrictEqual(seen, [0, 0, 0]);
    });

    it("registers the same resources and exports the same outputs either way", async () => {
        const inTurns = await registrationsSeenPerCluster(() => composeStackInTurns(prodModel()));
        const turnsUrns = await registeredUrns();
        const atOnce = await registrationsSeenPerCluster(() => composeStack(prodModel()));
        const onceUrns = await registeredUrns();
        assert.ok(turnsUrns.length > 100, `prod registers its three clusters (${turnsUrns.length} resources)`);
        assert.deepStrictEqual(turnsUrns, onceUrns);
        assert.deepStrictEqual(Object.keys(inTurns.result.outputs), ["prod-eks", "prod-gke", "prod-aks"]);
        assert.deepStrictEqual(Object.keys(atOnce.result.outputs), Object.keys(inTurns.result.outputs));
        for (const name of Object.keys(atOnce.result.outputs)) {
            assert.strictEqual(await valueOf(inTurns.result.outputs[name].flux.path), await valueOf(atOnce.result.outputs[name].flux.path));
        }
    });

    describe("the program (index.ts)", () => {
        const runProgram = async (): Promise<number[]> => {
            const { config, secretKeys } = readStackConfig(REPOSITORY_ROOT, "prod");
            setStackConfig(config, secretKeys);
            delete require.cache[require.resolve("../../index")];
            const program: unknown = require("../../index");
            assert.ok(typeof program === "function", "index.ts exports the function Pulumi runs");
            const { seen, result } = await registrationsSeenPerCluster(() => (program as () => Promise<{ clusters: ComposedStack["outputs"] }>)());
            assert.deepStrictEqual(Object.keys(result.clusters), ["prod-eks", "prod-gke", "prod-aks"]);
            return seen;
        };
        const wasDryRun = isDryRun();
        afterEach(() => _setIsDryRun(wasDryRun));

        it("composes in turns in a preview", async () => {
            _setIsDryRun(true);
            const seen = await runProgram();
            assert.ok(seen[1] > 0 && seen[2] > seen[1], `registrations seen before each cluster: ${seen.join(", ")}`);
        });

        it("composes every cluster before any registration in an update, so a cluster that fails to build stops the program before anything is created", async () => {
            _setIsDryRun(false);
            assert.deepStrictEqual(await runProgram(), [0, 0, 0]);
        });
    });
});
