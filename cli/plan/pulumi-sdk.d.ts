/**
 * What the offline plan uses of @pulumi/pulumi that exists at run time but not in its type
 * declarations, declared here instead of reached through `any`.
 *
 * Members every Output carries at run time (OutputImpl in @pulumi/pulumi's output.js) that the
 * SDK's public type leaves out. The offline plan reads them to tell a secret, an unknown and a
 * known value apart without resolving the output the way `apply` would; test/plan checks the
 * results, so an SDK that renames them fails the build.
 */
import "@pulumi/pulumi/output";
import "@pulumi/pulumi/runtime/settings";

declare module "@pulumi/pulumi/output" {
    interface OutputInstance<T> {
        /** Resolves to whether every part of the value is known (false in a preview for cloud-computed values). */
        readonly isKnown: Promise<boolean>;
        /** Resolves to whether the value is secret. */
        readonly isSecret: Promise<boolean>;
        /** The value; with `withUnknowns`, unknown parts are kept as markers instead of resolving to undefined. */
        promise(withUnknowns?: boolean): Promise<T>;
    }
}

/** runtime/settings.js exports it (the SDK awaits it before a program ends); runtime/settings.d.ts omits it. */
declare module "@pulumi/pulumi/runtime/settings" {
    /** Resolves once every resource registration and invoke in flight has finished. */
    export function waitForRPCs(): Promise<void>;
}
