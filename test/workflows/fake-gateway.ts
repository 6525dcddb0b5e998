/**
 * A `PulumiGateway` that records every call and plays back what each stack's operations
 * should report (engine output, engine events, results or errors). Errors are the Automation
 * API's own classes, built from CLI text by its own `createCommandError`.
 */
import type { EngineEvent, OpMap, OutputMap } from "@pulumi/pulumi/automation";
import { OpenStackOptions, PulumiGateway, StackOperations } from "../../cli/fluxpilot/gateway";

export interface ScriptedRun {
    /** Chunks passed to onOutput, in order. */
    output?: string[];
    events?: Partial<EngineEvent>[];
    changes?: OpMap;
    outputs?: OutputMap;
    error?: Error;
    /** Advances the fake clock by this many milliseconds while "running". */
    takesMs?: number;
    /** Leave out the engine's summary event (sent by default when the run succeeds). */
    noSummary?: boolean;
    /** Keep running until the operation's abort signal fires (then stop as cancelled), or for ever with "ignore". */
    hangs?: "until-cancelled" | "ignore";
}

export interface StackScript {
    openError?: Error;
    preview?: ScriptedRun | ScriptedRun[];
    previewRefresh?: ScriptedRun | ScriptedRun[];
    up?: ScriptedRun;
    destroy?: ScriptedRun;
    refresh?: ScriptedRun;
    outputs?: OutputMap;
}

export interface RecordedCall {
    method: string;
    stack?: string;
    /** Options without the callbacks; `callbacks` says which were passed. */
    options?: Record<string, unknown>;
    callbacks?: string[];
}

export class FakeClock {
    time = 1_000_000;
    readonly now = () => this.time;
}

export class FakeGateway implements PulumiGateway {
    readonly calls: RecordedCall[] = [];
    /** Points operations reached (`hanging up dev`, `invoked up dev`), and who waits to see one. */
    private readonly reachedNow = new Set<string>();
    private readonly reachWaiters = new Map<string, (() => void)[]>();

    constructor(
        private readonly scripts: Record<string, StackScript>,
        private readonly clock = new FakeClock(),
        private readonly cli: { version?: string; error?: Error } = {},
    ) {}

    /** Calls as `method stack` strings, for ordering assertions. */
    sequence(): string[] {
        return this.calls.map((c) => (c.stack ? `${c.method} ${c.stack}` : c.method));
    }

    async cliVersion(): Promise<string> {
        this.calls.push({ method: "cliVersion" });
        if (this.cli.error) throw this.cli.error;
        return this.cli.version ?? "3.200.0";
    }

    async openStack(stack: string, options: OpenStackOptions): Promise<StackOperations> {
        this.calls.push({ method: "openStack", stack, options: { ...options } });
        const script = this.scripts[stack] ?? {};
        if (script.openError) throw script.openError;
        const play = (method: string, runs: ScriptedRun | ScriptedRun[] | undefined, options: Record<string, any>) => this.play(stack, method, runs, options);
        return {
            preview: async (o) => ({ changeSummary: (await play("preview", script.preview, o)).changes ?? {} }),
            previewRefresh: async (o) => ({ changeSummary: (await play("previewRefresh", script.previewRefresh, o)).changes ?? {} }),
            up: async (o) => {
                const run = await play("up", script.up, o);
                return { summary: summary("update", run.changes), outputs: run.outputs ?? {} };
            },
            destroy: async (o) => ({ summary: summary("destroy", (await play("destroy", script.destroy, o)).changes) }),
            refresh: async (o) => ({ summary: summary("refresh", (await play("refresh", script.refresh, o)).changes) }),
            outputs: async () => {
                this.calls.push({ method: "outputs", stack });
                return script.outputs ?? {};
            },
        };
    }

    /**
     * Resolves once `method` of `stack` hangs with its abort listener in place: from then on an
     * abort reaches it. Tests cancel after this, not after a sleep: the operation starts a turn of
     * the event loop later (see play), and on a loaded machine a short timer can fire before that
     * turn, so the abort would land before the listener and the operation would never hear it.
     */
    hanging(stack: string, method: string): Promise<void> {
        return this.reached(`hanging ${method} ${stack}`);
    }

    /**
     * Resolves as soon as the orchestration has called `method` of `stack`, before the operation
     * listens for an abort (as the Automation API, which listens only once `pulumi` has started).
     */
    invoked(stack: string, method: string): Promise<void> {
        return this.reached(`invoked ${method} ${stack}`);
    }

    private reached(point: string): Promise<void> {
        if (this.reachedNow.has(point)) return Promise.resolve();
        return new Promise((resolve) => this.reachWaiters.set(point, [...(this.reachWaiters.get(point) ?? []), resolve]));
    }

    private reach(point: string): void {
        this.reachedNow.add(point);
        for (const resolve of this.reachWaiters.get(point) ?? []) resolve();
        this.reachWaiters.delete(point);
    }

    private readonly played = new Map<string, number>();
    /** Operations running now, and the most that ever ran at once (for --concurrency). */
    private inFlight = 0;
    maxInFlight = 0;

    private async play(stack: string, method: string, runs: ScriptedRun | ScriptedRun[] | undefined, options: Record<string, any>): Promise<ScriptedRun> {
        this.inFlight += 1;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        try {
            this.reach(`invoked ${method} ${stack}`);
            // One turn of the event loop, as a real operation takes: others may start meanwhile.
            await new Promise((resolve) => setImmediate(resolve));
            return await this.playNow(stack, method, runs, options);
        } finally {
            this.inFlight -= 1;
        }
    }

    private async playNow(stack: string, method: string, runs: ScriptedRun | ScriptedRun[] | undefined, options: Record<string, any>): Promise<ScriptedRun> {
        const { onOutput, onEvent, onError, signal, ...rest } = options;
        const callbacks = [onOutput && "onOutput", onError && "onError", onEvent && "onEvent"].filter((c): c is string => Boolean(c));
        this.calls.push({ method, stack, options: rest, callbacks });
        // A list plays one entry per call (e.g. promote's drift check after an earlier preview).
        const key = `${stack} ${method}`;
        const index = this.played.get(key) ?? 0;
        this.played.set(key, index + 1);
        const run = (Array.isArray(runs) ? runs[Math.min(index, runs.length - 1)] : runs) ?? {};
        for (const chunk of run.output ?? []) onOutput?.(chunk);
        for (const [sequence, event] of (run.events ?? []).entries()) onEvent?.({ sequence, timestamp: 0, ...event });
        this.clock.time += run.takesMs ?? 0;
        if (run.hangs === "ignore") await new Promise(() => undefined);
        if (run.hangs === "until-cancelled") {
            this.calls.push({ method: `${method} waits`, stack });
            const aborted = new Promise<void>((resolve) => (signal as AbortSignal).addEventListener("abort", () => resolve(), { once: true }));
            this.reach(`hanging ${method} ${stack}`);
            await aborted;
            this.calls.push({ method: `${method} interrupted`, stack });
            throw automationError("error: update canceled by user", "", 255);
        }
        if (run.error) throw run.error;
        if (!run.noSummary) {
            const summaryEvent = { maybeCorrupt: false, durationSeconds: 1, resourceChanges: run.changes ?? {}, policyPacks: {} };
            onEvent?.({ sequence: run.events?.length ?? 0, timestamp: 0, summaryEvent });
        }
        return run;
    }
}

function summary(kind: "update" | "destroy" | "refresh", changes: OpMap | undefined) {
    return {
        kind,
        startTime: new Date(0),
        endTime: new Date(0),
        message: "",
        environment: {},
        config: {},
        result: "succeeded" as const,
        version: 1,
        resourceChanges: changes,
    };
}

// The Automation API builds its errors from the CLI's result; use the same code path.
const { createCommandError } = require("@pulumi/pulumi/automation/errors");
const { CommandResult } = require("@pulumi/pulumi/automation/cmd");

/** The error the Automation API throws for a CLI run with this output. */
export function automationError(stderr: string, stdout = "", code = 255): Error {
    return createCommandError(new CommandResult(stdout, stderr, code));
}

export function urn(stack: string, type: string, name: string, parentType?: string): string {
    const qualified = parentType ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::fluxpilot::${qualified}::${name}`;
}

export function stepEvent(op: string, resourceUrn: string, diffs: string[] = []): Partial<EngineEvent> {
    return { resourcePreEvent: { metadata: { op: op as any, urn: resourceUrn, type: "", provider: "", diffs } } };
}

export function errorDiagnostic(resourceUrn: string | undefined, message: string): Partial<EngineEvent> {
    return { diagnosticEvent: { urn: resourceUrn, message, color: "never", severity: "error" } };
}

export function failedEvent(resourceUrn: string): Partial<EngineEvent> {
    return { resOpFailedEvent: { metadata: { op: "create", urn: resourceUrn, type: "", provider: "" }, status: 1, steps: 1 } };
}
