/**
 * Runs the real FluxPilot program under Pulumi's mock runtime and records every resource it
 * registers, with the options the engine would see (parent, provider, dependencies, protect).
 * Shared by the offline plan (`npm run plan`) and the mocha tests.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { recordOrEmpty } from "../core/guards";
import { currentFixtures } from "./fixtures";

/** One registration as the engine received it. */
export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** URN of the parent, or "" for resources at the stack root. */
    parent: string;
    /** URN of the explicit provider, or "" when the default provider is used. */
    provider: string;
    /** URNs this resource depends on (explicit dependsOn and input dependencies). */
    dependencies: string[];
    protect: boolean;
    /** Input paths whose changes the engine ignores after creation (`ignoreChanges`); always recorded, optional for hand-built registrations. */
    ignoreChanges?: string[];
    /** Whether a replacement deletes the old resource before creating the new one. */
    deleteBeforeReplace?: boolean;
    /** Whether a delete only forgets the resource and leaves it in the cloud (`retainOnDelete`). */
    retainOnDelete?: boolean;
    /** The cloud ID the resource is adopted from (`import`), or "" when it is created. */
    importId?: string;
    /** Inputs after Pulumi serialisation: secrets are wrapped, unknowns kept as markers. */
    inputs: Record<string, unknown>;
}

export interface OfflineRuntimeOptions {
    project: string;
    stack: string;
    /** true behaves like `pulumi preview`: outputs the cloud computes stay unknown. */
    preview: boolean;
    /** Full config keys (`fluxpilot:clusters`) to values; objects are stored as JSON, as the CLI does. */
    config?: Record<string, unknown>;
    /** Config keys whose values are secret (`secure:` in the stack file). */
    secretKeys?: string[];
}

const registered: RegisteredResource[] = [];
/** Output names each component passed to `registerOutputs` (undefined values included). */
const registeredOutputs = new WeakMap<pulumi.ComponentResource, string[]>();

export function registeredResources(): readonly RegisteredResource[] {
    return registered;
}

/** The names a component passed to `registerOutputs` (undefined when it never called it). */
export function registeredOutputNames(component: pulumi.ComponentResource): readonly string[] | undefined {
    return registeredOutputs.get(component);
}

/** Forgets what was recorded; the runtime and its mocks stay installed. */
export function clearRegisteredResources(): void {
    registered.length = 0;
}

/** Sets the stack config that `pulumi.Config` reads, replacing what was there. */
export function setStackConfig(config: Record<string, unknown>, secretKeys: string[] = []): void {
    const flattened: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        flattened[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(flattened, secretKeys);
}

/**
 * Installs the mocks and starts recording. The SDK's setMocks does its work before it returns, so a
 * program module loaded right after this call already sees the mocks; the promise says whether the
 * SDK accepted them. Await it (test/setup.ts does, in mocha's root hook): a failed install rejects
 * with the SDK's error instead of surfacing later as a stray unhandled rejection.
 * `setMocks` is the SDK's own unless a test passes one that fails.
 */
export function installOfflineRuntime(options: OfflineRuntimeOptions, setMocks = pulumi.runtime.setMocks): Promise<void> {
    setStackConfig(options.config ?? {}, options.secretKeys ?? []);
    // Taken once per install: a provider registered afterwards needs the runtime installed again.
    const fixtures = currentFixtures();
    const mocks: pulumi.runtime.Mocks = {
        newResource(args) {
            // The SDK hands mocks their inputs as `any`; they are the deserialised property map.
            const inputs = recordOrEmpty(args.inputs);
            const computed = options.preview ? {} : (fixtures.computedOutputs.get(args.type)?.(args.name, inputs) ?? {});
            // In preview an empty id is unknown, as it is for a resource not yet created.
            const id = options.preview ? "" : `${args.name}-id`;
            return { id: args.custom === false ? undefined : id, state: { ...inputs, ...computed } };
        },
        call(args) {
            const fixture = fixtures.invokes.get(args.token);
            if (!fixture) {
                // The SDK reads a failed invoke's message from `details`, as a gRPC error carries it.
                const message = `no offline fixture for provider call ${args.token}; add one to the offline fixtures of the cluster provider (or the Flux bootstrap) that makes it`;
                throw Object.assign(new Error(message), { details: message });
            }
            return fixture(recordOrEmpty(args.inputs));
        },
    };
    const installed = setMocks(mocks, options.project, options.stack, options.preview);
    recordRegistrations();
    recordComponentOutputs();
    return installed.catch((error: unknown) => {
        throw new Error(`the offline runtime (Pulumi's mocks) could not be installed for stack ${options.stack}: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
        });
    });
}

/** The part of Pulumi's mock monitor that every registration goes through. */
interface RegistrationMonitor {
    registerResource(request: RegisterResourceRequest, callback: (error: Error | null, response?: RegisterResourceResponse) => void): void;
}

function isRegistrationMonitor(monitor: unknown): monitor is RegistrationMonitor {
    return typeof monitor === "object" && monitor !== null && typeof (monitor as Partial<RegistrationMonitor>).registerResource === "function";
}

/** Wraps the mock monitor so that each registration's options are recorded, not only its inputs. */
function recordRegistrations(): void {
    // Seen as the mock monitor it is (MockMonitor's callback-style registerResource), not as the gRPC client type.
    const monitor: unknown = pulumi.runtime.getMonitor();
    if (!isRegistrationMonitor(monitor)) throw new Error("the offline runtime found no Pulumi mock monitor to record registrations from");
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        const object = req.getObject();
        const inputs: Record<string, unknown> = object ? pulumi.runtime.deserializeProperties(object, true) : {};
        register(req, (err, resp) => {
            if (!err && resp) {
                registered.push({
                    urn: resp.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent(),
                    provider: req.getProvider(),
                    dependencies: [...req.getDependenciesList()].sort(),
                    protect: req.getProtect() === true,
                    ignoreChanges: [...req.getIgnorechangesList()],
                    deleteBeforeReplace: req.getDeletebeforereplace() === true,
                    retainOnDelete: req.getRetainondelete() === true,
                    importId: req.getImportid() ?? "",
                    inputs,
                });
            }
            callback(err, resp);
        });
    };
}

/** Records what each component passes to `registerOutputs`, before the engine drops undefined values. */
function recordComponentOutputs(): void {
    const prototype = pulumi.ComponentResource.prototype as unknown as { registerOutputs: (outputs?: unknown) => void; fluxpilotRecorded?: boolean };
    if (prototype.fluxpilotRecorded) return;
    const original = prototype.registerOutputs;
    prototype.registerOutputs = function (this: pulumi.ComponentResource, outputs?: unknown) {
        if (outputs && typeof outputs === "object") registeredOutputs.set(this, Object.keys(outputs).sort());
        return original.call(this, outputs);
    };
    prototype.fluxpilotRecorded = true;
}
