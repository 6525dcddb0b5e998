import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { BackendChoice } from "../../cli/fluxpilot/backend";
import { CliIo, main, runEntry } from "../../cli/fluxpilot/cli";
import { StackValidator } from "../../cli/fluxpilot/gateway";
import { automationError, FakeClock, FakeGateway, StackScript, stepEvent, urn } from "./fake-gateway";
import { makeProject, removeTempDirs } from "./project";

interface Captured {
    code: number;
    stdout: string;
    stderr: string;
    gateway?: FakeGateway;
    gatewayArgs?: [string, BackendChoice];
}

const acceptAll: StackValidator = { validate: async () => undefined };

async function cli(argv: string[], scripts: Record<string, StackScript>, env: NodeJS.ProcessEnv = { PULUMI_CONFIG_PASSPHRASE: "x" }): Promise<Captured> {
    const out: Captured = { code: -1, stdout: "", stderr: "" };
    const io: CliIo = { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), env, isTTY: false };
    const clock = new FakeClock();
    out.code = await main(argv, io, {
        createGateway: (dir, backend) => {
            out.gatewayArgs = [dir, backend];
            out.gateway = new FakeGateway(scripts, clock);
            return out.gateway;
        },
        createValidator: () => acceptAll,
        now: clock.now,
    });
    return out;
}

const stackFiles = { dev: "config: {}\n", staging: "config: {}\n", prod: "config: {}\n", local: "config: {}\n" };

describe("fluxpilot cli", () => {
    after(removeTempDirs);

    it("--json prints one result document on stdout and progress on stderr", async () => {
        const dir = makeProject(stackFiles);
        const result = await cli(["drift", "--all", "--json", "--dir", dir, "--backend", "s3://state"], {
            dev: { preview: { changes: { same: 4 }, output: ["Previewing update (dev)\n"] } },
            staging: {
                preview: {
                    changes: { same: 3, update: 1 },
                    events: [stepEvent("update", urn("staging", "azure-native:containerservice:ManagedCluster", "staging-aks"), ["tags"])],
                },
            },
            prod: { preview: { error: automationError("error: no stack named 'prod' found") } },
        });
        const document = JSON.parse(result.stdout);
        assert.deepStrictEqual(Object.keys(document), ["schemaVersion", "subcommand", "backend", "cliVersion", "ok", "exitCode", "results"]);
        assert.strictEqual(document.schemaVersion, 1);
        assert.strictEqual(document.subcommand, "drift");
        assert.strictEqual(document.backend, "s3://state");
        assert.strictEqual(document.ok, false);
        assert.strictEqual(document.exitCode, 1);
        assert.deepStrictEqual(
            document.results.map((r: any) => [r.stack, r.operation, r.status]),
            [
                ["dev", "drift", "succeeded"],
                ["staging", "drift", "drifted"],
                ["prod", "drift", "failed"],
            ],
        );
        assert.deepStrictEqual(document.results[1].drift, [
            {
                urn: urn("staging", "azure-native:containerservice:ManagedCluster", "staging-aks"),
                type: "azure-native:containerservice:ManagedCluster",
                name: "staging-aks",
                op: "update",
                diffs: ["tags"],
            },
        ]);
        assert.deepStrictEqual(Object.keys(document.results[2].error), ["code", "message", "details"]);
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, /^\[dev\] ==> drift started\n\[dev\] Previewing update \(dev\)\n/);
        assert.deepStrictEqual(result.gatewayArgs, [dir, { url: "s3://state", source: "--backend" }]);
    });

    it("prints a readable summary per stack, with secrets hidden", async () => {
        const dir = makeProject(stackFiles);
        const result = await cli(["up", "dev", "--dir", dir], {
            dev: {
                up: {
                    takesMs: 95_000,
                    changes: { create: 2, same: 7 },
                    output: ["Updating (dev)\n", "Resources:\n    + 2 created\n"],
                    outputs: {
                        environment: { value: "dev", secret: false },
                        clusters: { value: [{ kubeconfig: "super-secret-token" }], secret: true },
                    },
                },
            },
        });
        assert.strictEqual(result.code, 0);
        assert.strictEqual(
            result.stdout,
            [
                "[dev] ==> up started",
                "[dev] Updating (dev)",
                "[dev] Resources:",
                "[dev]     + 2 created",
                "",
                "Summary (up, backend (pulumi login)):",
                "  dev up: succeeded in 1m 35s",
                "    2 created, 0 updated, 0 replaced, 0 deleted, 7 unchanged",
                "    outputs:",
                "      clusters     [secret]",
                "      environment  dev",
                "",
                "All done.",
                "",
            ].join("\n"),
        );
        assert.ok(!result.stdout.includes("super-secret-token"));
    });

    it("usage errors: one line on stderr and exit 2, or a JSON document with --json", async () => {
        const plain = await cli(["deploy", "dev"], {});
        assert.strictEqual(plain.code, 2);
        assert.strictEqual(plain.stderr, 'error: Unknown subcommand "deploy": use one of preview, up, destroy, refresh, outputs, drift, promote, sops-config.\n');
        assert.strictEqual(plain.stdout, "");
        const json = await cli(["up", "--json"], {});
        assert.strictEqual(json.code, 2);
        const document = JSON.parse(json.stdout);
        assert.strictEqual(document.subcommand, "up");
        assert.strictEqual(document.error.code, "usage");
        // Issue #14 item 4: a usage error still names the subcommand it was about.
        const destroy = JSON.parse((await cli(["destroy", "dev", "--json"], {})).stdout);
        assert.deepStrictEqual([destroy.subcommand, destroy.exitCode, destroy.error.code], ["destroy", 2, "usage"]);
        const unknown = JSON.parse((await cli(["deploy", "dev", "--json"], {})).stdout);
        assert.strictEqual(unknown.subcommand, null);
    });

    it("a missing passphrase on a file backend stops before Pulumi is touched", async () => {
        const dir = makeProject(stackFiles);
        const result = await cli(["preview", "dev", "--dir", dir, "--local-backend"], {}, {});
        assert.strictEqual(result.code, 4);
        assert.strictEqual(result.gateway, undefined);
        assert.match(result.stderr, /^error: Stack "dev" encrypts its secrets with a passphrase and none is set/);
        assert.strictEqual(result.stderr.split("\n").filter(Boolean).length, 1);
    });

    it("--local-backend creates the git-ignored state directory and hands its URL to the gateway", async () => {
        const dir = makeProject(stackFiles);
        const result = await cli(["preview", "local", "--dir", dir, "--local-backend", "--create"], { local: { preview: { changes: { create: 9 } } } });
        assert.strictEqual(result.code, 0);
        assert.ok(fs.statSync(path.join(dir, ".pulumi-state")).isDirectory());
        assert.deepStrictEqual(result.gatewayArgs?.[1], { url: `file://${dir}/.pulumi-state`, source: "--local-backend" });
        assert.deepStrictEqual(result.gateway?.calls[1], { method: "openStack", stack: "local", options: { create: true } });
        assert.match(result.stdout, /9 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged/);
    });

    it("a failed stack prints its error under the summary and sets the exit code", async () => {
        const dir = makeProject(stackFiles);
        const result = await cli(["up", "dev", "--dir", dir], {
            dev: { up: { error: automationError("error: [409] Conflict: Another update is currently in progress.") } },
        });
        assert.strictEqual(result.code, 5);
        assert.match(result.stdout, /  dev up: failed in 0s\n    error: Another update is in progress on stack "dev"/);
        assert.match(result.stdout, /Failed: dev \(exit code 5\)\.\n$/);
    });

    it("as the process entry, reports a failure that escapes main and exits 1 instead of crashing", async () => {
        let stderr = "";
        // Reading the environment fails before main's own error handling starts (backend resolution).
        const env = new Proxy<NodeJS.ProcessEnv>(
            {},
            {
                get: (_, key) => {
                    if (key === "PULUMI_BACKEND_URL") throw new Error("environment unreadable");
                    return undefined;
                },
            },
        );
        const io: CliIo = { stdout: () => assert.fail("nothing on stdout"), stderr: (t) => (stderr += t), env, isTTY: false };
        const deps = { createGateway: () => assert.fail("no gateway"), createValidator: () => acceptAll, now: () => 0 };
        await assert.rejects(main(["preview", "dev"], io, deps), /environment unreadable/);
        assert.strictEqual(await runEntry(["preview", "dev"], io, deps), 1);
        assert.strictEqual(stderr, "fluxpilot: unexpected error: environment unreadable\nSet FLUXPILOT_DEBUG=1 to see where it happened.\n");
    });
});
