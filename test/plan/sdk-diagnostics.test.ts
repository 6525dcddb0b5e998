import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";
import { skipSdkDiagnostics } from "../../cli/plan/sdk-diagnostics";

interface Diagnostics {
    debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T>;
    stackTrace: (skip: number) => unknown[];
}
const sdkModule = debuggable as unknown as Diagnostics;
const resourceClass = pulumi.Resource as unknown as Diagnostics;

describe("plan: the SDK's per-promise and per-resource diagnostics skipped", () => {
    it("hands promises through unwrapped and takes no stack trace while skipped, and puts the SDK's back", async () => {
        const wrap = sdkModule.debuggablePromise;
        const trace = resourceClass.stackTrace;
        const promise = Promise.resolve(1);
        assert.notStrictEqual(wrap(promise, "label"), promise, "the SDK wraps a promise in another");
        const restore = skipSdkDiagnostics();
        try {
            assert.strictEqual(sdkModule.debuggablePromise(promise, "label"), promise);
            assert.deepStrictEqual(resourceClass.stackTrace(4), []);
        } finally {
            restore();
        }
        assert.strictEqual(sdkModule.debuggablePromise, wrap);
        assert.strictEqual(resourceClass.stackTrace, trace);
        assert.strictEqual(await wrap(promise, "label"), 1);
    });
});
