/**
 * @pulumi/pulumi's runtime/config.js exports `isConfigSecret` (which config keys were `secure:` in the
 * stack file; the SDK's own Config uses it), but runtime/config.d.ts leaves it out. This declares the
 * one function stacks/load.ts uses, so it is called typed rather than through a cast. A test
 * (test/stacks/program.test.ts) calls it, so an SDK that drops it fails the build.
 */
import "@pulumi/pulumi/runtime/config";

declare module "@pulumi/pulumi/runtime/config" {
    /** Whether the full config key (`project:name`) holds a secret value. */
    export function isConfigSecret(key: string): boolean;
}
