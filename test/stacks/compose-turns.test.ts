/**
 * Composing in turns (stacks/compose.ts): in a preview the program builds one cluster, lets its
 * registrations reach the engine, then builds the next, so a large stack does not hold every
 * resource's pending registration at once. In an update it builds every cluster before any
 * registration. Either way the same resources are registered.
 */
import * as assert from "assert";
import { _setIsDryRun, isDryRun } from "@pulumi/pulumi/runtime/settings";
import { ClusterProvider } from "../../components/clusters/provider";
import { findClusterProvider } from "../../components/clusters/registry";
import { registeredResources, setStackConfig } from "../../mock-runtime/runtime";
import { ComposedStack, composeStack, composeStackInTurns } from "../../stacks/compose";
import { captured, clearRegisteredResources, valueOf } from "../support/harness";
import { existingCluster, model, stackConfig } from "../flux/support";

// Three adopted clusters: the cheapest stack with more than two clusters (no cloud resources).
const CLUSTERS = { "fluxpilot:clusters": ["dev-a", "dev-b", "dev-c"].map((name) => existingCluster(name)) };

interface Composition<T> {
    /** Per cluster, in the order they were built: the registrations the engine had received just before. */
    seen: number[];
    result: T;
    /** The URNs registered, sorted: what the engine saw. */
    urns: string[];
}

async function composition<T>(compose: () => T | Promise<T>): Promise<Composition<T>> {
    const seen: number[] = [];
    const provider = findClusterProvider("existing") as ClusterProvider;
    const create = provider.create.bind(provider);
    provider.create = (args, opts) => {
        seen.push(registeredResources().length);
        return create(args, opts);
    };
    try {
        clearRegisteredResources();
        const result = await compose();
        const urns = (await captured()).map((r) => r.urn).sort();
        return { seen, result, urns };
    } finally {
        provider.create = create;
    }
}

describe("stacks: composing the clusters in turns", () => {
    let inTurns: Composition<ComposedStack>;
    let atOnce: Composition<ComposedStack>;
    before(async () => {
        inTurns = await composition(() => composeStackInTurns(model("dev", CLUSTERS)));
        atOnce = await composition(() => composeStack(model("dev", CLUSTERS)));
    });

    it("in turns, each cluster is built only once the previous ones' registrations reached the engine", () => {
        assert.strictEqual(inTurns.seen.length, 3);
        assert.strictEqual(inTurns.seen[0], 0, "nothing registers before the first cluster is built");
        assert.ok(inTurns.seen[1] > inTurns.seen[0] && inTurns.seen[2] > inTurns.seen[1], `registrations seen before each cluster: ${inTurns.seen.join(", ")}`);
    });

    it("at once, every cluster is built before any registration", () => {
        assert.deepStrictEqual(atOnce.seen, [0, 0, 0]);
    });

    it("registers the same resources and exports the same outputs either way", async () => {
        assert.ok(inTurns.urns.length >= 3 * 7, `three clusters with Flux (${inTurns.urns.length} resources)`);
        assert.deepStrictEqual(inTurns.urns, atOnce.urns);
        assert.deepStrictEqual(Object.keys(inTurns.result.outputs), ["dev-a", "dev-b", "dev-c"]);
        assert.deepStrictEqual(Object.keys(atOnce.result.outputs), Object.keys(inTurns.result.outputs));
        for (const name of Object.keys(atOnce.result.outputs)) {
            assert.strictEqual(await valueOf(inTurns.result.outputs[name].endpoint), await valueOf(atOnce.result.outputs[name].endpoint));
        }
    });

    describe("the program (index.ts)", () => {
        const runProgram = async (): Promise<number[]> => {
            setStackConfig(stackConfig("dev", CLUSTERS));
            delete require.cache[require.resolve("../../index")];
            const program: unknown = require("../../index");
            assert.ok(typeof program === "function", "index.ts exports the function Pulumi runs");
            const { seen, result } = await composition(() => (program as () => Promise<{ clusters: ComposedStack["outputs"] }>)());
            assert.deepStrictEqual(Object.keys(result.clusters), ["dev-a", "dev-b", "dev-c"]);
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
