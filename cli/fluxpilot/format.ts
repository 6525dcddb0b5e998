/**
 * What people read: live progress lines while operations run, then one summary per stack
 * (or the JSON result document with --json). Reports never hold secret values, so nothing
 * here can print one.
 */
import { ChangeCounts, ReportedOutput, RunReport, StepResult } from "./orchestrate";
import { ResourceChange } from "./events";

/** JSON document version; bump when a field changes meaning or disappears. */
export const JSON_SCHEMA_VERSION = 1;

export function renderJson(report: RunReport): string {
    return `${JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, ...report }, null, 2)}\n`;
}

export function renderSummary(report: RunReport): string {
    const lines: string[] = [];
    if (report.error) {
        lines.push(`error: ${report.error.message}`, ...report.error.details.map((d) => `  - ${d}`));
        return `${lines.join("\n")}\n`;
    }
    lines.push("", `Summary (${report.subcommand}, backend ${report.backend}):`);
    for (const result of report.results) lines.push(...describeStep(result));
    lines.push("", verdict(report));
    return `${lines.join("\n")}\n`;
}

function describeStep(result: StepResult): string[] {
    const head = `${result.stack} ${result.operation}: ${result.status}`;
    if (result.status === "skipped") return [`  ${head} (${result.reason})`];
    const lines = [`  ${head}${result.durationMs !== undefined ? ` in ${formatDuration(result.durationMs)}` : ""}`];
    if (result.changes) lines.push(`    ${describeChanges(result.changes, result.operation === "preview" || result.operation === "drift")}`);
    if (result.drift && result.drift.length > 0) {
        lines.push("    drifted resources:", ...result.drift.map((change) => `      ${describeDrift(change)}`));
    }
    if (result.outputs) lines.push(...describeOutputs(result.outputs));
    if (result.error) {
        const label = result.status === "cancelled" ? "cancelled" : "error";
        lines.push(`    ${label}: ${result.error.message}`, ...result.error.details.map((d) => `      - ${d}`));
    }
    if (result.interrupted) lines.push(`    lock: ${result.interrupted.lock}`);
    return lines;
}

export function describeChanges(changes: ChangeCounts, proposed: boolean): string {
    const kinds: [number, string, string][] = [
        [changes.created, "to create", "created"],
        [changes.updated, "to update", "updated"],
        [changes.replaced, "to replace", "replaced"],
        [changes.deleted, "to delete", "deleted"],
        [changes.unchanged, "unchanged", "unchanged"],
    ];
    return kinds.map(([n, future, past]) => `${n} ${proposed ? future : past}`).join(", ");
}

function describeDrift(change: ResourceChange): string {
    const fields = change.diffs.length > 0 ? ` (${change.diffs.join(", ")})` : "";
    return `${change.op} ${change.type} "${change.name}"${fields}`;
}

function describeOutputs(outputs: Record<string, ReportedOutput>): string[] {
    const names = Object.keys(outputs);
    if (names.length === 0) return ["    outputs: none"];
    const width = Math.max(...names.map((n) => n.length));
    return [
        "    outputs:",
        ...names.map((name) => {
            const { secret, value } = outputs[name];
            return `      ${name.padEnd(width)}  ${secret ? "[secret]" : formatValue(value)}`;
        }),
    ];
}

function formatValue(value: unknown): string {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function verdict(report: RunReport): string {
    if (report.cancelled) {
        const states = report.results.map((r) => `${r.stack} ${r.status === "skipped" ? "not run" : r.status}`);
        const stopped = report.cancelled.pulumiStopped ? "" : " Pulumi had not stopped when FluxPilot stopped waiting: see the lock above.";
        return `Cancelled by ${report.cancelled.signal}: ${[...new Set(states)].join(", ")} (exit code ${report.exitCode}).${stopped}`;
    }
    const failed = report.results.filter((r) => r.status === "failed").map((r) => r.stack);
    const drifted = report.results.filter((r) => r.status === "drifted").map((r) => r.stack);
    if (failed.length > 0) return `Failed: ${[...new Set(failed)].join(", ")} (exit code ${report.exitCode}).`;
    if (drifted.length > 0) return `Drift detected: ${[...new Set(drifted)].join(", ")} (exit code ${report.exitCode}).`;
    return "All done.";
}

export function formatDuration(ms: number): string {
    const seconds = Math.round(ms / 1000);
    if (seconds < 60) return `${seconds}s`;
    const minutes = Math.floor(seconds / 60);
    return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
}

/**
 * Prefixes each line of streamed engine output with its stack, buffering partial lines
 * (the engine writes in chunks that can end mid-line).
 */
export class PrefixedLineWriter {
    /** Partial lines, per stack and stream ("out" or "err"). */
    private readonly pending = new Map<string, { stack: string; write: (text: string) => void; text: string }>();

    constructor(
        private readonly write: (text: string) => void,
        /** Where Pulumi's own stderr goes; the same stream as progress unless given. */
        private readonly writeError: (text: string) => void = write,
    ) {}

    output(stack: string, chunk: string): void {
        this.append(stack, "out", this.write, chunk);
    }

    errorOutput(stack: string, chunk: string): void {
        this.append(stack, "err", this.writeError, chunk);
    }

    status(stack: string, message: string): void {
        this.flush(stack);
        this.write(`[${stack}] ==> ${message}\n`);
    }

    /** Writes whatever partial lines are left for a stack. */
    flush(stack: string): void {
        for (const [key, entry] of [...this.pending]) {
            if (entry.stack !== stack) continue;
            if (entry.text) entry.write(`[${stack}] ${entry.text}\n`);
            this.pending.delete(key);
        }
    }

    flushAll(): void {
        for (const stack of new Set([...this.pending.values()].map((e) => e.stack))) this.flush(stack);
    }

    private append(stack: string, stream: string, write: (text: string) => void, chunk: string): void {
        const key = `${stream} ${stack}`;
        const lines = ((this.pending.get(key)?.text ?? "") + chunk).split(/\r?\n/);
        this.pending.set(key, { stack, write, text: lines.pop() ?? "" });
        for (const line of lines) write(`[${stack}] ${line}\n`);
    }
}
