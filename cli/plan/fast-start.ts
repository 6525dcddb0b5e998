/**
 * Imported first by the plan's command line (cli/plan/cli.ts), before anything loads the Pulumi
 * SDK, when it runs from the JavaScript copy in out/build (under ts-node, in the tests, it does
 * nothing: ts-node needs TypeScript anyway).
 *
 * The SDK's closure serialiser parses functions with TypeScript and loads the whole compiler
 * (9 MB of JavaScript, about 0.5 s of CPU, a third of the SDK's load) as soon as @pulumi/pulumi is
 * imported, through `@pulumi/pulumi/typescript-shim`. The plan never serialises a function, so
 * the shim's place in the module cache is taken by a stand-in that loads the real shim on first
 * use. Measured in docs/benchmarks.md ("Start"), with Node's compile cache, which did not help.
 */
import Module from "module";
import { runningBuilt } from "../shared/program-entry";

/**
 * The SDK module that loads TypeScript, resolved as the SDK's own `require` would; null if an
 * SDK release moves it (the plan then only starts slower; test/plan/fast-start.test.ts notices).
 */
export const TYPESCRIPT_SHIM: string | null = resolveShim();

function resolveShim(): string | null {
    try {
        return require.resolve("@pulumi/pulumi/typescript-shim");
    } catch {
        return null;
    }
}

/**
 * Puts a stand-in for the SDK's TypeScript shim into the module cache, unless the shim is loaded
 * already. The stand-in forwards every property read to the real shim, which it loads (with the
 * shim's own fallback to the TypeScript the SDK vendors) the first time anything reads one.
 */
export function deferSdkTypeScript(cache: NodeJS.Dict<NodeJS.Module> = require.cache, shim: string | null = TYPESCRIPT_SHIM): void {
    if (shim === null || cache[shim]) return;
    let real: object | undefined;
    const load = (): object => {
        if (real === undefined) {
            delete cache[shim];
            const loaded: unknown = new Module(shim).require(shim);
            if (typeof loaded !== "object" || loaded === null) throw new Error(`${shim} exported no TypeScript module`);
            real = loaded;
        }
        return real;
    };
    const standIn = new Module(shim);
    standIn.filename = shim;
    standIn.loaded = true;
    standIn.exports = new Proxy(
        {},
        {
            get: (_, key): unknown => Reflect.get(load(), key),
            has: (_, key) => Reflect.has(load(), key),
        },
    );
    cache[shim] = standIn;
}

if (runningBuilt) deferSdkTypeScript();
