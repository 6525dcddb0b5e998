/**
 * CI reads the suite's last line ("N passed, N failed") and fails the job on mocha's exit code.
 * Both must hold with the suite's own settings (.mocharc.json: parallel workers, the summary
 * reporter), so a failing test in a worker fails `npm test`.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";

const MOCHA = require.resolve("mocha/bin/mocha.js");

describe("test runner: the summary line and the exit code CI relies on", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-runner-"));
        fs.writeFileSync(path.join(dir, "a.spec.js"), `const assert = require("assert");\ndescribe("a", () => { it("passes", () => assert.ok(true)); });\n`);
        fs.writeFileSync(path.join(dir, "b.spec.js"), `const assert = require("assert");\ndescribe("b", () => { it("fails", () => assert.strictEqual(1, 2)); });\n`);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the suite's settings: workers in parallel, the summary reporter, and npm test runs mocha unguarded", () => {
        const settings: unknown = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, ".mocharc.json"), "utf8"));
        assert.ok(typeof settings === "object" && settings !== null);
        const rc = settings as Record<string, unknown>;
        assert.strictEqual(rc.reporter, "test/support/summary-reporter.js");
        assert.strictEqual(rc.parallel, true);
        const scripts = (JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
        assert.doesNotMatch(scripts.test, /\|\||; *true|--exit-code 0/);
        // The static checks and mocha run side by side (tools/checks.js), mocha streamed and its
        // summary printed last; none of the checks is left out.
        assert.strictEqual(scripts.test, "npm run -s checks -- --stream mocha");
        // The type check and the type-aware lint share one program (test/lint/one-program.test.ts); the
        // formatting half of `npm run lint` runs on its own.
        assert.strictEqual(scripts.checks, 'node tools/checks.js "node tools/type-check-and-lint.mjs" "npm run -s deps" "prettier --check --log-level warn ."');
        assert.strictEqual(scripts.lint, "eslint --max-warnings 0 . && prettier --check --log-level warn .");
    });

    it("runs every test file exactly once, the slow ones that mostly wait first (.mocharc.json spec)", () => {
        // Mocha hands files to its workers in spec order and keeps duplicates; files that mostly wait
        // on other processes go first so the rest of the suite fills the cores meanwhile.
        const { spec } = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, ".mocharc.json"), "utf8")) as { spec: string[] };
        const expanded = spec.flatMap((pattern) => fs.globSync(pattern, { cwd: REPOSITORY_ROOT }).sort());
        const every = fs.globSync("test/**/*.test.ts", { cwd: REPOSITORY_ROOT }).sort();
        assert.deepStrictEqual([...expanded].sort(), every);
        assert.deepStrictEqual(expanded.slice(0, 2), ["test/workflows/fake-pulumi.test.ts", "test/policy/analyzer.test.ts"]);
    });

    describe("the static checks side by side (tools/checks.js)", () => {
        const CHECKS = path.join(REPOSITORY_ROOT, "tools", "checks.js");
        const checks = (...commands: string[]) => spawnSync(process.execPath, [CHECKS, ...commands], { encoding: "utf8", cwd: dir });

        it("exits 0 when every command passes, and prints each one's output under its command", () => {
            const run = checks("echo one", "echo two");
            assert.strictEqual(run.status, 0, run.stdout + run.stderr);
            for (const word of ["one", "two"]) assert.match(run.stdout, new RegExp(`^> echo ${word}: ok, [0-9.]+ s\n${word}\n`, "m"));
        });

        it("exits with the failing command's code, after the others have finished, and prints its output whole", () => {
            const run = checks("sleep 1; echo slow", "echo broken >&2; exit 3", "exit 0");
            assert.strictEqual(run.status, 3, run.stdout + run.stderr);
            assert.match(run.stdout, /^> echo broken >&2; exit 3: FAILED \(exit 3\), [0-9.]+ s\nbroken\n/m);
            assert.match(run.stdout, /^> sleep 1; echo slow: ok, [0-9.]+ s\nslow\n/m);
        });

        it("fails on a command killed by a signal, and without any command", () => {
            const killed = checks("kill -TERM $$");
            assert.strictEqual(killed.status, 1, killed.stdout + killed.stderr);
            assert.match(killed.stdout, /FAILED \(signal SIGTERM\)/);
            assert.strictEqual(checks().status, 2);
            for (const usage of [["--stream"], ["echo a", "--stream"], ["--stream", "echo a", "echo b"]]) assert.strictEqual(checks(...usage).status, 2, usage.join(" "));
        });

        describe("--stream: the suite alongside the checks", () => {
            const suite = 'printf "first\\nsecond\\n"; echo "2 passed, 0 failed"';

            it("passes the suite's lines on as they come and prints its last line last, even when a check ends after it", () => {
                const run = checks('sleep 1; printf "check one\\ncheck two\\n"', "--stream", suite);
                assert.strictEqual(run.status, 0, run.stdout + run.stderr);
                assert.deepStrictEqual(run.stdout.split("\n"), [
                    "first",
                    "second",
                    expectLine(run.stdout, /^> sleep 1;.*: ok, [0-9.]+ s$/),
                    "check one",
                    "check two",
                    "2 passed, 0 failed",
                    "",
                ]);
            });

            it("prints a check that ends first whole before the suite's lines, never inside one", () => {
                const run = checks("echo quick", "--stream", `sleep 1; ${suite}`);
                assert.strictEqual(run.status, 0, run.stdout + run.stderr);
                assert.deepStrictEqual(run.stdout.split("\n").slice(1), ["quick", "first", "second", "2 passed, 0 failed", ""]);
            });

            it("exits with the first failure in order, the suite's last: a failing check over a failing suite, else the suite's", () => {
                const both = checks("exit 2", "--stream", `${suite}; exit 1`);
                assert.strictEqual(both.status, 2, both.stdout + both.stderr);
                assert.match(both.stdout, /2 passed, 0 failed\n$/);
                const suiteOnly = checks("exit 0", "--stream", `${suite}; exit 1`);
                assert.strictEqual(suiteOnly.status, 1, suiteOnly.stdout + suiteOnly.stderr);
                assert.match(suiteOnly.stdout, /: FAILED \(exit 1\), [0-9.]+ s\n2 passed, 0 failed\n$/);
            });
        });
    });

    /** The one line of `text` that matches `pattern` (so a list comparison can name it). */
    function expectLine(text: string, pattern: RegExp): string {
        const lines = text.split("\n").filter((line) => pattern.test(line));
        assert.strictEqual(lines.length, 1, `one line matching ${String(pattern)} in:\n${text}`);
        return lines[0];
    }

    for (const parallel of [true, false]) {
        it(`${parallel ? "in parallel workers" : "in one process"}: a failing test exits non-zero and the last line counts it`, () => {
            const run = spawnSync(
                process.execPath,
                [
                    MOCHA,
                    "--no-config",
                    ...(parallel ? ["--parallel", "--jobs", "2"] : []),
                    "--reporter",
                    path.join(REPOSITORY_ROOT, "test", "support", "summary-reporter.js"),
                    path.join(dir, "*.spec.js"),
                ],
                { encoding: "utf8", cwd: dir },
            );
            assert.notStrictEqual(run.status, 0, run.stdout + run.stderr);
            assert.strictEqual(run.stdout.trimEnd().split("\n").pop(), "1 passed, 1 failed", run.stdout);
        });
    }
});
