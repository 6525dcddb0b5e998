/**
 * `npm run plan -- <stack> --policy` over the repository's own stacks: each passes every mandatory
 * policy of its environment, and weakening one prod default stops the plan with the violation.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { listStacks } from "../../cli/shared/stack-file";
import { ExitCode } from "../../cli/shared/exit-codes";
import { REPO_ROOT, runPlanCli, tempDir } from "../plan/support";
import { repoPlan } from "../support/repo-plans";

/** A project directory holding the repository's Pulumi.yaml and a changed copy of one stack file. */
function projectWith(stack: string, edit: (text: string) => string): string {
    const dir = tempDir("policy-project");
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const original = fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8");
    const changed = edit(original);
    assert.notStrictEqual(changed, original, "the edit changed nothing");
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), changed);
    return dir;
}

describe("plan --policy", function () {
    // Each run loads the real program with its provider SDKs.
    this.timeout(300_000);

    for (const stack of listStacks(REPO_ROOT)) {
        it(`${stack} passes every mandatory policy of its environment`, async () => {
            // `plan <stack> --policy`, run once per test run and shared with test/plan/repo-stacks.test.ts.
            const result = (await repoPlan(stack)).tree;
            assert.strictEqual(result.code, ExitCode.ok, `plan ${stack} --policy exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
            assert.match(result.stdout, /^Policies \(policy\/config\/\w+\.json\): 0 mandatory violations, /m);
        });
    }

    it("a prod cluster with protection turned off stops the plan with the violation and its fix", async () => {
        const dir = projectWith("prod", (text) => text.replace("    - name: prod-eks\n      cloud: aws\n", "    - name: prod-eks\n      cloud: aws\n      protect: false\n"));
        const result = await runPlanCli(["prod", "--policy", "--project-dir", dir, "--program", path.join(REPO_ROOT, "index.ts"), "--out", path.join(dir, "plan.json")]);
        assert.strictEqual(result.code, ExitCode.failed, result.stderr);
        assert.match(result.stdout, /2 mandatory violations/);
        assert.match(
            result.stdout,
            /MANDATORY prod-clusters-protected \[critical\] on fluxpilot:clusters:EksCluster prod-eks\n {4}cluster prod-eks is not protected\n {4}fix: Keep `protect` on in prod/,
        );
        assert.match(result.stdout, /Flux install prod-eks-flux of cluster prod-eks is not protected/);
    });

    it("the same weakening under dev's config is advisory and the plan succeeds", async () => {
        const dir = projectWith("prod", (text) => text.replace("    - name: prod-eks\n      cloud: aws\n", "    - name: prod-eks\n      cloud: aws\n      protect: false\n"));
        const config = path.join(dir, "advisory.json");
        fs.writeFileSync(config, JSON.stringify({ all: "advisory", "prod-clusters-protected": { requireProtection: true } }));
        const result = await runPlanCli([
            "prod",
            "--policy",
            "--policy-config",
            config,
            "--project-dir",
            dir,
            "--program",
            path.join(REPO_ROOT, "index.ts"),
            "--out",
            path.join(dir, "plan.json"),
        ]);
        assert.strictEqual(result.code, ExitCode.ok, result.stderr);
        assert.match(result.stdout, /0 mandatory violations, 2 advisory violations/);
    });

    it("refuses a pack config naming no policy of the pack, before planning", async () => {
        const dir = tempDir("policy-config");
        const config = path.join(dir, "typo.json");
        fs.writeFileSync(config, JSON.stringify({ all: "mandatory", "prod-cluster-protected": "advisory" }));
        const result = await runPlanCli(["dev", "--policy", "--policy-config", config, "--out", path.join(dir, "plan.json")]);
        assert.strictEqual(result.code, ExitCode.usage);
        assert.match(result.stderr, /no policy is named prod-cluster-protected; the pack's policies are .*prod-clusters-protected/);
        assert.ok(!fs.existsSync(path.join(dir, "plan.json")), "the plan ran despite the bad config");
    });

    it("--policy-config needs --policy", async () => {
        const result = await runPlanCli(["dev", "--policy-config", "x.json"]);
        assert.strictEqual(result.code, ExitCode.usage);
        assert.match(result.stderr, /--policy-config only applies with --policy/);
    });
});
