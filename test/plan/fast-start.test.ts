import * as assert from "assert";
import * as real from "typescript";
import { deferSdkTypeScript, TYPESCRIPT_SHIM } from "../../cli/plan/fast-start";

const SHIM = require.resolve("@pulumi/pulumi/typescript-shim");

describe("plan start: the SDK's TypeScript loaded on first use", () => {
    it("puts a loaded stand-in for the shim into the module cache and loads nothing yet", () => {
        const cache: NodeJS.Dict<NodeJS.Module> = {};
        deferSdkTypeScript(cache);
        const standIn = cache[SHIM];
        assert.ok(standIn, "the shim's path has an entry");
        assert.strictEqual(standIn.loaded, true, "require returns a cached module's exports only once it is loaded");
        assert.strictEqual(standIn.filename, SHIM);
        assert.strictEqual(cache[SHIM], standIn, "nothing was read, so the stand-in is still there");
    });

    it("forwards to the real shim (the installed TypeScript) on first use, and leaves the cache to it", () => {
        const cache: NodeJS.Dict<NodeJS.Module> = {};
        deferSdkTypeScript(cache);
        const ts = cache[SHIM]!.exports as typeof real;
        assert.strictEqual(ts.createSourceFile, real.createSourceFile);
        assert.strictEqual(ts.SyntaxKind.ClassDeclaration, real.SyntaxKind.ClassDeclaration);
        assert.ok("forEachChild" in ts);
        assert.strictEqual(cache[SHIM], undefined, "the stand-in removed itself before loading the real shim");
        // What the SDK's closure serialiser does with it (parseFunction.js).
        const file = ts.createSourceFile("", "class A { constructor() { super.x(); } }", ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
        assert.ok(file.statements.some((s) => ts.isClassDeclaration(s)));
    });

    it("leaves a shim that is already loaded alone", () => {
        const loaded = { loaded: true, exports: { already: true } } as unknown as NodeJS.Module;
        const cache: NodeJS.Dict<NodeJS.Module> = { [SHIM]: loaded };
        deferSdkTypeScript(cache);
        assert.strictEqual(cache[SHIM], loaded);
    });

    it("finds the shim in the pinned SDK, and does nothing where an SDK has none", () => {
        assert.strictEqual(TYPESCRIPT_SHIM, SHIM, "@pulumi/pulumi moved typescript-shim: the plan loads TypeScript at start again");
        const cache: NodeJS.Dict<NodeJS.Module> = {};
        deferSdkTypeScript(cache, null);
        assert.deepStrictEqual(Object.keys(cache), []);
    });
});
