/**
 * How a config problem reads: key, what is wrong, the value given (hidden when secret, shortened
 * when long) and the fix; and the error that carries every problem of a stack.
 */
import * as assert from "assert";
import { formatProblem, isStackConfigError, redacted, StackConfigError } from "../../core/problems";

describe("core: config problems", () => {
    it("shows the key, the message, the value given and the fix", () => {
        assert.strictEqual(formatProblem({ key: "a.b", value: 3, message: "is odd", fix: "use 4" }), "a.b: is odd (given: 3). Fix: use 4");
        assert.strictEqual(formatProblem({ key: "a.b", value: "x", message: "is odd", fix: "use 4" }), 'a.b: is odd (given: "x"). Fix: use 4');
    });

    it("leaves out the value when there is none, and says 'nothing' when it was undefined", () => {
        assert.strictEqual(formatProblem({ key: "a", message: "is missing", fix: "set it" }), "a: is missing. Fix: set it");
        assert.strictEqual(formatProblem({ key: "a", value: undefined, message: "is odd", fix: "f" }), "a: is odd (given: nothing). Fix: f");
    });

    it("never shows a secret, and shortens long values to 120 characters", () => {
        assert.strictEqual(formatProblem({ key: "s", value: redacted, message: "m", fix: "f" }), "s: m (given: [secret]). Fix: f");
        const long = formatProblem({ key: "k", value: "y".repeat(200), message: "m", fix: "f" });
        const given = /\(given: (.*)\)\. Fix/.exec(long)?.[1] ?? "";
        assert.strictEqual(given.length, 120);
        assert.ok(given.endsWith("..."));
        const exact = `"${"z".repeat(118)}"`;
        assert.strictEqual(formatProblem({ key: "k", value: "z".repeat(118), message: "m", fix: "f" }), `k: m (given: ${exact}). Fix: f`);
    });

    it("reports every problem of a stack in one error, counted", () => {
        const one = new StackConfigError("dev", [{ key: "a", message: "m", fix: "f" }]);
        assert.strictEqual(one.message, 'Stack "dev" configuration has 1 problem; nothing was created:\n  - a: m. Fix: f');
        const two = new StackConfigError("dev", [
            { key: "a", message: "m", fix: "f" },
            { key: "b", value: 1, message: "n", fix: "g" },
        ]);
        assert.strictEqual(two.message, 'Stack "dev" configuration has 2 problems; nothing was created:\n  - a: m. Fix: f\n  - b: n (given: 1). Fix: g');
        assert.strictEqual(two.problems.length, 2);
        assert.strictEqual(two.name, "StackConfigError");
    });

    it("recognises the error by name and problems, also across module copies", () => {
        assert.strictEqual(isStackConfigError(new StackConfigError("dev", [])), true);
        assert.strictEqual(isStackConfigError(Object.assign(new Error("x"), { name: "StackConfigError", problems: [] })), true);
        assert.strictEqual(isStackConfigError(Object.assign(new Error("x"), { name: "StackConfigError" })), false);
        assert.strictEqual(isStackConfigError(Object.assign(new Error("x"), { problems: [] })), false);
        assert.strictEqual(isStackConfigError({ name: "StackConfigError", problems: [] }), false);
        assert.strictEqual(isStackConfigError(undefined), false);
    });
});
