/**
 * Zod issues in the words of a stack file's author: "did you mean" for typos (nested in optional
 * objects too), a type named for what was given, and a fix for every problem.
 */
import * as assert from "assert";
import { z } from "zod";
import { formatProblem } from "../../core/problems";
import { rule } from "../../core/rules";
import { closestKey, editDistance, formatKey, parseWithProblems, unknownKeyProblem } from "../../core/zod-problems";

const lines = (schema: z.ZodType, value: unknown, secret = false) => parseWithProblems(schema, value, "p:k", secret).problems.map(formatProblem);

describe("core: zod issues as config problems", () => {
    it("writes keys with dots for fields and brackets for list positions", () => {
        assert.strictEqual(formatKey("p:k", ["clusters", 2, "nodePools", 0, "name"]), "p:k.clusters[2].nodePools[0].name");
        assert.strictEqual(formatKey("p:k", []), "p:k");
    });

    it("suggests the closest known key when the distance is within a third of the word (at least 2)", () => {
        assert.strictEqual(closestKey("environmnt", ["environment", "gitops"]), "environment");
        assert.strictEqual(closestKey("GITOPS", ["environment", "gitops"]), "gitops");
        // 9 letters allow 3 edits; 4 are too many.
        assert.strictEqual(closestKey("abcdefxyz", ["abcdefghi"]), "abcdefghi");
        assert.strictEqual(closestKey("abcdewxyz", ["abcdefghi"]), undefined);
        // Short words still allow 2 edits.
        assert.strictEqual(closestKey("ab", ["cd"]), "cd");
        assert.strictEqual(closestKey("ab", ["cde"]), undefined);
        assert.strictEqual(closestKey("x", []), undefined);
        // The nearest wins, not the first.
        assert.strictEqual(closestKey("nodepol", ["name", "nodePools", "nodePool"]), "nodePool");
    });

    it("keeps the first of equally close keys, in the schema's order", () => {
        // "nam" is one letter from both; the earlier key wins, whichever it is.
        assert.strictEqual(closestKey("nam", ["name", "nams"]), "name");
        assert.strictEqual(closestKey("nam", ["nams", "name"]), "nams");
        assert.deepStrictEqual(lines(z.strictObject({ name: z.string().optional(), nams: z.string().optional() }), { nam: "x" }), [
            'p:k.nam: is not a known setting. Fix: did you mean "name"? Known settings here: name, nams',
        ]);
    });

    it("counts every letter of both words in the edit distance", () => {
        assert.strictEqual(editDistance("kitten", "sitting"), 3);
        assert.strictEqual(editDistance("flaw", "lawn"), 2);
        assert.strictEqual(editDistance("", "abc"), 3);
        assert.strictEqual(editDistance("abc", ""), 3);
        assert.strictEqual(editDistance("same", "same"), 0);
        // The last letter of either word counts: "abxyz" is 3 edits from "ab", over the limit of 2.
        assert.strictEqual(editDistance("abxyz", "ab"), 3);
        assert.strictEqual(editDistance("ab", "abxyz"), 3);
        assert.strictEqual(closestKey("abxyz", ["ab"]), undefined);
        assert.strictEqual(closestKey("abxy", ["ab"]), "ab");
    });

    it("says to remove an unknown key when nothing is close, listing the known ones", () => {
        assert.deepStrictEqual(unknownKeyProblem("p:zzz", "zzz", ["alpha", "beta"]), {
            key: "p:zzz",
            message: "is not a known setting",
            fix: "remove it; known settings here: alpha, beta",
        });
        assert.strictEqual(unknownKeyProblem("p:alpah", "alpah", ["alpha"], (k) => `p:${k}`).fix, 'did you mean "p:alpha"? Known settings here: p:alpha');
    });

    it("finds the known keys inside optional, nested and listed objects", () => {
        const schema = z.strictObject({
            auth: z.strictObject({ type: z.string(), username: z.string().optional() }).optional(),
            pools: z.array(z.strictObject({ name: z.string() })).optional(),
        });
        assert.deepStrictEqual(lines(schema, { auth: { type: "basic", usrname: "git" } }), [
            'p:k.auth.usrname: is not a known setting. Fix: did you mean "username"? Known settings here: type, username',
        ]);
        assert.deepStrictEqual(lines(schema, { pools: [{ name: "a", nmae: "b" }] }), [
            'p:k.pools[0].nmae: is not a known setting. Fix: did you mean "name"? Known settings here: name',
        ]);
    });

    it("looks through every wrapper an object may sit in for its known keys", () => {
        const inner = z.strictObject({ name: z.string(), size: z.number().optional() });
        const wrappers: Record<string, z.ZodType> = {
            nullable: inner.nullable(),
            default: inner.default({ name: "a" }),
            prefault: inner.prefault({ name: "a" }),
            readonly: inner.readonly(),
            pipe: inner.transform((v) => v),
            nested: inner.nullable().optional(),
        };
        for (const [wrapper, schema] of Object.entries(wrappers)) {
            assert.deepStrictEqual(
                lines(z.strictObject({ x: schema }), { x: { name: "a", nmae: "b" } }),
                ['p:k.x.nmae: is not a known setting. Fix: did you mean "name"? Known settings here: name, size'],
                wrapper,
            );
        }
        assert.deepStrictEqual(lines(inner.optional(), { name: "a", nmae: "b" }), ['p:k.nmae: is not a known setting. Fix: did you mean "name"? Known settings here: name, size']);
    });

    it("lists no known keys where the schema is neither an object nor a list, and says to remove the key", () => {
        assert.deepStrictEqual(lines(z.record(z.string(), z.strictObject({ a: z.string() })), { r: { a: "x", b: "y" } }), ["p:k.r.b: is not a known setting. Fix: remove it"]);
        // A key an object takes through its catchall has no shape entry: no known keys, no guess.
        const open = z.object({ fixed: z.string().optional() }).catchall(z.strictObject({ a: z.string() }));
        assert.deepStrictEqual(lines(open, { extra: { a: "x", b: "y" } }), ["p:k.extra.b: is not a known setting. Fix: remove it"]);
        // Nor where the path ends at a union: which member's keys apply is not known.
        const union = z.strictObject({ u: z.discriminatedUnion("t", [z.strictObject({ t: z.literal("a"), x: z.string() }), z.strictObject({ t: z.literal("b") })]) });
        assert.deepStrictEqual(lines(union, { u: { t: "a", x: "1", xx: "2" } }), ["p:k.u.xx: is not a known setting. Fix: remove it"]);
    });

    it("names the type given: null, a list, an object, a number, a string", () => {
        const text = z.string(rule("must be a string", "quote it"));
        assert.deepStrictEqual(lines(text, null), ["p:k: must be a string, not null (given: null). Fix: quote it"]);
        assert.deepStrictEqual(lines(text, ["a"]), ['p:k: must be a string, not a list (given: ["a"]). Fix: quote it']);
        assert.deepStrictEqual(lines(text, { a: 1 }), ['p:k: must be a string, not an object (given: {"a":1}). Fix: quote it']);
        assert.deepStrictEqual(lines(text, 7), ["p:k: must be a string, not a number (given: 7). Fix: quote it"]);
        assert.deepStrictEqual(lines(z.int(), "3"), ['p:k: must be a number, not a string (given: "3"). Fix: set p:k to a number']);
        assert.deepStrictEqual(lines(z.int(), 1.5), ["p:k: must be a whole number (given: 1.5). Fix: set p:k to a whole number"]);
        assert.deepStrictEqual(lines(z.boolean(), "yes"), ['p:k: must be a boolean, not a string (given: "yes"). Fix: set p:k to a boolean']);
    });

    it("reports a missing value as missing, with the schema's fix or a default one", () => {
        assert.deepStrictEqual(lines(z.strictObject({ a: z.string(rule("is missing", "set a")) }), {}), ["p:k.a: is missing. Fix: set a"]);
        assert.deepStrictEqual(lines(z.strictObject({ a: z.string() }), {}), ["p:k.a: is missing. Fix: set p:k.a"]);
        // Zod reports a left-out enum or literal as a wrong value, not a wrong type; it is missing all the same.
        assert.deepStrictEqual(lines(z.strictObject({ a: z.enum(["x", "y"]) }), {}), ['p:k.a: is missing. Fix: set p:k.a to one of "x", "y"']);
        assert.deepStrictEqual(lines(z.strictObject({ a: z.literal("x") }), {}), ['p:k.a: is missing. Fix: set p:k.a to one of "x"']);
        assert.deepStrictEqual(lines(z.strictObject({ a: z.enum(["x"], rule("is not a letter", "use x")) }), {}), ["p:k.a: is missing. Fix: use x"]);
        // A rule that refuses the absence itself keeps its own words.
        const required = z
            .string()
            .optional()
            .refine((v) => v !== undefined, rule("is required here", "set it for prod"));
        assert.deepStrictEqual(lines(required, undefined), ["p:k: is required here (given: nothing). Fix: set it for prod"]);
    });

    it("gives every problem a fix, even when the schema has none", () => {
        assert.deepStrictEqual(lines(z.string().min(1), ""), [
            'p:k: Too small: expected string to have >=1 characters (given: ""). Fix: see docs/configuration.md for the accepted values',
        ]);
        assert.deepStrictEqual(lines(z.enum(["a", "b"]), "c"), ['p:k: is not one of the accepted values (given: "c"). Fix: use one of "a", "b"']);
        assert.deepStrictEqual(lines(z.enum(["a", "b"], rule("is not a letter", "use a or b")), "c"), ['p:k: is not a letter (given: "c"). Fix: use a or b']);
    });

    it("hides values of secret keys", () => {
        assert.deepStrictEqual(lines(z.string().min(5, rule("is short", "lengthen it")), "hunter", false), []);
        assert.deepStrictEqual(lines(z.string().min(8, rule("is short", "lengthen it")), "hunter2", true), ["p:k: is short (given: [secret]). Fix: lengthen it"]);
        assert.deepStrictEqual(lines(z.string(rule("must be a string", "quote it")), 42, true), ["p:k: must be a string, not a number (given: [secret]). Fix: quote it"]);
        assert.deepStrictEqual(lines(z.enum(["a"]), "zz", true), ['p:k: is not one of the accepted values (given: [secret]). Fix: use one of "a"']);
        assert.deepStrictEqual(lines(z.int(), 1.5, true), ["p:k: must be a whole number (given: [secret]). Fix: set p:k to a whole number"]);
    });
});
