/**
 * Runs subcommands over stacks through a `PulumiGateway`: order, gating, option mapping and
 * the result document. Nothing here talks to Pulumi directly, so all of it is tested with a
 * fake gateway that records calls.
 */
import type { PreviewOptions, RefreshOptions, UpOptions } from "@pulumi/pulumi/automation";
import { CommandLine, DEFAULT_TIMEOUT_MS, Operation, PROMOTION_ORDER, RunnableCommand, runnableCommand, stackFileName } from "./args";
import { BackendChoice } from "./backend";
import { ErrorCode, ExitCode, exitCodeFor, FluxpilotError, mapPulumiError } from "./errors";
import { changeCount, EventLog, ResourceChange } from "./events";
import { OpMap, OutputMap, PulumiGateway, StackOperations, StackValidator } from "./gateway";
import { relayAbort } from "./late-abort";

export type StepStatus = "succeeded" | "failed" | "drifted" | "skipped" | "cancelled";

export interface ChangeCounts {
    created: number;
    updated: number;
    replaced: number;
    deleted: number;
    unchanged: number;
}

/** A stack output as reported: secret values are replaced before they reach any report. */
export interface ReportedOutput {
    secret: boolean;
    value: unknown;
}

export const SECRET_PLACEHOLDER = "[secret]";

export interface ErrorReport {
    code: ErrorCode;
    message: string;
    details: string[];
    resource?: string;
}

export interface StepResult {
    stack: string;
    operation: Operation;
    status: StepStatus;
    durationMs?: number;
    changes?: ChangeCounts;
    outputs?: Record<string, ReportedOutput>;
    /** Resources that differ, for `drift` (and the drift check of `promote`). */
    drift?: ResourceChange[];
    error?: ErrorReport;
    /** Why a step was skipped. */
    reason?: string;
    /**
     * What an interrupted or timed-out operation left behind: whether Pulumi stopped (and so
     * released the stack's lock) and what to do next.
     */
    interrupted?: InterruptReport;
}

export interface InterruptReport {
    /** What stopped it: the signal FluxPilot received, or its own --timeout. */
    by: string;
    /** Whether Pulumi exited within --cancel-wait after its one interrupt. */
    pulumiStopped: boolean;
    /** "released" when Pulumi stopped (it unlocks on the way out), else "may be held". */
    lock: "released" | "may be held";
    /** What to run next, naming the lock when it may be held. */
    next: string;
}

export interface RunReport {
    /** null when the command line could not be parsed. */
    subcommand: CommandLine["subcommand"] | null;
    ok: boolean;
    exitCode: number;
    backend: string;
    cliVersion?: string;
    results: StepResult[];
    /** An error that stopped the run before any stack ran (missing CLI, ...). */
    error?: ErrorReport;
    /** Set when a signal cancelled the run: which one, and whether every Pulumi process stopped. */
    cancelled?: { signal: string; pulumiStopped: boolean };
}

/** Live progress: raw engine output and one-line status messages, per stack. */
export interface ProgressSink {
    output(stack: string, text: string): void;
    /** Pulumi's own stderr, streamed as it comes (warnings, errors, the reason it stopped). */
    errorOutput(stack: string, text: string): void;
    status(stack: string, text: string): void;
}

export interface RunContext {
    gateway: PulumiGateway;
    validator: StackValidator;
    progress: ProgressSink;
    backend: BackendChoice;
    /** Milliseconds, for durations; injected so tests are deterministic. */
    now: () => number;
    /** Colour of the engine's own output: "never" when it goes to a file or a pipe. */
    color: "always" | "never" | "auto";
    /**
     * Aborted (with a CancelReason, or the signal's name) when the run is to be cancelled. Each
     * running operation then passes it on to the Automation API once, which sends Pulumi one
     * SIGINT, unless the reason says Pulumi received the signal itself.
     */
    cancel?: AbortSignal;
    /** The policy pack options of a stack's preview and up (cli/fluxpilot/policy.ts); none when absent. */
    policyPack?: (stack: string) => Pick<PreviewOptions, "policyPacks" | "policyPackConfigs">;
}

/** Why a run is cancelled; its string form is the signal's name. */
export class CancelReason {
    constructor(
        readonly signal: string,
        /** True when Pulumi got the same signal directly (a terminal's Ctrl-C): do not send another. */
        readonly reachedPulumi = false,
    ) {}

    toString(): string {
        return this.signal;
    }
}

/** Operations that change infrastructure: with several stacks, the first failure stops the rest. */
const MUTATING: ReadonlySet<Operation> = new Set(["up", "destroy"]);
/** Operations that only read: several stacks may run at once (--concurrency). */
const CONCURRENT: ReadonlySet<Operation> = new Set(["preview", "refresh", "drift"]);

export async function run(given: CommandLine, stacks: readonly string[], context: RunContext): Promise<RunReport> {
    const command = runnableCommand(given);
    const backend = context.backend.url || `(${context.backend.source})`;
    const base = { subcommand: command.subcommand, backend };
    let cliVersion: string;
    try {
        cliVersion = await context.gateway.cliVersion();
    } catch (error) {
        return failedRun(base, mapPulumiError(error, { stack: "", operation: "pulumi version", backend: context.backend.url }));
    }

    const invalid = await validateAll(stacks, firstOperation(command), context);
    if (invalid.length > 0) {
        const results = stacks.map(
            (stack): StepResult =>
                invalid.find((r) => r.stack === stack) ?? {
                    stack,
                    operation: firstOperation(command),
                    status: "skipped",
                    reason: "not run: another stack's configuration is invalid",
                },
        );
        return finish({ ...base, cliVersion }, results);
    }

    const runner = new StepRunner(command, context);
    const results =
        command.subcommand === "promote"
            ? await promote(command, runner)
            : CONCURRENT.has(command.subcommand) && command.concurrency > 1
              ? await runConcurrently(command.subcommand, stacks, runner, command.concurrency)
              : await runEach(command.subcommand, stacks, runner);
    const report = finish({ ...base, cliVersion }, results);
    // A signal cancels the run even when the operation it hit finished anyway: later stacks did not run.
    if (context.cancel?.aborted) {
        const pulumiStopped = results.every((r) => r.interrupted?.pulumiStopped !== false);
        return { ...report, ok: false, exitCode: ExitCode.cancelled, cancelled: { signal: String(context.cancel.reason), pulumiStopped } };
    }
    return report;
}

/** The stacks a promotion touches: an optional gate (the stage before --from) and the stages. */
export function promotionStages(command: Pick<CommandLine, "from" | "to">): { gate?: string; stages: string[] } {
    const order: readonly string[] = PROMOTION_ORDER;
    const first = command.from ? order.indexOf(command.from) : 0;
    const last = command.to ? order.indexOf(command.to) : order.length - 1;
    return { gate: first > 0 ? order[first - 1] : undefined, stages: order.slice(first, last + 1) };
}

async function promote(command: CommandLine, runner: StepRunner): Promise<StepResult[]> {
    const { gate, stages } = promotionStages(command);
    const results: StepResult[] = [];
    let blocker: string | undefined;
    if (gate) {
        // Resuming mid-way: the stage before must still be clean before the next one is touched.
        const check = await runner.step(gate, "drift");
        results.push(check);
        blocker = blockingReason(check);
    }
    for (const stack of stages) {
        if (blocker) {
            results.push({ stack, operation: "up", status: "skipped", reason: blocker });
            continue;
        }
        const update = await runner.step(stack, "up");
        results.push(update);
        blocker = blockingReason(update);
        if (blocker) continue;
        const check = await runner.step(stack, "drift");
        results.push(check);
        blocker = blockingReason(check);
    }
    return results;
}

function blockingReason(result: StepResult): string | undefined {
    if (result.status === "cancelled") return `${result.stack} ${result.operation} was cancelled`;
    if (result.status === "failed") return `${result.stack} ${result.operation} failed`;
    if (result.status === "drifted") return `${result.stack} shows drift`;
    return undefined;
}

async function runEach(operation: Operation, stacks: readonly string[], runner: StepRunner): Promise<StepResult[]> {
    const results: StepResult[] = [];
    let stoppedBy: StepResult | undefined;
    for (const stack of stacks) {
        if (stoppedBy) {
            const what = stoppedBy.status === "cancelled" ? "was cancelled" : "failed";
            results.push({ stack, operation, status: "skipped", reason: `not run: ${stoppedBy.stack} ${operation} ${what}` });
            continue;
        }
        const result = await runner.step(stack, operation);
        results.push(result);
        if (result.status === "failed" && MUTATING.has(operation)) stoppedBy = result;
        if (result.status === "cancelled") stoppedBy = result;
    }
    return results;
}

/**
 * Runs a read-only operation over the stacks, at most `limit` at a time; results keep the
 * order the stacks were named in. A cancelled run starts no further stack (StepRunner skips it).
 */
async function runConcurrently(operation: Operation, stacks: readonly string[], runner: StepRunner, limit: number): Promise<StepResult[]> {
    const results: StepResult[] = new Array<StepResult>(stacks.length);
    let next = 0;
    const worker = async (): Promise<void> => {
        for (let index = next++; index < stacks.length; index = next++) {
            results[index] = await runner.step(stacks[index], operation);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, stacks.length) }, worker));
    return results;
}

async function validateAll(stacks: readonly string[], operation: Operation, context: RunContext): Promise<StepResult[]> {
    const invalid: StepResult[] = [];
    for (const stack of stacks) {
        try {
            await context.validator.validate(stackFileName(stack));
        } catch (error) {
            const mapped = mapPulumiError(error, { stack, operation: "validate", backend: context.backend.url });
            invalid.push({ stack, operation, status: "failed", error: errorReport(mapped) });
        }
    }
    return invalid;
}

function firstOperation(command: RunnableCommand): Operation {
    return command.subcommand === "promote" ? "up" : command.subcommand;
}

/** Runs one operation on one stack and turns whatever happens into a `StepResult`. */
class StepRunner {
    private readonly handles = new Map<string, Promise<StackOperations>>();

    constructor(
        private readonly command: CommandLine,
        private readonly context: RunContext,
    ) {}

    async step(stack: string, operation: Operation): Promise<StepResult> {
        const { progress, now, cancel } = this.context;
        if (cancel?.aborted) return { stack, operation, status: "skipped", reason: `not run: cancelled by ${String(cancel.reason)}` };
        const log = new EventLog();
        const started = now();
        progress.status(stack, `${operation} started`);
        // One controller per operation: aborted at most once, by a signal or by the time limit,
        // and the Automation API turns that abort into exactly one SIGINT for Pulumi.
        const stop = new AbortController();
        const onCancel = () => {
            if (!(cancel?.reason instanceof CancelReason && cancel.reason.reachedPulumi)) stop.abort(String(cancel?.reason));
        };
        cancel?.addEventListener("abort", onCancel, { once: true });
        const limitMs = this.command.timeoutMs ?? DEFAULT_TIMEOUT_MS[operation];
        const timer = setTimeout(() => stop.abort(TIMEOUT), limitMs);
        try {
            const handle = await this.open(stack);
            // Cancelled while the stack was being selected: start nothing. (An AbortSignal that is
            // already aborted would never reach Pulumi: the Automation API only listens for "abort".)
            if (cancel?.aborted || stop.signal.aborted) {
                const by = String(stop.signal.aborted ? stop.signal.reason : cancel?.reason);
                return { stack, operation, status: "skipped", reason: `not run: ${by === TIMEOUT ? "timed out while selecting the stack" : `cancelled by ${by}`}` };
            }
            const work = this.perform(handle, stack, operation, log, stop.signal);
            const stopping = cancel ? AbortSignal.any([stop.signal, cancel]) : stop.signal;
            const outcome = await settleWithin(work, stopping, this.command.cancelWaitMs);
            const by = () => String(stop.signal.aborted ? stop.signal.reason : cancel?.reason);
            if (outcome === STILL_RUNNING) return this.interrupted(stack, operation, by(), false, limitMs, now() - started);
            return { stack, operation, durationMs: now() - started, ...outcome };
        } catch (error) {
            if (stop.signal.aborted || cancel?.aborted) {
                return this.interrupted(stack, operation, String(stop.signal.aborted ? stop.signal.reason : cancel?.reason), true, limitMs, now() - started);
            }
            const mapped = mapPulumiError(error, { stack, operation, backend: this.context.backend.url, log });
            return { stack, operation, status: "failed", durationMs: now() - started, error: errorReport(mapped) };
        } finally {
            clearTimeout(timer);
            cancel?.removeEventListener("abort", onCancel);
        }
    }

    /** The result of an operation stopped by a signal or its time limit. */
    private interrupted(stack: string, operation: Operation, by: string, pulumiStopped: boolean, limitMs: number, durationMs: number): StepResult {
        const timedOut = by === TIMEOUT;
        const interrupted = interruptReport(stack, operation, timedOut ? "--timeout" : by, pulumiStopped, this.context.backend.url, this.command.cancelWaitMs);
        this.context.progress.status(stack, `${operation} ${timedOut ? "timed out" : "cancelled"}: ${interrupted.next}`);
        if (timedOut) {
            const message = `${operation} of stack "${stack}" did not finish within ${formatLimit(limitMs)} (--timeout); Pulumi was asked to cancel it. ${interrupted.next}`;
            return { stack, operation, status: "failed", durationMs, error: { code: "timed-out", message, details: [] }, interrupted };
        }
        const message = `${operation} of stack "${stack}" was cancelled by ${by}. ${interrupted.next}`;
        return { stack, operation, status: "cancelled", durationMs, error: { code: "cancelled", message, details: [] }, interrupted };
    }

    private open(stack: string): Promise<StackOperations> {
        let handle = this.handles.get(stack);
        if (!handle) {
            handle = this.context.gateway.openStack(stack, { create: this.command.create });
            this.handles.set(stack, handle);
        }
        return handle;
    }

    private async perform(
        handle: StackOperations,
        stack: string,
        operation: Operation,
        log: EventLog,
        signal: AbortSignal,
    ): Promise<Omit<StepResult, "stack" | "operation" | "durationMs">> {
        const options = {
            ...automationOptions(this.command, operation, {
                onOutput: (text: string) => this.context.progress.output(stack, text),
                onError: (text: string) => this.context.progress.errorOutput(stack, text),
                onEvent: log.record,
                color: this.context.color,
            }),
            // CrossGuard runs on what changes infrastructure: preview and up.
            ...(operation === "preview" || operation === "up" ? this.context.policyPack?.(stack) : undefined),
            // A cancel before Pulumi has started must still reach it (late-abort.ts).
            signal: relayAbort(signal),
        };
        // Counts come from the engine's own summary event; the stack history (which the
        // Automation API reads after an update) can be empty, so it is only the fallback.
        const applied = (history: { resourceChanges?: OpMap } | undefined) => {
            const summary = log.summary ?? history;
            return summary ? { changes: countChanges(summary.resourceChanges) } : {};
        };
        switch (operation) {
            case "preview": {
                await handle.preview(options);
                return { status: "succeeded", changes: countChanges(requireSummary(log, stack, operation)) };
            }
            case "up": {
                const result = await handle.up(options);
                return { status: "succeeded", ...applied(result.summary), outputs: reportOutputs(result.outputs) };
            }
            case "destroy": {
                const result = await handle.destroy(options);
                return { status: "succeeded", ...applied(result.summary) };
            }
            case "refresh": {
                const result = await handle.refresh(options);
                return { status: "succeeded", ...applied(result.summary) };
            }
            case "outputs":
                return { status: "succeeded", outputs: reportOutputs(await handle.outputs()) };
            case "drift": {
                if (this.command.refreshOnly) await handle.previewRefresh(options);
                else await handle.preview(options);
                // Without the summary the answer is unknown: never report that as "no drift".
                const changes = requireSummary(log, stack, operation);
                const drifted = changeCount(changes) > 0;
                return { status: drifted ? "drifted" : "succeeded", changes: countChanges(changes), drift: log.changes() };
            }
        }
    }
}

const TIMEOUT = "timeout";
const STILL_RUNNING = Symbol("still running");

/**
 * Resolves with the operation's outcome, or with STILL_RUNNING when it was asked to stop and
 * has not within `waitMs` of that: the wait for Pulumi to exit is bounded.
 */
function settleWithin<T>(work: Promise<T>, stop: AbortSignal, waitMs: number): Promise<T | typeof STILL_RUNNING> {
    return new Promise((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        const startWaiting = () => {
            timer = setTimeout(() => resolve(STILL_RUNNING), waitMs);
        };
        if (stop.aborted) startWaiting();
        else stop.addEventListener("abort", startWaiting, { once: true });
        work.then(resolve, reject).finally(() => {
            clearTimeout(timer);
            stop.removeEventListener("abort", startWaiting);
        });
    });
}

/** The engine's summary of a preview; its absence is an error, not an empty change set. */
function requireSummary(log: EventLog, stack: string, operation: Operation): OpMap {
    if (log.summary) return log.summary.resourceChanges ?? {};
    throw new FluxpilotError(
        "no-summary",
        `${operation} of stack "${stack}" ended without Pulumi's summary event, so its result is unknown (not reported as "no changes"): run it again; if it keeps happening, run \`pulumi preview --stack ${stack}\` to see the engine's own output.`,
    );
}

/** Where a stack's lock lives and how to release it, for the backend in use. */
export function lockHint(stack: string, backendUrl: string): string {
    if (/^(file|s3|gs|azblob|postgres):\/\//.test(backendUrl)) {
        return `remove stack "${stack}"'s lock file under ${backendUrl.replace(/\/$/, "")}/.pulumi/locks/ (only once no update of it is running)`;
    }
    return `run \`pulumi cancel --stack ${stack}\` (only once no update of it is running)`;
}

function interruptReport(stack: string, operation: Operation, by: string, pulumiStopped: boolean, backendUrl: string, waitMs: number): InterruptReport {
    const refresh = `npm run fluxpilot -- refresh ${stack}`;
    if (pulumiStopped) {
        const next =
            operation === "up" || operation === "destroy" || operation === "refresh"
                ? `Pulumi stopped and released the stack's lock; resources it was changing may be left pending: run \`${refresh}\` before the next update.`
                : "Pulumi stopped and released the stack's lock; nothing was changed.";
        return { by, pulumiStopped, lock: "released", next };
    }
    return {
        by,
        pulumiStopped,
        lock: "may be held",
        next: `Pulumi did not stop within ${formatLimit(waitMs)} (--cancel-wait) of its one interrupt and FluxPilot stopped waiting, so the stack may still be locked: ${lockHint(stack, backendUrl)}, then \`${refresh}\`.`,
    };
}

function formatLimit(ms: number): string {
    if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
    if (ms % 60_000 === 0) return `${ms / 60_000}m`;
    return `${Math.round(ms / 1000)}s`;
}

interface Callbacks {
    onOutput: (text: string) => void;
    onError: (text: string) => void;
    onEvent: EventLog["record"];
    color: RunContext["color"];
}

type AutomationOptions = UpOptions & PreviewOptions & RefreshOptions;

/**
 * Maps the command line to the Automation API options of one operation. Only options that
 * are set appear, so the recorded calls in tests read like the command line.
 */
export function automationOptions(command: CommandLine, operation: Operation, callbacks: Callbacks): AutomationOptions {
    const isPromote = command.subcommand === "promote";
    const options: AutomationOptions = { ...callbacks };
    if (command.parallel !== undefined) options.parallel = command.parallel;
    if (operation === "drift") {
        // Drift is a refreshing preview: it shows what differs between the cloud, the state
        // and the program (with --refresh-only, between the cloud and the state).
        if (!command.refreshOnly) options.refresh = true;
        return options;
    }
    if (command.message !== undefined) options.message = command.message;
    if (isPromote) return options;
    if (command.target.length > 0) options.target = [...command.target];
    if (command.refresh && (operation === "preview" || operation === "up")) options.refresh = true;
    if (command.diff) options.diff = true;
    if (command.expectNoChanges) options.expectNoChanges = true;
    return options;
}

export function countChanges(summary: OpMap | undefined): ChangeCounts {
    const count = (op: keyof OpMap) => summary?.[op] ?? 0;
    return {
        created: count("create"),
        updated: count("update"),
        replaced: count("replace"),
        deleted: count("delete"),
        unchanged: count("same"),
    };
}

/** Secret outputs keep their name and the fact that they are secret, never their value. */
export function reportOutputs(outputs: OutputMap): Record<string, ReportedOutput> {
    return Object.fromEntries(
        Object.entries(outputs)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, output]): [string, ReportedOutput] => {
                // The Automation API types output values as `any`: they are whatever the program exported.
                const value: unknown = output.value;
                return [name, { secret: output.secret, value: output.secret ? SECRET_PLACEHOLDER : value }];
            }),
    );
}

export function errorReport(error: FluxpilotError): ErrorReport {
    return {
        code: error.code,
        message: error.message,
        details: [...error.details],
        ...(error.resource ? { resource: error.resource } : {}),
    };
}

/** Exit code of a set of results: the first failure's, else 3 when anything drifted, else 0. */
export function exitCodeOf(results: readonly StepResult[]): number {
    if (results.some((r) => r.status === "cancelled")) return ExitCode.cancelled;
    const failure = results.find((r) => r.status === "failed");
    if (failure) return failure.error ? exitCodeFor(failure.error.code) : ExitCode.failed;
    return results.some((r) => r.status === "drifted") ? ExitCode.changes : ExitCode.ok;
}

function finish(base: Omit<RunReport, "ok" | "exitCode" | "results">, results: StepResult[]): RunReport {
    const exitCode = exitCodeOf(results);
    return { ...base, ok: exitCode === ExitCode.ok, exitCode, results };
}

export function failedRun(base: Pick<RunReport, "subcommand" | "backend">, error: FluxpilotError): RunReport {
    return { ...base, ok: false, exitCode: error.exitCode, results: [], error: errorReport(error) };
}
