/**
 * Issue #14, the process-level items: the real command line and the real Automation API
 * (@pulumi/pulumi/automation) drive a fake `pulumi` executable (test/support/fake-pulumi.js)
 * put first on PATH, which records its calls and the signals it receives.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { REPOSITORY_ROOT } from "../../core/repository";
import { builtCli } from "../support/built-cli";
import { tempDir, removeTempDirs } from "./project";

const root = REPOSITORY_ROOT;
const fake = path.join(root, "test", "support", "fake-pulumi.js");

interface Cli {
    child: ChildProcess;
    done: Promise<{ code: number | null; stdout: string; stderr: string }>;
    stderr: () => string;
}

interface Setup {
    bin: string;
    log: string;
    tmp: string;
    backend: string;
}

function setup(options: { executable?: boolean } = {}): Setup {
    const bin = tempDir("bin");
    const pulumi = path.join(bin, "pulumi");
    fs.writeFileSync(pulumi, `#!${process.execPath}\nrequire(${JSON.stringify(fake)});\n`);
    fs.chmodSync(pulumi, options.executable === false ? 0o644 : 0o755);
    const work = tempDir("fake-pulumi");
    const tmp = path.join(work, "tmp");
    fs.mkdirSync(tmp);
    return { bin, log: path.join(work, "pulumi.log"), tmp, backend: `file://${path.join(work, "state")}` };
}

/** The command line as `npm run fluxpilot` runs it, but without npm, so a signal reaches it alone. */
function startCli(s: Setup, args: string[], env: Record<string, string> = {}): Cli {
    const child = spawn(process.execPath, [builtCli("fluxpilot"), ...args], {
        cwd: root,
        env: {
            PATH: `${s.bin}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
            HOME: process.env.HOME ?? "/tmp",
            TMPDIR: s.tmp,
            PULUMI_CONFIG_PASSPHRASE: "test only",
            FAKE_PULUMI_LOG: s.log,
            ...env,
        },
        stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
    return { child, done, stderr: () => stderr };
}

function pulumiLog(s: Setup): string[] {
    return fs.existsSync(s.log) ? fs.readFileSync(s.log, "utf8").trim().split("\n") : [];
}

/** Polls until `ready` holds; the limit is a safety net against a hang, never an assertion on time. */
async function until(ready: () => boolean, what: string, tries = 1500): Promise<void> {
    for (let i = 0; i < tries; i++) {
        if (ready()) return;
        await new Promise((r) => setTimeout(r, 20));
    }
    assert.fail(`gave up waiting for ${what}`);
}

const STACK = ["local", "--dir", root];

describe("fluxpilot with a fake pulumi through the real Automation API (issue #14)", function () {
    this.timeout(120_000);
    const started: ChildProcess[] = [];
    afterEach(() => {
        for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
    });
    after(removeTempDirs);

    it("SIGINT: Pulumi gets exactly one interrupt, the CLI waits for it and prints a cancelled summary, and leaves no temp folders (item 1)", async () => {
        const s = setup();
        const cli = startCli(s, ["up", ...STACK, "--backend", s.backend, "--json"], { FAKE_PULUMI_MODE: "slow-cancel" });
        started.push(cli.child);
        await until(() => pulumiLog(s).includes("running"), "pulumi up to start");
        cli.child.kill("SIGINT");
        await until(() => pulumiLog(s).includes("signal SIGINT"), "the interrupt to reach pulumi");
        // A second Ctrl-C is acknowledged, not passed on.
        cli.child.kill("SIGINT");
        await until(() => cli.stderr().includes("SIGINT again"), "the second signal to be handled");
        fs.writeFileSync(`${s.log}.release`, "");
        const result = await cli.done;
        const signals = pulumiLog(s).filter((l) => l.startsWith("signal"));
        assert.deepStrictEqual(signals, ["signal SIGINT"]);
        assert.strictEqual(result.code, 130, result.stderr);
        const report = JSON.parse(result.stdout);
        assert.deepStrictEqual([report.ok, report.exitCode, report.cancelled], [false, 130, { signal: "SIGINT", pulumiStopped: true }]);
        assert.deepStrictEqual(
            report.results.map((r: any) => [r.stack, r.status, r.interrupted?.lock]),
            [["local", "cancelled", "released"]],
        );
        assert.match(result.stderr, /SIGINT received: asking Pulumi to cancel/);
        // ts-node's compile cache is the test harness's own; nothing else may be left in TMPDIR.
        assert.deepStrictEqual(
            fs.readdirSync(s.tmp).filter((f) => !f.startsWith("v8-compile-cache")),
            [],
            "temporary folders left behind",
        );
    });

    it("SIGTERM with a Pulumi that ignores the interrupt: the wait is bounded and the summary names the lock (item 1)", async () => {
        const s = setup();
        const cli = startCli(s, ["preview", ...STACK, "--backend", s.backend, "--cancel-wait", "2s"], { FAKE_PULUMI_MODE: "ignore-interrupt" });
        started.push(cli.child);
        await until(() => pulumiLog(s).includes("running"), "pulumi preview to start");
        cli.child.kill("SIGTERM");
        const result = await cli.done;
        assert.strictEqual(result.code, 130, result.stderr);
        assert.strictEqual(pulumiLog(s).filter((l) => l === "signal SIGINT").length, 1);
        assert.match(result.stdout, /local preview: cancelled/);
        assert.match(result.stdout, /did not stop within 2s \(--cancel-wait\).*may still be locked: remove stack "local"'s lock file under file:\/\/.*\/\.pulumi\/locks\//);
        assert.match(result.stdout, /Cancelled by SIGTERM: local cancelled \(exit code 130\)\. Pulumi had not stopped/);
    });

    it("--timeout: a hanging operation gets one interrupt and exit 124 with a clear message (item 5)", async () => {
        const s = setup();
        const cli = startCli(s, ["preview", ...STACK, "--backend", s.backend, "--timeout", "2s"], { FAKE_PULUMI_MODE: "hang" });
        started.push(cli.child);
        const result = await cli.done;
        assert.strictEqual(result.code, 124, result.stderr);
        assert.deepStrictEqual(
            pulumiLog(s).filter((l) => l.startsWith("signal")),
            ["signal SIGINT"],
        );
        assert.match(result.stdout, /error: preview of stack "local" did not finish within 2s \(--timeout\); Pulumi was asked to cancel it\. Pulumi stopped/);
    });

    it("preview --concurrency 2 runs two stacks' Pulumi at the same time, each output line under its stack (issue 16 item 5)", async function () {
        // Two stacks are validated and two Pulumi processes start: slow on a loaded machine.
        this.timeout(300_000);
        const s = setup();
        const cli = startCli(s, ["preview", "local", "dev", "--dir", root, "--backend", s.backend, "--concurrency", "2"], { FAKE_PULUMI_MODE: "wait-release" });
        started.push(cli.child);
        // Neither preview can finish before the release file exists: both running means both started.
        await until(() => ["running preview local", "running preview dev"].every((l) => pulumiLog(s).includes(l)), "both previews to run at once", 12_000);
        fs.writeFileSync(`${s.log}.release`, "");
        const result = await cli.done;
        assert.strictEqual(result.code, 0, result.stderr);
        assert.match(result.stdout, /^\[local\] Previewing preview$/m);
        assert.match(result.stdout, /^\[dev\] Previewing preview$/m);
    });

    it("drift whose engine run sends no summary event exits 1, not 0 'no drift' (item 2)", async () => {
        const s = setup();
        const result = await startCli(s, ["drift", ...STACK, "--backend", s.backend, "--json"], { FAKE_PULUMI_MODE: "no-summary" }).done;
        assert.strictEqual(result.code, 1, result.stderr);
        assert.strictEqual(JSON.parse(result.stdout).results[0].error.code, "no-summary");
    });

    it("streams Pulumi's stderr as it comes and reports Pulumi's own error line (item 3)", async () => {
        const s = setup();
        const result = await startCli(s, ["preview", ...STACK, "--backend", s.backend], { FAKE_PULUMI_MODE: "fails" }).done;
        assert.strictEqual(result.code, 1);
        assert.match(result.stderr, /\[local\] warning: the first warning\n/);
        assert.match(result.stderr, /\[local\] error: the cloud said no: AccessDenied\n/);
        assert.match(result.stdout, /error: preview failed on stack "local": the cloud said no: AccessDenied\n/);
        assert.ok(!/Command failed/.test(result.stdout + result.stderr), result.stdout);
    });

    it("a pulumi on PATH that is not executable is the missing-CLI case: exit 4 and the fix (item 4)", async () => {
        const s = setup({ executable: false });
        const result = await startCli(s, ["preview", ...STACK, "--backend", s.backend]).done;
        assert.strictEqual(result.code, 4, result.stderr);
        assert.match(result.stderr, /^error: The `pulumi` found on PATH cannot be run \(permission denied\): make it executable/);
    });

    it("a CLI older than the SDK, or of a newer major, is refused with the right direction to fix it (item 4)", async () => {
        const old = await startCli(setup(), ["preview", ...STACK], { FAKE_PULUMI_VERSION: "v3.200.0" }).done;
        assert.strictEqual(old.code, 4, old.stderr);
        assert.match(old.stderr, /^error: Pulumi CLI v3\.200\.0 is older than this project needs \(at least 3\.276\.0, the release of its @pulumi\/pulumi SDK\): upgrade the CLI/);
        const newer = await startCli(setup(), ["preview", ...STACK], { FAKE_PULUMI_VERSION: "v4.1.0" }).done;
        assert.strictEqual(newer.code, 4, newer.stderr);
        assert.match(newer.stderr, /^error: Pulumi CLI v4\.1\.0 is a newer major version than this project's @pulumi\/pulumi SDK \(v3\): install a 3\.x CLI/);
    });
    it("sops-config: reads the stack outputs through the Automation API and prints .sops.yaml; refuses a stack without keys (issue 12)", async () => {
        const outputs = {
            environment: "local",
            sopsKeys: { "local-eks": { kind: "kms", key: "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" } },
        };
        const s = setup();
        const result = await startCli(s, ["sops-config", ...STACK, "--backend", s.backend, "--stdout"], { FAKE_PULUMI_OUTPUTS: JSON.stringify(outputs) }).done;
        assert.strictEqual(result.code, 0, result.stderr);
        assert.ok(
            pulumiLog(s).some((l) => /^call stack output .*--json/.test(l)),
            pulumiLog(s).join("\n"),
        );
        const rules = parseYaml(result.stdout).creation_rules;
        assert.deepStrictEqual(rules, [
            {
                path_regex: "(^|/)(apps/[^/]+/overlays/local|infrastructure/[^/]+/local)/",
                encrypted_regex: "^(data|stringData)$",
                key_groups: [{ kms: [{ arn: outputs.sopsKeys["local-eks"].key }] }],
            },
        ]);

        const empty = setup();
        const none = await startCli(empty, ["sops-config", ...STACK, "--backend", empty.backend, "--stdout"]).done;
        assert.strictEqual(none.code, 1, none.stderr);
        assert.match(none.stderr, /stack local has no usable "environment" output: it has not been deployed with SOPS keys yet/);
        assert.match(none.stderr, /npm run fluxpilot -- up local/);
        assert.strictEqual(none.stdout, "");
    });
});
