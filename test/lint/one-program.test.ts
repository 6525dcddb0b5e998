/**
 * `npm test`'s type check and type-aware lint on one TypeScript program
 * (tools/type-check-and-lint.mjs): the lint's typed rules see the program handed to them, and a
 * type error fails it as `tsc -p .` does.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";

const SCRIPT = path.join(REPOSITORY_ROOT, "tools", "type-check-and-lint.mjs");
const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { cwd: REPOSITORY_ROOT, encoding: "utf8" });

describe("the type check and the lint on one program (tools/type-check-and-lint.mjs)", function () {
    this.timeout(300_000);
    const folders: string[] = [];
    after(() => folders.forEach((folder) => fs.rmSync(folder, { recursive: true, force: true })));

    it("lints with the project's config, its typed rules reading the program it was given, and exits 1 on a finding", () => {
        const fixtures = path.join("test", "lint", "fixtures");
        const result = run("--project", path.join(fixtures, "tsconfig.json"), "--no-ignore", path.join(fixtures, "violations.ts"));
        assert.strictEqual(result.status, 1, result.stdout + result.stderr);
        // Type information is what these need: a floating promise and an Output in a template literal.
        for (const rule of [
            "@typescript-eslint/no-floating-promises",
            "@typescript-eslint/no-unsafe-member-access",
            "@pulumi/no-output-in-template-literal",
            "@typescript-eslint/no-require-imports",
        ]) {
            assert.match(result.stdout, new RegExp(` ${rule}$`, "m"));
        }
    });

    it("prints a type error as tsc does and exits 2", () => {
        // Under out/ (git-, lint- and format-ignored), so that ESLint finds the project's config, and
        // the checks of a test run going on meanwhile never see it.
        fs.mkdirSync(path.join(REPOSITORY_ROOT, "out"), { recursive: true });
        const folder = fs.mkdtempSync(path.join(REPOSITORY_ROOT, "out", "one-program-"));
        folders.push(folder);
        fs.writeFileSync(
            path.join(folder, "tsconfig.json"),
            JSON.stringify({ extends: path.join(REPOSITORY_ROOT, "tsconfig.json"), include: ["wrong.ts"], compilerOptions: { types: [], rootDir: "." } }),
        );
        fs.writeFileSync(path.join(folder, "wrong.ts"), 'export const count: number = "three";\n');
        const result = run("--project", path.join(folder, "tsconfig.json"), "--no-ignore", path.join(folder, "wrong.ts"));
        assert.strictEqual(result.status, 2, result.stdout + result.stderr);
        assert.match(result.stdout, /wrong\.ts\(1,14\): error TS2322: Type 'string' is not assignable to type 'number'\./);
    });

    it("refuses an unknown option with exit 2", () => {
        const result = run("--fix");
        assert.strictEqual(result.status, 2);
        assert.match(result.stderr, /^unknown option --fix\nusage: /);
    });
});
