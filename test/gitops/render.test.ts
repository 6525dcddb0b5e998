import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseRenderArgs } from "../../cli/render/cli";
import { writeRendered } from "../../gitops-checks/render";
import { factsOf, planOf, ROOT, rendering } from "./support";
import { builtCli } from "../support/built-cli";
import { repoPlan } from "../support/repo-plans";

function runRender(args: string[], env: NodeJS.ProcessEnv = process.env) {
    return spawnSync(process.execPath, [builtCli("render"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env,
    });
}

describe("gitops: npm run render", function () {
    // Each render plans the environment's stacks first, in a child process.
    this.timeout(300_000);
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-render-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("render prod plans the prod stack and writes one folder per cluster, one file per Kustomization in apply order, each with that cluster's facts", () => {
        const run = runRender(["prod", "--out", tmp]);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(fs.readdirSync(tmp).sort(), ["prod-aks", "prod-eks", "prod-gke"]);
        assert.deepStrictEqual(fs.readdirSync(path.join(tmp, "prod-eks")).sort(), [
            "00-flux-system.yaml",
            "01-infra-cloud.yaml",
            // Declared by infra-cloud with the cluster's cloud in its name and path: rendered right after it.
            "02-infra-cloud-aws.yaml",
            "03-infra-controllers.yaml",
            "04-infra-configs.yaml",
            "05-infra-tenants.yaml",
            "06-sample-app.yaml",
        ]);
        assert.ok(fs.existsSync(path.join(tmp, "prod-gke", "02-infra-cloud-gcp.yaml")));
        assert.ok(fs.existsSync(path.join(tmp, "prod-aks", "02-infra-cloud-azure.yaml")));
        const app = (cluster: string) => fs.readFileSync(path.join(tmp, cluster, "06-sample-app.yaml"), "utf8");
        assert.match(app("prod-eks"), /^# Rendered by `npm run render`: Flux Kustomization flux-system\/sample-app applies \.\/apps\/sample-app\/overlays\/prod\n/);
        const written = YAML.parseAllDocuments(app(factsOf("prod")[0].cluster)).map((d) => d.toJS());
        const expected = rendering("prod")
            .kustomizations.find((k) => k.name === "sample-app")!
            .objects.map((o) => o.object);
        assert.deepStrictEqual(written, expected);
        // The plan's facts, per cluster: the account comes from the cloud's fixture answers.
        assert.match(app("prod-eks"), /value: Delivered by FluxPilot to prod-eks \(eu-west-1\)/);
        assert.match(app("prod-gke"), /value: Delivered by FluxPilot to prod-gke \(europe-west1\)/);
        assert.match(fs.readFileSync(path.join(tmp, "prod-gke", "03-infra-controllers.yaml"), "utf8"), /externalLabels:\n\s+cluster: prod-gke\n\s+environment: prod\n/);
        // Azure names the cluster on creation: the render says so instead of inventing a name.
        assert.match(app("prod-aks"), /Delivered by FluxPilot to unknown-until-pulumi-up \(westeurope\)/);
        assert.match(run.stderr, /cluster_name is computed by the cloud when the cluster is created/);
        assert.match(run.stdout, /Rendered prod for cluster prod-eks \(stack prod\): 7 Kustomizations/);
    });

    it("takes the facts from --plan snapshots, and fails naming the variable when a fact is missing", () => {
        const plan = JSON.parse(JSON.stringify(planOf("dev")));
        const facts = plan.resources.find((r: { name: string }) => r.name === "dev-eks-flux-cluster-facts");
        facts.inputs.data.cluster_name = "from-the-snapshot";
        const good = path.join(tmp, "good.json");
        fs.writeFileSync(good, JSON.stringify(plan));
        const ok = runRender(["dev", "--out", path.join(tmp, "ok"), "--plan", good]);
        assert.strictEqual(ok.status, 0, ok.stderr);
        assert.match(fs.readFileSync(path.join(tmp, "ok", "from-the-snapshot", "06-sample-app.yaml"), "utf8"), /Delivered by FluxPilot to from-the-snapshot \(eu-west-1\)/);
        delete facts.inputs.data.cluster_region;
        const bad = path.join(tmp, "bad.json");
        fs.writeFileSync(bad, JSON.stringify(plan));
        const failed = runRender(["dev", "--out", path.join(tmp, "bad"), "--plan", bad]);
        assert.strictEqual(failed.status, 1);
        assert.match(failed.stderr, /\$\{cluster_region\} has no value in Kustomization flux-system\/sample-app's postBuild/);
    });

    it("an unknown environment is a clear error and a non-zero exit", () => {
        const run = runRender(["qa", "--out", tmp]);
        assert.notStrictEqual(run.status, 0);
        assert.match(run.stderr, /render: unknown environment: "qa"\. Use one of: dev, staging, prod, local/);
        assert.deepStrictEqual(fs.readdirSync(tmp), []);
    });

    it("a missing kubectl is one clear line and a non-zero exit, not a stack trace", async () => {
        const missing = path.join(tmp, "no-kubectl");
        // The facts from the run's shared plan of dev: planning again would only delay the same failure.
        const plan = (await repoPlan("dev")).treeFile;
        const run = runRender(["dev", "--out", tmp, "--plan", plan], { ...process.env, FLUXPILOT_KUBECTL: missing });
        assert.strictEqual(run.status, 1);
        assert.strictEqual(run.stderr, `render: cannot run ${missing} kustomize (spawnSync ${missing} ENOENT): install kubectl, or set FLUXPILOT_KUBECTL to a kubectl binary\n`);
        assert.deepStrictEqual(fs.readdirSync(tmp), []);
    });

    it("parses its arguments: default directory, --out, --out=, and refuses the rest", () => {
        assert.deepStrictEqual(parseRenderArgs(["dev"], "/repo"), { env: "dev", outDir: "/repo/out/render/dev", plans: [] });
        assert.deepStrictEqual(parseRenderArgs(["dev", "--plan", "/a.json", "--plan=/b.json"], "/repo").plans, ["/a.json", "/b.json"]);
        assert.throws(() => parseRenderArgs(["dev", "--plan"], "/repo"), /--plan needs a plan snapshot/);
        assert.strictEqual(parseRenderArgs(["local", "--out", "/x"], "/repo").outDir, "/x");
        assert.strictEqual(parseRenderArgs(["--out=/y", "staging"], "/repo").outDir, "/y");
        assert.throws(() => parseRenderArgs([], "/repo"), /unknown environment: no environment/);
        assert.throws(() => parseRenderArgs(["dev", "prod"], "/repo"), /unexpected argument "prod"/);
        assert.throws(() => parseRenderArgs(["dev", "--force"], "/repo"), /unknown option --force/);
        assert.throws(() => parseRenderArgs(["dev", "--out"], "/repo"), /--out needs a directory/);
    });

    it("replaces its own earlier files but leaves anything else in the directory alone", () => {
        fs.writeFileSync(path.join(tmp, "notes.yaml"), "keep: me\n");
        fs.writeFileSync(path.join(tmp, "09-removed-app.yaml"), "# Rendered by `npm run render`: stale\n");
        writeRendered(rendering("local"), tmp);
        const files = fs.readdirSync(tmp).sort();
        assert.ok(files.includes("notes.yaml"));
        assert.ok(!files.includes("09-removed-app.yaml"));
        assert.ok(files.includes("06-sample-app.yaml"));
    });
});
