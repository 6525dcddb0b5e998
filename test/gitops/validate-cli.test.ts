/**
 * `npm run validate`: the GitOps checks without mocha, on this repository and on a broken copy.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../cli/validate/cli";
import { loadChecksConfig } from "../../gitops-checks/config";
import { ROOT } from "./support";
import { builtCli } from "../support/built-cli";
import { repoPlan } from "../support/repo-plans";
import { listStacks } from "../../cli/shared/stack-file";

async function run(argv: string[], root = ROOT): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) }, root);
    return { code, out, err };
}

describe("gitops: npm run validate", function () {
    this.timeout(600_000);

    it("passes this repository, every environment, with its own rule set on, and prints nothing else", async () => {
        assert.deepStrictEqual(loadChecksConfig(ROOT).ruleSets, ["fluxpilot"]);
        // The command line as `npm run validate` runs it (built, exit code and all), with the facts
        // of the run's shared plans of every stack (--plan, as CI passes the plans it made). Without
        // --plan it plans each stack itself; render.test.ts runs that path.
        const plans = await Promise.all(listStacks(ROOT).map((stack) => repoPlan(stack)));
        const args = plans.flatMap((plan) => ["--plan", plan.treeFile]);
        const { status, stdout: out, stderr } = spawnSync(process.execPath, [builtCli("validate"), ...args], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(status, 0, `${out}\n${stderr}`);
        assert.deepStrictEqual(out.split("\n").filter(Boolean), [
            "ok      sources",
            "ok      clusters/dev (cluster dev-eks, stack dev)",
            "ok      clusters/local (cluster local, stack local)",
            "ok      clusters/prod (cluster prod-aks, stack prod)",
            "  - Pulumi.prod.yaml: ConfigMap flux-system/cluster-facts (cluster prod-aks): note: cluster_name is computed by the cloud when the cluster is created; the render shows unknown-until-pulumi-up in its place [postBuild]",
            "ok      clusters/prod (cluster prod-eks, stack prod)",
            "ok      clusters/prod (cluster prod-gke, stack prod)",
            "ok      clusters/staging (cluster staging-eks, stack staging)",
            "ok      clusters/staging (cluster staging-gke, stack staging)",
            "No problems found (.).",
        ]);
    });

    it("without --plan, plans the stacks of the environment named for their cluster facts", () => {
        // The local stack plans fastest (one adopted cluster); render.test.ts plans prod the same way.
        const { status, stdout: out, stderr } = spawnSync(process.execPath, [builtCli("validate"), "local"], { cwd: ROOT, encoding: "utf8" });
        assert.strictEqual(status, 0, `${out}\n${stderr}`);
        assert.deepStrictEqual(out.split("\n").filter(Boolean), ["ok      sources", "ok      clusters/local (cluster local, stack local)", "No problems found (.)."]);
    });

    it("reports a broken entry point with its file and exits 1", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-validate-"));
        fs.mkdirSync(path.join(root, "clusters", "dev"), { recursive: true });
        fs.writeFileSync(path.join(root, "clusters", "dev", "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [apps.yaml]\n");
        fs.writeFileSync(
            path.join(root, "clusters", "dev", "apps.yaml"),
            [
                "apiVersion: kustomize.toolkit.fluxcd.io/v1",
                "kind: Kustomization",
                "metadata: { name: apps, namespace: flux-system }",
                "spec: { interval: 10m, path: ./apps/missing, prune: true, sourceRef: { kind: GitRepository, name: flux-system } }",
                "",
            ].join("\n"),
        );
        const { code, out } = await run(["dev"], root);
        assert.strictEqual(code, 1, out);
        assert.match(out, /^FAILED  clusters\/dev: /m);
        assert.match(out, /^  - clusters\/dev\/apps\.yaml.*apps\/missing/m);
        assert.match(out, /problems? found/);
    });

    it("refuses an unknown environment or option with exit 2", async () => {
        const qa = await run(["qa"]);
        assert.strictEqual(qa.code, 2);
        assert.match(qa.err, /unknown environment "qa": use one of dev, local, prod, staging \(the folders under clusters\/ in /);
        assert.strictEqual((await run(["--fast"])).code, 2);
    });
});
