import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { REPOSITORY_ROOT } from "../../core/repository";
import { parsePlanArgs, UsageError } from "../../cli/plan/args";
import { RegisteredResource } from "../../mock-runtime/runtime";
import { buildSnapshot, readSnapshot, serializeSnapshot, writeSnapshot, InvalidSnapshotError } from "../../cli/plan/snapshot";
import { SECRET, toPlanValue, UNKNOWN } from "../../cli/plan/values";
import * as path from "path";
import * as fs from "fs";
import { tempDir } from "./support";

const secretInput = (value: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });

function registration(name: string, extra: Partial<RegisteredResource> = {}): RegisteredResource {
    return {
        urn: `urn:pulumi:dev::fluxpilot::test:index:Thing::${name}`,
        type: "test:index:Thing",
        name,
        custom: true,
        parent: "",
        provider: "",
        dependencies: [],
        protect: false,
        inputs: {},
        ...extra,
    };
}

describe("plan snapshot", () => {
    it("serialises to the same bytes whatever the registration and key order", async () => {
        const a = registration("a", { inputs: { z: 1, a: { y: 2, b: [3, { d: 4, c: 5 }] } } });
        const b = registration("b", { dependencies: ["urn:x::b", "urn:x::a"] });
        const one = serializeSnapshot(await buildSnapshot("fluxpilot", "dev", [a, b], { second: 2, first: 1 }));
        const reordered = registration("a", { inputs: { a: { b: [3, { c: 5, d: 4 }], y: 2 }, z: 1 } });
        const two = serializeSnapshot(await buildSnapshot("fluxpilot", "dev", [b, reordered], { first: 1, second: 2 }));
        assert.strictEqual(one, two);
        assert.ok(one.indexOf('"first"') < one.indexOf('"second"'));
        assert.ok(one.endsWith("}\n"));
    });

    it("keeps only the URN of an explicit provider, because its ID differs between runs", async () => {
        const providerUrn = "urn:pulumi:dev::fluxpilot::pulumi:providers:kubernetes::eks";
        const snapshot = await buildSnapshot("fluxpilot", "dev", [registration("a", { provider: `${providerUrn}::04da6b54-80e4-46f7-96ec-b56ff0331ba9` })], {});
        assert.strictEqual(snapshot.resources[0].provider, providerUrn);
        assert.strictEqual(snapshot.resources[0].parent, null);
    });

    it("refuses two registrations with one URN, as the engine does", async () => {
        await assert.rejects(
            buildSnapshot("fluxpilot", "dev", [registration("a"), registration("a")], {}),
            /two resources have the URN urn:pulumi:dev::fluxpilot::test:index:Thing::a/,
        );
    });

    it("hides secret inputs and outputs and marks unknowns", async () => {
        assert.strictEqual(await toPlanValue(secretInput("hunter2")), SECRET);
        assert.deepStrictEqual(await toPlanValue({ a: pulumi.unknown, b: [pulumi.unknown] }), { a: UNKNOWN, b: [UNKNOWN] });
        assert.strictEqual(await toPlanValue(pulumi.secret("hunter2")), SECRET);
        assert.deepStrictEqual(await toPlanValue({ nested: pulumi.output({ x: pulumi.secret("hunter2") }) }), { nested: SECRET });
        assert.deepStrictEqual(await toPlanValue({ n: pulumi.output(1), skip: undefined, list: [undefined], big: Infinity }), { big: null, list: [null], n: 1 });
    });

    it("reads back what it wrote and rejects files that are not snapshots", async () => {
        const dir = tempDir("snapshot");
        const file = path.join(dir, "nested", "dev.json");
        const snapshot = await buildSnapshot("fluxpilot", "dev", [registration("a")], {});
        writeSnapshot(file, snapshot);
        assert.deepStrictEqual(readSnapshot(file), JSON.parse(serializeSnapshot(snapshot)));
        fs.writeFileSync(path.join(dir, "other.json"), '{"format":"something-else"}');
        assert.throws(
            () => readSnapshot(path.join(dir, "other.json")),
            (e: unknown) => e instanceof InvalidSnapshotError && /format is "something-else"/.test(e.message),
        );
        assert.throws(() => readSnapshot(path.join(dir, "missing.json")), InvalidSnapshotError);
    });
});

const pick = (args: ReturnType<typeof parsePlanArgs>) => (args === "help" ? args : { policy: args.policy, policyConfig: args.policyConfig });

describe("plan arguments", () => {
    it("defaults to the repository's index.ts and out/plan/<stack>.json", () => {
        assert.deepStrictEqual(parsePlanArgs(["dev"], "/somewhere"), {
            stack: "dev",
            projectDir: REPOSITORY_ROOT,
            program: undefined,
            out: path.join(REPOSITORY_ROOT, "out", "plan", "dev.json"),
            json: false,
            diff: undefined,
            exitCode: false,
            policy: false,
            policyConfig: undefined,
            verbose: false,
        });
    });

    it("resolves paths against the working directory", () => {
        const args = parsePlanArgs(["prod", "--out", "p.json", "--diff", "old.json", "--exit-code", "--program", "x.ts", "--project-dir", "proj", "--json"], "/w");
        assert.deepStrictEqual(args, {
            stack: "prod",
            projectDir: "/w/proj",
            program: "/w/x.ts",
            out: "/w/p.json",
            json: true,
            diff: "/w/old.json",
            exitCode: true,
            policy: false,
            policyConfig: undefined,
            verbose: false,
        });
        assert.deepStrictEqual(pick(parsePlanArgs(["prod", "--policy", "--policy-config", "c.json"], "/w")), { policy: true, policyConfig: "/w/c.json" });
        assert.strictEqual(parsePlanArgs(["--help"]), "help");
    });

    it("rejects a missing stack, two stacks, unknown flags and --exit-code without --diff", () => {
        assert.throws(
            () => parsePlanArgs([]),
            (e: unknown) => e instanceof UsageError && /name the stack to plan/.test(e.message),
        );
        assert.throws(() => parsePlanArgs(["dev", "prod"]), /plan one stack at a time \(given: dev, prod\)/);
        assert.throws(() => parsePlanArgs(["dev", "--colour"]), UsageError);
        assert.throws(() => parsePlanArgs(["dev", "--exit-code"]), /--exit-code only applies with --diff/);
    });
});
