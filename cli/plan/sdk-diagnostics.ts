/**
 * Diagnostics the Pulumi SDK computes for every resource and every output property, which the
 * offline plan never reads: turned off while the plan runs, unless --verbose (measured in
 * docs/benchmarks.md, "Scale").
 *
 * - `debuggablePromise` (runtime/debuggable.js) wraps each of the four promises that every output
 *   property of every resource gets (rpc.js transferProperties) in two more promises, with a label
 *   string and a stack trace, to name the promises still pending when the process exits. The plan
 *   names a program that never finishes itself (cli.ts, beforeExit).
 * - `Resource.stackTrace` (resource.js) parses a stack trace of unlimited depth for every resource
 *   to send the engine its source position; the mock runtime records none.
 */
import * as pulumi from "@pulumi/pulumi";
import * as debuggable from "@pulumi/pulumi/runtime/debuggable";

type PromiseWrapper = <T>(promise: Promise<T>, context: unknown) => Promise<T>;

/** The two SDK members replaced; neither is in the SDK's type declarations (both are internal). */
interface Diagnostics {
    debuggablePromise: PromiseWrapper;
    stackTrace: (skip: number) => unknown[];
}

/** The SDK's own module objects (compiled TypeScript: `import * as` yields the module's exports itself). */
const debuggableModule = debuggable as unknown as Partial<Diagnostics>;
const resourceClass = pulumi.Resource as unknown as Partial<Diagnostics>;

/** Replaces the diagnostics with no-ops; returns a function that puts the SDK's back. */
export function skipSdkDiagnostics(): () => void {
    const { debuggablePromise } = debuggableModule;
    const { stackTrace } = resourceClass;
    if (typeof debuggablePromise !== "function" || typeof stackTrace !== "function") {
        throw new Error("@pulumi/pulumi no longer has runtime/debuggable.debuggablePromise and Resource.stackTrace; update cli/plan/sdk-diagnostics.ts");
    }
    debuggableModule.debuggablePromise = (promise) => promise;
    resourceClass.stackTrace = () => [];
    return () => {
        debuggableModule.debuggablePromise = debuggablePromise;
        resourceClass.stackTrace = stackTrace;
    };
}
