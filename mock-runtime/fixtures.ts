/**
 * Canned answers for the provider calls and computed outputs the program needs when it runs under
 * Pulumi's mock runtime (the offline plan and the tests). Each cluster provider ships its own in
 * its folder (`offlineFixtures`), and the Flux bootstrap ships its own; this module gathers them.
 * Every invoke the program makes must have an entry: an unknown token throws, so a missing
 * fixture is loud, never silent.
 */
import { clusterProviders } from "../components/clusters/registry";
import { ComputedOutputsFixture, InvokeFixture, OfflineFixtures } from "../components/clusters/offline-fixtures";
import { fluxOfflineFixtures } from "../components/flux/offline-fixtures";

export interface FixtureTables {
    invokes: ReadonlyMap<string, InvokeFixture>;
    computedOutputs: ReadonlyMap<string, ComputedOutputsFixture>;
}

/**
 * The fixtures of the Flux bootstrap and of every registered cluster provider, read at each call
 * so that a provider registered later (a test's throwaway provider) is included. A token or type
 * claimed twice is a programming error.
 */
export function currentFixtures(): FixtureTables {
    const invokes = new Map<string, InvokeFixture>();
    const computedOutputs = new Map<string, ComputedOutputsFixture>();
    const sources: { owner: string; fixtures: OfflineFixtures }[] = [
        { owner: "the Flux bootstrap", fixtures: fluxOfflineFixtures },
        ...clusterProviders().flatMap((p) => (p.offlineFixtures ? [{ owner: `cluster provider ${p.cloud}`, fixtures: p.offlineFixtures }] : [])),
    ];
    for (const { owner, fixtures } of sources) {
        addAll(invokes, fixtures.invokes, owner, "invoke");
        addAll(computedOutputs, fixtures.computedOutputs, owner, "computed-output");
    }
    return { invokes, computedOutputs };
}

function addAll<T>(table: Map<string, T>, entries: Record<string, T> | undefined, owner: string, what: string): void {
    for (const [key, fixture] of Object.entries(entries ?? {})) {
        if (table.has(key)) throw new Error(`${what} fixture for ${key} is registered twice (again by ${owner})`);
        table.set(key, fixture);
    }
}
