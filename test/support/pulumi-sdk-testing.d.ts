/**
 * A test hook @pulumi/pulumi exports at run time but marks internal in its declarations. The SDK's
 * own comment on `isDryRun` names it: "When writing unit tests, you can set this flag via either
 * `setMocks` or `_setIsDryRun`" (runtime/settings.js).
 */
import "@pulumi/pulumi/runtime/settings";

declare module "@pulumi/pulumi/runtime/settings" {
    /** Makes `isDryRun()` answer `dryRun`, as in a preview (true) or an update (false). */
    export function _setIsDryRun(dryRun: boolean): void;
}
