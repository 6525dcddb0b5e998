/**
 * The missing-CLI path for real: this machine has no Pulumi CLI, so the real gateway and the
 * real command line meet the Automation API's actual error. PATH is narrowed to Node's own
 * directory so the tests mean the same on a machine that has the CLI installed.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { createAutomationGateway } from "../../cli/fluxpilot/automation";
import { mapPulumiError } from "../../cli/fluxpilot/errors";
import { makeProject, removeTempDirs } from "./project";
import { REPOSITORY_ROOT } from "../../core/repository";
import { builtCli } from "../support/built-cli";

const root = REPOSITORY_ROOT;
const nodeOnlyPath = path.dirname(process.execPath);

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            [builtCli("fluxpilot"), ...args],
            { cwd: root, env: { PATH: nodeOnlyPath, HOME: process.env.HOME ?? "/tmp", ...env } },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
    });
}

describe("fluxpilot without a Pulumi CLI (for real)", () => {
    let savedPath: string | undefined;
    before(() => {
        savedPath = process.env.PATH;
        process.env.PATH = nodeOnlyPath;
    });
    after(() => {
        process.env.PATH = savedPath;
        removeTempDirs();
    });

    it("the real gateway reports it, and it maps to one line with how to install", async () => {
        const gateway = createAutomationGateway(root, { url: "", source: "pulumi login" });
        for (const attempt of [() => gateway.cliVersion(), () => gateway.openStack("dev", { create: false })]) {
            const error = await attempt().then(
                () => assert.fail("expected the Automation API to fail without a CLI"),
                (e: unknown) => e,
            );
            assert.strictEqual((error as Error).name, "CommandError");
            const mapped = mapPulumiError(error, { stack: "dev", operation: "preview", backend: "" });
            assert.strictEqual(mapped.code, "pulumi-cli-missing");
            assert.strictEqual(mapped.exitCode, 4);
            assert.ok(!mapped.message.includes("\n"));
        }
    });

    it("the command line exits 4 with one line on stderr, or one JSON document with --json", async () => {
        const dir = makeProject({ dev: "config:\n  fluxpilot:environment: dev\n" });
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), fs.readFileSync(path.join(root, "Pulumi.yaml")));
        const env = { PULUMI_CONFIG_PASSPHRASE: "not used" };
        const plain = await runCli(["preview", "dev", "--dir", dir, "--local-backend"], env);
        assert.strictEqual(plain.code, 4, plain.stderr);
        assert.strictEqual(plain.stdout, "");
        assert.strictEqual(
            plain.stderr,
            'error: The Pulumi CLI is not installed (no `pulumi` on PATH): install it with `curl -fsSL https://get.pulumi.com | sh` (or `brew install pulumi/tap/pulumi`; see https://www.pulumi.com/docs/install/), then open a new shell or run `export PATH="$HOME/.pulumi/bin:$PATH"` (the installer adds that directory to PATH only in new shells) and check with `pulumi version`.\n',
        );
        const json = await runCli(["up", "dev", "--dir", dir, "--local-backend", "--json"], env);
        assert.strictEqual(json.code, 4, json.stderr);
        const document = JSON.parse(json.stdout);
        assert.deepStrictEqual([document.subcommand, document.ok, document.exitCode, document.error.code, document.results], ["up", false, 4, "pulumi-cli-missing", []]);
    });
});
