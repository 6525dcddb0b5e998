/**
 * Collects what the engine reports during one operation: resources that failed (with their
 * error diagnostics), error diagnostics without a resource, and resources with proposed or
 * applied changes. Error mapping and drift reports read from here.
 */
import type { EngineEvent, OpMap } from "./gateway";

/** Operations that leave a resource as it is; anything else in a preview is a change. */
const NO_CHANGE_OPS: ReadonlySet<string> = new Set(["same", "read", "refresh"]);

export interface ResourceRef {
    urn: string;
    /** Resource type token, e.g. `aws:eks/cluster:Cluster`. */
    type: string;
    /** Logical name, e.g. `dev-eks`. */
    name: string;
}

export interface ResourceChange extends ResourceRef {
    op: string;
    /** Top-level properties that differ, when the engine reports them. */
    diffs: string[];
}

export interface ResourceFailure extends ResourceRef {
    /** Error diagnostics the engine attached to the resource, in order. */
    messages: string[];
}

const STACK_TYPE = "pulumi:pulumi:Stack";

/** Splits `urn:pulumi:<stack>::<project>::<parent$type>::<name>` into type and name. */
export function parseUrn(urn: string): ResourceRef {
    const parts = urn.split("::");
    if (parts.length < 4) return { urn, type: "", name: urn };
    const qualifiedType = parts[2];
    const type = qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1);
    return { urn, type, name: parts.slice(3).join("::") };
}

export function isChangeOp(op: string): boolean {
    return !NO_CHANGE_OPS.has(op);
}

/** Total of the counts in a change summary that are real changes. */
export function changeCount(summary: OpMap | undefined): number {
    return Object.entries(summary ?? {}).reduce((sum, [op, n]) => (isChangeOp(op) ? sum + (n ?? 0) : sum), 0);
}

export class EventLog {
    private readonly failed = new Map<string, ResourceFailure>();
    private readonly changed = new Map<string, ResourceChange>();
    /** Error diagnostics of the stack itself or with no resource (program errors land here). */
    readonly programErrors: string[] = [];
    /** The engine's closing summary: without it a run's result is unknown (never "no changes"). */
    summary?: { resourceChanges?: OpMap };

    readonly record = (event: EngineEvent): void => {
        if (event.summaryEvent) this.summary = event.summaryEvent;
        const diagnostic = event.diagnosticEvent;
        if (diagnostic && diagnostic.severity === "error") {
            const ref = diagnostic.urn ? parseUrn(diagnostic.urn) : undefined;
            if (ref && ref.type !== STACK_TYPE) {
                this.failure(ref).messages.push(diagnostic.message);
            } else {
                this.programErrors.push(diagnostic.message);
            }
        }
        const failedStep = event.resOpFailedEvent?.metadata;
        if (failedStep && parseUrn(failedStep.urn).type !== STACK_TYPE) {
            this.failure(parseUrn(failedStep.urn));
        }
        const step = event.resourcePreEvent?.metadata;
        if (step && isChangeOp(step.op) && parseUrn(step.urn).type !== STACK_TYPE) {
            this.changed.set(step.urn, { ...parseUrn(step.urn), op: step.op, diffs: step.diffs ?? [] });
        }
    };

    /** Resources that failed, in the order the engine reported them. */
    failures(): ResourceFailure[] {
        return [...this.failed.values()];
    }

    /** Resources with a change (proposed in a preview, applied in an update), in engine order. */
    changes(): ResourceChange[] {
        return [...this.changed.values()];
    }

    private failure(ref: ResourceRef): ResourceFailure {
        let entry = this.failed.get(ref.urn);
        if (!entry) {
            entry = { ...ref, messages: [] };
            this.failed.set(ref.urn, entry);
        }
        return entry;
    }
}
