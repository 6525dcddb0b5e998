import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { listStacks } from "../../cli/shared/stack-file";
import { PlanSnapshot } from "../../cli/plan/snapshot";
import { clusterPaths } from "../../cli/plan/critical-path";
import { formatTree } from "../../cli/plan/tree";
import { REPO_ROOT } from "./support";
import { repoPlan } from "../support/repo-plans";

/** Where each stack's URNs are pinned; UPDATE_SNAPSHOTS=1 rewrites them after a deliberate rename. */
const URN_SNAPSHOTS = path.join(__dirname, "snapshots");

/**
 * A changed URN replaces real infrastructure, so every stack's URNs (below the stack and project)
 * are compared with the committed list.
 */
function assertStackUrns(stack: string, snapshot: PlanSnapshot): void {
    const tails = snapshot.resources.map((r) => r.urn.split("::").slice(2).join("::")).sort();
    const file = path.join(URN_SNAPSHOTS, `${stack}.urns.json`);
    if (process.env.UPDATE_SNAPSHOTS === "1") fs.writeFileSync(file, `${JSON.stringify(tails, null, 2)}\n`);
    assert.ok(fs.existsSync(file), `no URN snapshot ${file}; run the tests with UPDATE_SNAPSHOTS=1 once and review it`);
    assert.deepStrictEqual(tails, JSON.parse(fs.readFileSync(file, "utf8")), `URNs of stack ${stack} changed: this would replace real infrastructure`);
}

/** Every Pulumi.<stack>.yaml in the repository, planned as `npm run plan -- <stack>` does. */
describe("plan of this repository's stacks", function () {
    // Each run loads the real program with its provider SDKs.
    this.timeout(300_000);
    const stacks = listStacks(REPO_ROOT);

    it("the repository has stacks to plan", () => {
        assert.ok(stacks.length > 0, `no Pulumi.<stack>.yaml in ${REPO_ROOT}`);
    });

    for (const stack of stacks) {
        it(`plans ${stack}, and a second run writes the same bytes`, async () => {
            // The tree run is also the one test/policy/plan-policy.test.ts reads (with --policy).
            const { tree, treeFile, json, jsonFile } = await repoPlan(stack);
            assert.strictEqual(tree.code, 0, `plan ${stack} --policy failed:\n${tree.stderr}`);
            assert.strictEqual(json.code, 0, `plan ${stack} --json failed:\n${json.stderr}`);
            const bytes = fs.readFileSync(treeFile, "utf8");
            assert.strictEqual(fs.readFileSync(jsonFile, "utf8"), bytes, `two plans of ${stack} differ`);
            assert.strictEqual(json.stdout, bytes);
            const snapshot: PlanSnapshot = JSON.parse(bytes);
            assert.strictEqual(snapshot.stack, stack);
            assert.ok(snapshot.summary.total > 0, `plan of ${stack} has no resources`);
            assert.match(tree.stdout, new RegExp(`^Stack ${stack} \\(project ${snapshot.project}\\): ${snapshot.summary.total} resources?\\n`));
            // The tree is the snapshot's own (the policy report follows it: test/policy/plan-policy.test.ts).
            assert.ok(tree.stdout.startsWith(formatTree(snapshot)), `the tree of ${stack} is not its snapshot's:\n${tree.stdout}`);
            assertStackUrns(stack, snapshot);
            // Clusters are created side by side: nothing in one waits on another (issue 16 item 4).
            const paths = clusterPaths(snapshot.resources);
            assert.ok(paths.ratio <= 1.15, `the critical path of ${stack} is ${paths.ratio.toFixed(2)}x its slowest cluster's: ${paths.stack.chain.join(" -> ")}`);
        });
    }
});
