/**
 * Runs subcommands over stacks through a `PulumiGateway`: order, gating, option mapping and
 * the result document. Nothing here talks to Pulumi directly, so all of it is tested with a
 * fake gateway that records calls.
 */
import type { PreviewOptions, RefreshOptions, UpOptions } from "@pulumi/pulumi/automation";
import { CommandLine, Operation, PROMOTION_ORDER } from "./args";
import { BackendChoice } from "./backend";
import { ErrorCode, ExitCode, exitCodeFor, FluxpilotError, mapPulumiError } from "./errors";
import { changeCount, EventLog, ResourceChange } from "./events";
import { OpMap, OutputMap, PulumiGateway, StackOperations, StackValidator } from "./gateway";

export type StepStatus = "succeeded" | "failed" | "drifted" | "skipped";

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
}

/** Live progress: raw engine output and one-line status messages, per stack. */
export interface ProgressSink {
    output(stack: string, text: string): void;
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
}

/** Operations that change infrastructure: with several stacks, the first failure stops the rest. */
const MUTATING: ReadonlySet<Operation> = new Set(["up", "destroy"]);

export async function run(command: CommandLine, stacks: readonly string[], context: RunContext): Promise<RunReport> {
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
        command.subcommand === "promote" ? await promote(command, runner) : await runEach(command.subcommand, stacks, runner);
    return finish({ ...base, cliVersion }, results);
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
    if (result.status === "failed") return `${result.stack} ${result.operation} failed`;
    if (result.status === "drifted") return `${result.stack} shows drift`;
    return undefined;
}

async function runEach(operation: Operation, stacks: readonly string[], runner: StepRunner): Promise<StepResult[]> {
    const results: StepResult[] = [];
    let stoppedBy: StepResult | undefined;
    for (const stack of stacks) {
        if (stoppedBy) {
            results.push({ stack, operation, status: "skipped", reason: `not run: ${stoppedBy.stack} ${operation} failed` });
            continue;
        }
        const result = await runner.step(stack, operation);
        results.push(result);
        if (result.status === "failed" && MUTATING.has(operation)) stoppedBy = result;
    }
    return results;
}

async function validateAll(stacks: readonly string[], operation: Operation, context: RunContext): Promise<StepResult[]> {
    const invalid: StepResult[] = [];
    for (const stack of stacks) {
        try {
            await context.validator.validate(stack);
        } catch (error) {
            const mapped = mapPulumiError(error, { stack, operation: "validate", backend: context.backend.url });
            invalid.push({ stack, operation, status: "failed", error: errorReport(mapped) });
        }
    }
    return invalid;
}

function firstOperation(command: CommandLine): Operation {
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
        const { progress, now } = this.context;
        const log = new EventLog();
        const started = now();
        progress.status(stack, `${operation} started`);
        try {
            const handle = await this.open(stack);
            const outcome = await this.perform(handle, stack, operation, log);
            return { stack, operation, durationMs: now() - started, ...outcome };
        } catch (error) {
            const mapped = mapPulumiError(error, { stack, operation, backend: this.context.backend.url, log });
            return { stack, operation, status: "failed", durationMs: now() - started, error: errorReport(mapped) };
        }
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
    ): Promise<Omit<StepResult, "stack" | "operation" | "durationMs">> {
        const options = automationOptions(this.command, operation, {
            onOutput: (text: string) => this.context.progress.output(stack, text),
            onEvent: log.record,
            color: this.context.color,
        });
        switch (operation) {
            case "preview": {
                const result = await handle.preview(options);
                return { status: "succeeded", changes: countChanges(result.changeSummary) };
            }
            case "up": {
                const result = await handle.up(options);
                return { status: "succeeded", changes: countChanges(result.summary.resourceChanges), outputs: reportOutputs(result.outputs) };
            }
            case "destroy": {
                const result = await handle.destroy(options);
                return { status: "succeeded", changes: countChanges(result.summary.resourceChanges) };
            }
            case "refresh": {
                const result = await handle.refresh(options);
                return { status: "succeeded", changes: countChanges(result.summary.resourceChanges) };
            }
            case "outputs":
                return { status: "succeeded", outputs: reportOutputs(await handle.outputs()) };
            case "drift": {
                const result = this.command.refreshOnly ? await handle.previewRefresh(options) : await handle.preview(options);
                const drifted = changeCount(result.changeSummary) > 0;
                return { status: drifted ? "drifted" : "succeeded", changes: countChanges(result.changeSummary), drift: log.changes() };
            }
        }
    }
}

interface Callbacks {
    onOutput: (text: string) => void;
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
            .map(([name, output]) => [name, { secret: output.secret, value: output.secret ? SECRET_PLACEHOLDER : output.value }]),
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
