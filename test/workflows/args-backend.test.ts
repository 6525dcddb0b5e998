import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CommandLine, DEFAULT_CANCEL_WAIT_MS, DEFAULT_TIMEOUT_MS, HelpRequested, parseCommandLine, stackFileName } from "../../cli/fluxpilot/args";
import { checkPassphrase, localBackendUrl, needsPassphrase, resolveBackend } from "../../cli/fluxpilot/backend";
import { fromUsageError } from "../../cli/fluxpilot/errors";
import { UsageError } from "../../cli/shared/usage";
import { checkPassphrases, resolveStacks } from "../../cli/fluxpilot/preflight";
import { makeProject, removeTempDirs, tempDir } from "./project";

function parse(...argv: string[]): CommandLine {
    const parsed = parseCommandLine(argv);
    assert.ok(!(parsed instanceof HelpRequested));
    return parsed;
}

function usage(argv: string[], message: string | RegExp): void {
    assert.throws(
        () => parseCommandLine(argv),
        (error: unknown) => {
            // The shared usage error; the command reports it as code "usage", exit 2 (see cli.test.ts).
            assert.ok(error instanceof UsageError);
            assert.strictEqual(fromUsageError(error).exitCode, 2);
            if (typeof message === "string") assert.strictEqual(error.message, message);
            else assert.match(error.message, message);
            return true;
        },
    );
}

describe("fluxpilot command line", () => {
    it("takes stacks as positionals and --stack, keeping order and dropping repeats", () => {
        const cmd = parse("preview", "dev", "-s", "staging", "--stack", "dev", "--json", "--parallel", "8", "--target", "a", "--target", "b");
        assert.deepStrictEqual([cmd.subcommand, cmd.stacks, cmd.json, cmd.parallel, cmd.target], ["preview", ["dev", "staging"], true, 8, ["a", "b"]]);
    });

    it("asks for help without failing", () => {
        assert.ok(parseCommandLine(["--help"]) instanceof HelpRequested);
        assert.ok(parseCommandLine(["up", "-h"]) instanceof HelpRequested);
    });

    it("rejects mistakes with a message naming the fix", () => {
        usage([], "Missing subcommand: use one of preview, up, destroy, refresh, outputs, drift, promote, sops-config.");
        usage(["deploy", "dev"], 'Unknown subcommand "deploy": use one of preview, up, destroy, refresh, outputs, drift, promote, sops-config.');
        usage(["up"], 'Name at least one stack for "up" (e.g. `up dev`) or pass --all.');
        usage(["up", "dev", "--all"], "Name stacks or pass --all, not both.");
        usage(["destroy", "dev"], '"destroy" deletes every resource of the stack: add --yes to confirm.');
        usage(["outputs", "dev", "--refresh"], '--refresh cannot be used with "outputs".');
        usage(["promote", "dev"], /^"promote" always runs dev -> staging -> prod/);
        usage(["promote", "--from", "prod", "--to", "dev"], "--from prod comes after --to dev: promotion runs dev -> staging -> prod.");
        usage(["promote", "--to", "local"], '--to must be one of dev, staging, prod (given: "local").');
        usage(["up", "dev", "--parallel", "0"], '--parallel must be a whole number of at least 1 (given: "0").');
        usage(["up", "dev", "--backend", "s3://b", "--local-backend"], "--backend and --local-backend both choose the state backend: pass only one.");
        usage(["up", "a/b/c/dev"], 'Invalid stack name "a/b/c/dev": use letters, digits, "-", "_" or ".", optionally prefixed by the organisation (org/dev) or org/project/.');
        usage(["up", "dev", "--bogus"], 'Unknown option "--bogus": run with --help for the options.');
        // Issue #14 item 4: these printed Node's parseArgs text, cut mid-sentence.
        usage(["preview", "dev", "--force"], 'Unknown option "--force": run with --help for the options.');
        usage(["preview", "dev", "--backend"], "--backend needs a value, e.g. `--backend <value>`.");
        usage(["up", "dev", "--timeout", "soon"], '--timeout must be a time of at least 1s, such as 90s, 45m or 2h (given: "soon").');
        usage(["up", "dev", "--cancel-wait", "0s"], '--cancel-wait must be a time of at least 1s, such as 90s, 45m or 2h (given: "0s").');
    });

    it("accepts org/stack and org/project/stack, the form Pulumi Cloud and the workflows use (item 9)", () => {
        const parsed = parseCommandLine(["drift", "acme/dev", "acme/fluxpilot/prod"]);
        assert.ok(!(parsed instanceof HelpRequested));
        assert.deepStrictEqual(parsed.stacks, ["acme/dev", "acme/fluxpilot/prod"]);
        assert.deepStrictEqual(parsed.stacks.map(stackFileName), ["dev", "prod"]);
    });

    it("--timeout per operation with defaults, and --cancel-wait (item 5)", () => {
        const plain = parseCommandLine(["up", "dev"]);
        const timed = parseCommandLine(["up", "dev", "--timeout", "45m", "--cancel-wait", "90s"]);
        const bare = parseCommandLine(["preview", "dev", "--timeout", "2h"]);
        assert.ok(!(plain instanceof HelpRequested) && !(timed instanceof HelpRequested) && !(bare instanceof HelpRequested));
        assert.strictEqual(plain.timeoutMs, undefined);
        assert.strictEqual(plain.cancelWaitMs, DEFAULT_CANCEL_WAIT_MS);
        assert.deepStrictEqual([timed.timeoutMs, timed.cancelWaitMs, bare.timeoutMs], [45 * 60_000, 90_000, 2 * 3_600_000]);
        assert.strictEqual(DEFAULT_TIMEOUT_MS.up, 120 * 60_000);
        assert.strictEqual(DEFAULT_TIMEOUT_MS.drift, 30 * 60_000);
    });
});

describe("fluxpilot backends and pre-flight", () => {
    const projectDir = "/repo";
    after(removeTempDirs);

    it("chooses the backend: --backend, then --local-backend, then PULUMI_BACKEND_URL, then pulumi login", () => {
        const env = { PULUMI_BACKEND_URL: "s3://state-bucket" };
        assert.deepStrictEqual(resolveBackend({ backend: "gs://other", localBackend: false }, env, projectDir), { url: "gs://other", source: "--backend" });
        assert.deepStrictEqual(resolveBackend({ localBackend: true }, env, projectDir), {
            url: "file:///repo/.pulumi-state",
            source: "--local-backend",
        });
        assert.deepStrictEqual(resolveBackend({ localBackend: false }, env, projectDir), { url: "s3://state-bucket", source: "PULUMI_BACKEND_URL" });
        assert.deepStrictEqual(resolveBackend({ localBackend: false }, {}, projectDir), { url: "", source: "pulumi login" });
        assert.strictEqual(localBackendUrl("relative"), `file://${path.resolve("relative")}/.pulumi-state`);
    });

    it("knows when a stack needs a passphrase", () => {
        const file = { url: "file:///x", source: "--local-backend" } as const;
        const cloud = { url: "https://api.pulumi.com", source: "--backend" } as const;
        assert.strictEqual(needsPassphrase({}, file), true, "DIY backend default provider");
        assert.strictEqual(needsPassphrase({}, cloud), false, "Pulumi Cloud default provider");
        assert.strictEqual(needsPassphrase({ encryptionsalt: "v1:abc" }, cloud), true);
        assert.strictEqual(needsPassphrase({ secretsprovider: "awskms://alias/fluxpilot" }, file), false);
        assert.strictEqual(needsPassphrase({ secretsprovider: "passphrase" }, cloud), true);
    });

    it("accepts a passphrase from the environment or a readable file, and says how to fix a missing one", () => {
        checkPassphrase("dev", { PULUMI_CONFIG_PASSPHRASE: "" });
        const file = path.join(tempDir("pass"), "passphrase");
        fs.writeFileSync(file, "correct horse");
        checkPassphrase("dev", { PULUMI_CONFIG_PASSPHRASE_FILE: file });
        assert.throws(() => checkPassphrase("dev", {}), {
            code: "passphrase-missing",
            message:
                'Stack "dev" encrypts its secrets with a passphrase and none is set: export PULUMI_CONFIG_PASSPHRASE, or PULUMI_CONFIG_PASSPHRASE_FILE with the path of a file holding it.',
        });
        assert.throws(() => checkPassphrase("dev", { PULUMI_CONFIG_PASSPHRASE_FILE: `${file}.missing` }), {
            code: "passphrase-missing",
            message: `PULUMI_CONFIG_PASSPHRASE_FILE is set to ${file}.missing, which cannot be read: point it at the file holding stack "dev"'s passphrase.`,
        });
    });

    it("resolves --all to the deployable stacks in promotion order, leaving out local", () => {
        const dir = makeProject({ prod: "", local: "", dev: "", staging: "", qa: "" });
        assert.deepStrictEqual(resolveStacks(parse("preview", "--all"), dir), ["dev", "staging", "prod", "qa"]);
        assert.deepStrictEqual(resolveStacks(parse("preview", "local"), dir), ["local"]);
        assert.deepStrictEqual(resolveStacks(parse("promote"), dir), ["dev", "staging", "prod"]);
        assert.deepStrictEqual(resolveStacks(parse("promote", "--from", "staging"), dir), ["dev", "staging", "prod"]);
        assert.deepStrictEqual(resolveStacks(parse("promote", "--from", "prod"), dir), ["staging", "prod"]);
    });

    it("fails before Pulumi runs when a stack file or the project is missing", () => {
        const dir = makeProject({ dev: "" });
        assert.throws(() => resolveStacks(parse("up", "prod"), dir), {
            code: "stack-not-found",
            message: `Stack "prod" has no Pulumi.prod.yaml in ${dir}: stacks here are dev.`,
        });
        const empty = tempDir("empty");
        assert.throws(() => resolveStacks(parse("up", "dev"), empty), {
            name: "UsageError",
            message: `No Pulumi.yaml in ${empty}: run from the FluxPilot repository or pass --dir <project directory>.`,
        });
    });

    it("checks passphrases only for the stacks that need one", () => {
        const dir = makeProject({ dev: "encryptionsalt: v1:abc\nconfig: {}\n", prod: "secretsprovider: awskms://alias/x\n" });
        const cloud = { url: "", source: "pulumi login" } as const;
        checkPassphrases(["prod"], dir, { url: "file:///s", source: "--backend" }, {});
        assert.throws(() => checkPassphrases(["prod", "dev"], dir, cloud, {}), { code: "passphrase-missing" });
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), "config: [unclosed\n");
        assert.throws(() => checkPassphrases(["bad"], dir, cloud, {}), { code: "invalid-config" });
    });
});
