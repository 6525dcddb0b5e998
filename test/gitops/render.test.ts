import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { parseRenderArgs } from "../../cli/render/cli";
import { writeRendered } from "../../gitops-checks/render";
import { ROOT, rendering } from "./support";
import { builtCli } from "../support/built-cli";

function runRender(args: string[], env: NodeJS.ProcessEnv = process.env) {
    return spawnSync(process.execPath, [builtCli("render"), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env,
    });
}

describe("gitops: npm run render", () => {
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-render-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("render prod writes one file per Kustomization, in apply order, matching the loader", () => {
        const run = runRender(["prod", "--out", tmp]);
        assert.strictEqual(run.status, 0, run.stderr);
        assert.deepStrictEqual(fs.readdirSync(tmp).sort(), ["00-flux-system.yaml", "01-infra-controllers.yaml", "02-infra-configs.yaml", "03-infra-tenants.yaml", "04-sample-app.yaml"]);
        const app = fs.readFileSync(path.join(tmp, "04-sample-app.yaml"), "utf8");
        assert.match(app, /^# Rendered by `npm run render`: Flux Kustomization flux-system\/sample-app applies \.\/apps\/sample-app\/overlays\/prod\n/);
        const written = YAML.parseAllDocuments(app).map((d) => d.toJS());
        const expected = rendering("prod").kustomizations.find((k) => k.name === "sample-app")!.objects.map((o) => o.object);
        assert.deepStrictEqual(written, expected);
        assert.match(run.stdout, /Rendered prod: 5 Kustomizations/);
    });

    it("an unknown environment is a clear error and a non-zero exit", () => {
        const run = runRender(["qa", "--out", tmp]);
        assert.notStrictEqual(run.status, 0);
        assert.match(run.stderr, /render: unknown environment: "qa"\. Use one of: dev, staging, prod, local/);
        assert.deepStrictEqual(fs.readdirSync(tmp), []);
    });

    it("a missing kubectl is one clear line and a non-zero exit, not a stack trace", () => {
        const missing = path.join(tmp, "no-kubectl");
        const run = runRender(["dev", "--out", tmp], { ...process.env, FLUXPILOT_KUBECTL: missing });
        assert.strictEqual(run.status, 1);
        assert.strictEqual(run.stderr, `render: cannot run ${missing} kustomize (spawnSync ${missing} ENOENT): install kubectl, or set FLUXPILOT_KUBECTL to a kubectl binary\n`);
        assert.deepStrictEqual(fs.readdirSync(tmp), []);
    });

    it("parses its arguments: default directory, --out, --out=, and refuses the rest", () => {
        assert.deepStrictEqual(parseRenderArgs(["dev"], "/repo"), { env: "dev", outDir: "/repo/out/render/dev" });
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
        assert.ok(files.includes("04-sample-app.yaml"));
    });
});
