/**
 * The shared schema rules: each accepts what Flux and the clouds accept and refuses the near
 * misses, with the message and the fix it carries.
 */
import * as assert from "assert";
import { z } from "zod";
import { cidr, durationString, kubernetesMinorVersion, positiveInt, resourceName, rule, splitRuleMessage } from "../../core/rules";
import { parseWithProblems } from "../../core/zod-problems";
import { formatProblem } from "../../core/problems";

const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
const problem = (schema: z.ZodType, value: unknown) => parseWithProblems(schema, value, "k").problems.map(formatProblem);

describe("core: schema rules", () => {
    it("packs a message and its fix into one zod message, and unpacks them", () => {
        assert.deepStrictEqual(splitRuleMessage(rule("is wrong", "do this").error), { message: "is wrong", fix: "do this" });
        assert.deepStrictEqual(splitRuleMessage("no fix here"), { message: "no fix here" });
        // A fix with an empty message still splits: the separator is found at position 0.
        assert.deepStrictEqual(splitRuleMessage(rule("", "do this").error), { message: "", fix: "do this" });
        assert.strictEqual(rule("is wrong", "do this").error, "is wrong\nFix: do this");
    });

    it("says what type each rule wants and how to quote it, with the value given", () => {
        const cases: [z.ZodType, string][] = [
            [resourceName, "k: must be a string, not a number (given: 7). Fix: quote the name"],
            [cidr, 'k: must be a string, not a number (given: 7). Fix: quote the CIDR, e.g. "10.0.0.0/16"'],
            [kubernetesMinorVersion, 'k: must be a string, not a number (given: 7). Fix: quote the version, e.g. "1.34"'],
            [durationString, 'k: must be a string, not a number (given: 7). Fix: quote the duration, e.g. "5m"'],
        ];
        for (const [schema, line] of cases) assert.deepStrictEqual(problem(schema, 7), [line]);
        // zod reports a string given to z.int() as expected "number"; the fix still says whole.
        assert.deepStrictEqual(problem(positiveInt("maxPods", 110), "7"), ['k: must be a number, not a string (given: "7"). Fix: set maxPods to a whole number']);
    });

    it("accepts Flux durations, compound ones included, and nothing around them", () => {
        for (const good of ["30s", "5m", "1h", "500ms", "1h30m", "1m30s", "2h0m10s"]) assert.ok(accepts(durationString, good), good);
        for (const bad of ["", "5", "m", "x5m", "5mx", "5 m", "1d", "-5m", "5M"]) assert.ok(!accepts(durationString, bad), bad);
        assert.deepStrictEqual(problem(durationString, "5mx"), ['k: is not a duration (given: "5mx"). Fix: write it like Flux does: "30s", "5m", "1h"']);
    });

    it("accepts short RFC 1123 names up to 30 characters and refuses the rest", () => {
        for (const good of ["a", "prod-eks", "a1", `a${"b".repeat(29)}`]) assert.ok(accepts(resourceName, good), good);
        for (const bad of ["", "A", "1abc", "-a", "a-", "a_b", `a${"b".repeat(30)}`, "prod eks"]) assert.ok(!accepts(resourceName, bad), bad);
        assert.deepStrictEqual(problem(resourceName, "Prod"), [
            `k: must be 1-30 characters of lowercase letters, digits and '-', starting with a letter (given: "Prod"). Fix: rename it, e.g. 'prod-eks' (it names cloud resources, so keep it short)`,
        ]);
    });

    it("takes a Kubernetes minor version without patch level", () => {
        for (const good of ["1.33", "1.36"]) assert.ok(accepts(kubernetesMinorVersion, good), good);
        for (const bad of ["1.34.1", "v1.34", "1.3", "2.34", "1.345", " 1.34"]) assert.ok(!accepts(kubernetesMinorVersion, bad), bad);
        assert.deepStrictEqual(problem(kubernetesMinorVersion, "1.34.1"), [
            'k: must be a Kubernetes minor version (given: "1.34.1"). Fix: write it as "1.34", without the patch level',
        ]);
    });

    it("bounds whole numbers from 0 to the limit, naming the setting in the fix", () => {
        const nodes = positiveInt("minNodes", 100);
        assert.ok(accepts(nodes, 0));
        assert.ok(accepts(nodes, 100));
        assert.deepStrictEqual(problem(nodes, -1), ["k: must not be negative (given: -1). Fix: set minNodes to 0 or more"]);
        assert.deepStrictEqual(problem(nodes, 101), ["k: is above the limit of 100 (given: 101). Fix: set minNodes to 100 or less"]);
        assert.deepStrictEqual(problem(nodes, 1.5), ["k: must be a whole number (given: 1.5). Fix: set minNodes to a whole number"]);
    });

    it("takes IPv4 CIDR blocks written with their network address", () => {
        assert.ok(accepts(cidr, "10.0.0.0/16"));
        assert.deepStrictEqual(problem(cidr, "10.0.1.0/16"), [
            'k: has host bits set (given: "10.0.1.0/16"). Fix: use the network address of the block, e.g. 10.0.0.0/16 rather than 10.0.1.0/16',
        ]);
        assert.deepStrictEqual(problem(cidr, "10.0.0.0/33"), [
            'k: is not an IPv4 CIDR block (given: "10.0.0.0/33"). Fix: write it as a.b.c.d/n with n between 0 and 32, e.g. 10.0.0.0/16',
        ]);
    });
});
