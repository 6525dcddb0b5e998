#!/usr/bin/env node
/**
 * Runs the checks of `npm test` side by side and fails when any of them fails.
 *
 *     node tools/checks.js "node tools/type-check-and-lint.mjs" "npm run -s deps" "prettier --check ." [--stream "mocha"]
 *
 * Each argument is one shell command. They are independent and each mostly single-threaded, and
 * the machine has more than one core, so running them together saves the shorter ones' time
 * (docs/benchmarks.md, "Test suite"). Each command's output is held back and printed whole,
 * under its command, once it ends, so outputs never interleave.
 *
 * The command after --stream (the test suite) runs alongside them, but its output is passed on as
 * it comes, line by line, with the held outputs printed between its lines. Its last line is held
 * back until everything has ended and printed last: the suite's closing "N passed, N failed" is
 * the line CI reads.
 *
 * The exit code is the first failing command's (in the order given, the streamed one last), or 1
 * when a command was killed by a signal; 0 only when every command passed; 2 for bad usage.
 */
"use strict";
const { spawn } = require("child_process");

/** Passes text on line by line, always keeping the last complete line (and any partial one) back. */
class LineRelay {
    constructor(write) {
        this.write = write;
        this.pending = "";
    }

    push(text) {
        this.pending += text;
        const lastBreak = this.pending.lastIndexOf("\n", this.pending.length - 2);
        if (lastBreak < 0) return;
        this.write(this.pending.slice(0, lastBreak + 1));
        this.pending = this.pending.slice(lastBreak + 1);
    }

    flush() {
        if (this.pending) this.write(this.pending);
        this.pending = "";
    }
}

function run(command, relay) {
    return new Promise((resolve) => {
        const chunks = [];
        const child = spawn(command, { shell: true, stdio: ["ignore", "pipe", "pipe"] });
        if (relay) {
            child.stdout.setEncoding("utf8");
            child.stdout.on("data", (text) => relay.push(text));
            child.stderr.on("data", (chunk) => process.stderr.write(chunk));
        } else {
            child.stdout.on("data", (chunk) => chunks.push(chunk));
            child.stderr.on("data", (chunk) => chunks.push(chunk));
        }
        child.on("error", (error) => resolve({ command, code: 127, output: Buffer.from(`${error.message}\n`) }));
        child.on("close", (code, signal) => resolve({ command, code: code ?? 1, signal, output: Buffer.concat(chunks) }));
    });
}

/** The commands to hold, and the one to stream (or undefined); undefined when the usage is wrong. */
function parse(argv) {
    const at = argv.indexOf("--stream");
    if (at < 0) return argv.length > 0 ? { held: argv, streamed: undefined } : undefined;
    if (at !== argv.length - 2) return undefined;
    return { held: argv.slice(0, at), streamed: argv[at + 1] };
}

async function main(argv) {
    const parsed = parse(argv);
    if (!parsed) {
        process.stderr.write('usage: node tools/checks.js "<command>" ["<command>" ...] [--stream "<command>"]\n');
        return 2;
    }
    const started = Date.now();
    const relay = new LineRelay((text) => process.stdout.write(text));
    const status = (result) => (result.code === 0 ? "ok" : `FAILED (${result.signal ? `signal ${result.signal}` : `exit ${result.code}`})`);
    // Printed as each ends, so a fast failure shows before the slow checks finish.
    const held = parsed.held.map((command) =>
        run(command).then((result) => {
            const seconds = ((Date.now() - started) / 1000).toFixed(1);
            process.stdout.write(`> ${command}: ${status(result)}, ${seconds} s\n`);
            if (result.output.length > 0) process.stdout.write(result.output);
            return result;
        }),
    );
    const streamed = parsed.streamed === undefined ? [] : [run(parsed.streamed, relay)];
    const results = await Promise.all([...held, ...streamed]);
    if (parsed.streamed !== undefined) {
        const result = results[results.length - 1];
        if (result.code !== 0) process.stdout.write(`> ${parsed.streamed}: ${status(result)}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    relay.flush();
    const failed = results.find((result) => result.code !== 0);
    return failed ? failed.code : 0;
}

main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exitCode = 1;
    },
);
