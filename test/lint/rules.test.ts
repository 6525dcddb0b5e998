/**
 * The lint configuration (eslint.config.mjs) catches what it is there for: a fixture is linted as a
 * program file, with the real config and the real type information (so this also shows that
 * Pulumi's plugin works with the TypeScript the project pins).
 */
import * as assert from "assert";
import * as path from "path";
import { ESLint } from "eslint";

const ROOT = path.resolve(__dirname, "../..");

/** `rule: line` for each finding in a fixture, linted with the project's config and ignores lifted. */
async function findings(file: string): Promise<string[]> {
    const eslint = new ESLint({ cwd: ROOT, ignore: false });
    const [result] = await eslint.lintFiles([path.join(__dirname, "fixtures", file)]);
    return result.messages.map((m) => `${m.ruleId ?? m.message}: ${m.line}`);
}

describe("lint rules", function () {
    // The first lint builds the fixture's TypeScript program: test/lint/fixtures/tsconfig.json, the
    // project's compiler options over this one file, so the typed rules do not type-check the
    // whole project (they did through the root tsconfig: about 3x the CPU of this test).
    this.timeout(300_000);

    it("refuses an Output in a plain template literal (Pulumi's plugin), an any, a floating promise and a require()", async () => {
        const found = await findings("violations.ts");
        for (const expected of [
            "@pulumi/no-output-in-template-literal: 8",
            "@typescript-eslint/no-explicit-any: 9",
            "@typescript-eslint/no-unsafe-member-access: 9",
            "@typescript-eslint/no-floating-promises: 11",
            "@typescript-eslint/no-require-imports: 13",
        ]) {
            assert.ok(found.includes(expected), `expected ${expected} among ${JSON.stringify(found)}`);
        }
    });
});
