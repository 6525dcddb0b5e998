import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PlanSnapshot } from "../../cli/plan/snapshot";
import { SECRET, UNKNOWN } from "../../cli/plan/values";
import { SECURE_PLACEHOLDER } from "../../cli/shared/stack-file";
import { CliResult, fixtureArgs, hasStackTrace, runPlanCli, tempDir } from "./support";

// Values the fixture stack holds that must never be printed or stored.
const CIPHERTEXT = "Zml4dHVyZS1jaXBoZXJ0ZXh0LW5ldmVyLWRlY3J5cHRlZA==";
const PROGRAM_SECRET = "fixture-plaintext-secret-4711";

describe("plan command line (fixture project)", function () {
    // Each run starts Node and the Pulumi SDK, and ts-node for the fixture project's TypeScript program.
    this.timeout(120_000);

    const dir = tempDir("plan-cli");
    const first = path.join(dir, "first.json");
    const second = path.join(dir, "second.json");
    let treeRun: CliResult;
    let jsonRun: CliResult;
    let snapshot: PlanSnapshot;

    before(async () => {
        [treeRun, jsonRun] = await Promise.all([runPlanCli(fixtureArgs("alpha", "--out", first)), runPlanCli(fixtureArgs("alpha", "--out", second, "--json"))]);
        assert.strictEqual(treeRun.code, 0, treeRun.stderr);
        assert.strictEqual(jsonRun.code, 0, jsonRun.stderr);
        snapshot = JSON.parse(fs.readFileSync(first, "utf8"));
    });

    const byName = (name: string) => {
        const found = snapshot.resources.find((r) => r.name === name);
        assert.ok(found, `no resource named ${name} in the snapshot`);
        return found;
    };

    it("writes byte-identical snapshots for the same stack, and --json prints those bytes", () => {
        const bytes = fs.readFileSync(first);
        assert.ok(bytes.equals(fs.readFileSync(second)), "two runs of the same stack wrote different snapshots");
        assert.strictEqual(jsonRun.stdout, bytes.toString("utf8"));
    });

    it("sorts resources by URN and records parent, provider without its ID, dependencies and protect", () => {
        const urns = snapshot.resources.map((r) => r.urn);
        assert.deepStrictEqual(urns, [...urns].sort());
        const site = byName("site");
        const provider = byName("site-provider");
        const logs = byName("site-logs");
        const replica = byName("site-replica");
        assert.strictEqual(site.parent, null);
        assert.strictEqual(site.custom, false);
        assert.strictEqual(logs.parent, site.urn);
        assert.strictEqual(logs.provider, provider.urn);
        assert.strictEqual(logs.protect, true);
        assert.strictEqual(replica.protect, false);
        assert.deepStrictEqual(replica.dependencies, [byName("site-assets").urn, logs.urn]);
        assert.deepStrictEqual(snapshot.summary, {
            byType: { "planfixture:index:Site": 1, "planfixture:storage:Bucket": 3, "pulumi:providers:planfixture": 1 },
            total: 5,
        });
    });

    it("applies the project's config defaults and the stack's values", () => {
        assert.strictEqual(byName("site-logs").inputs.replicas, 2);
        assert.strictEqual(byName("site-logs").inputs.region, "eu-west-1");
        assert.ok(byName("site-assets"), "the stack's bucket list replaces the project default");
    });

    it("shows secrets as [secret] and never their value, in the snapshot or on stdout", () => {
        assert.strictEqual(byName("site-logs").inputs.token, SECRET);
        assert.strictEqual(byName("site-logs").inputs.credentials, SECRET);
        assert.strictEqual(snapshot.outputs.adminPassword, SECRET);
        for (const text of [fs.readFileSync(first, "utf8"), treeRun.stdout, treeRun.stderr]) {
            for (const secret of [CIPHERTEXT, PROGRAM_SECRET, SECURE_PLACEHOLDER]) {
                assert.ok(!text.includes(secret), `${JSON.stringify(secret)} was printed or stored`);
            }
        }
        assert.match(treeRun.stdout, /adminPassword: \[secret\]/);
    });

    it("marks values the cloud computes as unknown, as a preview does", () => {
        assert.strictEqual(byName("site-replica").inputs.replicateFrom, UNKNOWN);
        assert.strictEqual(snapshot.outputs.primaryArn, UNKNOWN);
        assert.strictEqual(snapshot.outputs.endpoint, "https://eu-west-1.example.test");
    });

    it("prints the tree indented by parent, with provider, protect, scalar inputs and counts per type", () => {
        const lines = treeRun.stdout.split("\n");
        assert.strictEqual(lines[0], "Stack alpha (project planfixture): 5 resources");
        assert.ok(lines.includes("planfixture:index:Site  site"));
        assert.ok(lines.includes("  planfixture:storage:Bucket  site-logs  [provider=site-provider, protect]"));
        assert.ok(lines.includes('      credentials=[secret] region="eu-west-1" replicas=2 token=[secret] versioning=true'));
        assert.ok(lines.includes("  planfixture:storage:Bucket    3"));
        assert.ok(lines.includes("  total                         5"));
        assert.match(treeRun.stderr, /snapshot written to /);
    });

    it("--diff prints what is added, removed and changed against an old snapshot; --exit-code exits 3", async () => {
        const old: PlanSnapshot = JSON.parse(fs.readFileSync(first, "utf8"));
        const replicaUrn = byName("site-replica").urn;
        old.resources = old.resources.filter((r) => r.urn !== replicaUrn);
        old.resources.push({ ...byName("site-assets"), urn: byName("site-assets").urn.replace("site-assets", "site-media"), name: "site-media" });
        old.resources.find((r) => r.name === "site-logs")!.inputs.replicas = 3;
        old.outputs.endpoint = "https://eu-west-2.example.test";
        const oldFile = path.join(dir, "old.json");
        fs.writeFileSync(oldFile, JSON.stringify(old));

        const [changed, same] = await Promise.all([
            runPlanCli(fixtureArgs("alpha", "--out", path.join(dir, "diff.json"), "--diff", oldFile, "--exit-code")),
            runPlanCli(fixtureArgs("alpha", "--out", path.join(dir, "same.json"), "--diff", first, "--exit-code")),
        ]);
        assert.strictEqual(changed.code, 3, changed.stderr);
        const lines = changed.stdout.split("\n");
        assert.ok(lines.includes("+ planfixture:storage:Bucket  site-replica"), changed.stdout);
        assert.ok(lines.includes("- planfixture:storage:Bucket  site-media"), changed.stdout);
        assert.ok(lines.includes("~ planfixture:storage:Bucket  site-logs"), changed.stdout);
        assert.ok(lines.includes("    inputs.replicas: 3 -> 2"), changed.stdout);
        assert.ok(lines.includes('    outputs.endpoint: "https://eu-west-2.example.test" -> "https://eu-west-1.example.test"'), changed.stdout);
        assert.ok(lines.includes("1 to add, 1 to remove, 1 to change, 3 unchanged; 1 output change(s)"), changed.stdout);

        assert.strictEqual(same.code, 0, same.stderr);
        assert.match(same.stdout, /no changes/);
    });

    it("a configuration error exits 1 with every problem and no stack trace, and writes no snapshot", async () => {
        const out = path.join(dir, "broken.json");
        const result = await runPlanCli(fixtureArgs("broken", "--out", out));
        assert.strictEqual(result.code, 1);
        assert.strictEqual(result.stdout, "");
        assert.match(result.stderr, /^Stack "broken" configuration has 2 problems; nothing was created:/);
        assert.match(result.stderr, /planfixture:region: is required/);
        assert.match(result.stderr, /planfixture:replicas: must be a whole number of at least 1 \(given: "0"\)/);
        assert.ok(!hasStackTrace(result.stderr), result.stderr);
        assert.ok(!fs.existsSync(out));
    });

    it("a failing program exits 1 with one line and its cause, no stack trace", async () => {
        // --program names the entry explicitly (the default would find the same file).
        const program = path.join("test", "plan", "fixtures", "project", "index.ts");
        const result = await runPlanCli(fixtureArgs("crash", "--out", path.join(dir, "crash.json"), "--program", program));
        assert.strictEqual(result.code, 1);
        const lines = result.stderr.trim().split("\n");
        assert.strictEqual(lines.length, 2, result.stderr);
        assert.strictEqual(lines[0], "plan: the program test/plan/fixtures/project/index.ts failed");
        // The SDK prefixes the one shared error with each input it was serialising when it failed
        // (3.276 reaches "outputs" and "replicateFrom" before the failure is reported); the root cause ends the line.
        assert.match(
            lines[1],
            /^ {2}cause: (error serializing property "\w+": )*error serializing property "zones": no offline fixture for provider call planfixture:index:getZones; add one to the offline fixtures of the cluster provider \(or the Flux bootstrap\) that makes it$/,
        );
    });

    it("--diff against a snapshot of another stack exits 2 before running the program", async () => {
        const other = path.join(dir, "other-stack.json");
        fs.writeFileSync(other, JSON.stringify({ ...snapshot, stack: "beta" }));
        const out = path.join(dir, "mismatch.json");
        const result = await runPlanCli(fixtureArgs("alpha", "--out", out, "--diff", other));
        assert.strictEqual(result.code, 2);
        assert.strictEqual(result.stderr, `plan: ${other} is not a plan snapshot: it is a plan of stack "beta", not "alpha"; compare plans of the same stack\n`);
        assert.ok(!fs.existsSync(out));
    });

    it("an unknown stack exits 2 and lists the stacks that exist", async () => {
        const result = await runPlanCli(fixtureArgs("qa"));
        assert.strictEqual(result.code, 2);
        assert.match(result.stderr, /stack "qa" has no Pulumi\.qa\.yaml in .*; available stacks: alpha, broken, crash\n$/);
        assert.ok(!hasStackTrace(result.stderr));
    });
});
