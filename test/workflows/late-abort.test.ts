/**
 * A cancel that lands before the Automation API has started `pulumi` (cli/fluxpilot/late-abort.ts):
 * the relay itself, and the real Automation API driving the fake `pulumi` of test/support.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { relayAbort } from "../../cli/fluxpilot/late-abort";
import { createAutomationGateway } from "../../cli/fluxpilot/automation";
import { REPOSITORY_ROOT } from "../../core/repository";
import { removeTempDirs, tempDir } from "./project";

describe("relayAbort: an abort that reaches listeners added after it", () => {
    it("fires for a listener added after the source aborted, with the source's reason, once", async () => {
        const source = new AbortController();
        source.abort("SIGTERM");
        const signal = relayAbort(source.signal);
        assert.strictEqual(signal.aborted, false, "nobody listened yet, so the relay has not fired");
        const heard: unknown[] = [];
        signal.addEventListener("abort", () => heard.push(signal.reason));
        assert.deepStrictEqual(heard, ["SIGTERM"]);
        assert.strictEqual(signal.aborted, true);
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepStrictEqual(heard, ["SIGTERM"], "once");
    });

    it("fires for a listener added before the abort when the source aborts, and not before", () => {
        const source = new AbortController();
        const signal = relayAbort(source.signal);
        let heard = 0;
        signal.addEventListener("abort", () => (heard += 1));
        assert.strictEqual(heard, 0);
        source.abort("SIGINT");
        source.abort("SIGINT");
        assert.strictEqual(heard, 1);
        assert.strictEqual(signal.reason, "SIGINT");
    });

    it("tells a second, later listener too (a second process), one turn later", async () => {
        const source = new AbortController();
        const signal = relayAbort(source.signal);
        const heard: string[] = [];
        signal.addEventListener("abort", () => heard.push("first"));
        source.abort("SIGINT");
        signal.addEventListener("abort", { handleEvent: (event: Event) => heard.push(`second ${event.type}`) });
        assert.deepStrictEqual(heard, ["first"]);
        await Promise.resolve();
        assert.deepStrictEqual(heard, ["first", "second abort"]);
    });

    it("never fires while the source has not aborted", () => {
        const signal = relayAbort(new AbortController().signal);
        let heard = 0;
        signal.addEventListener("abort", () => (heard += 1));
        assert.strictEqual(signal.aborted, false);
        assert.strictEqual(heard, 0);
    });
});

describe("a cancel before pulumi starts, through the real Automation API and the fake pulumi", function () {
    this.timeout(60_000);
    const saved = { PATH: process.env.PATH, FAKE_PULUMI_LOG: process.env.FAKE_PULUMI_LOG, FAKE_PULUMI_MODE: process.env.FAKE_PULUMI_MODE };
    let log = "";
    before(() => {
        const bin = tempDir("late-abort-bin");
        const fake = path.join(REPOSITORY_ROOT, "test", "support", "fake-pulumi.js");
        fs.writeFileSync(path.join(bin, "pulumi"), `#!${process.execPath}\nrequire(${JSON.stringify(fake)});\n`, { mode: 0o755 });
        log = path.join(tempDir("late-abort"), "pulumi.log");
        // The Automation API finds `pulumi` on PATH and passes its own environment on; mocha runs one test at a time per process.
        Object.assign(process.env, { PATH: `${bin}:${saved.PATH ?? ""}`, FAKE_PULUMI_LOG: log, FAKE_PULUMI_MODE: "hang" });
    });
    after(() => {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) delete process.env[key];
            else process.env[key] = value;
        }
        removeTempDirs();
    });

    it("interrupts `pulumi up` once it has started, when the cancel came before", async () => {
        const gateway = createAutomationGateway(REPOSITORY_ROOT, { url: `file://${path.dirname(log)}/state`, source: "--backend" });
        const stack = await gateway.openStack("local", { create: false });
        const cancel = new AbortController();
        cancel.abort("SIGTERM");
        // An already aborted plain signal would never reach pulumi, and the up would hang (fake mode
        // "hang"). The interrupt lands right after the start: pulumi ends by it, with or without its
        // handler in place yet (the fake's handler logs it and exits 255: "update canceled").
        await assert.rejects(stack.up({ signal: relayAbort(cancel.signal) }), /killed with SIGINT|update canceled/);
        const signals = fs.existsSync(log)
            ? fs
                  .readFileSync(log, "utf8")
                  .split("\n")
                  .filter((l) => l.startsWith("signal"))
            : [];
        assert.ok(signals.length <= 1, `one interrupt at most: ${signals.join(", ")}`);
    });
});
