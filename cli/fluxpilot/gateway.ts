/**
 * The contract between the orchestration and Pulumi's Automation API.
 *
 * Everything FluxPilot decides (ordering, gating, option mapping, summaries, error mapping)
 * happens above this interface and is tested with a fake that records calls; the real
 * implementation (`automation.ts`) only forwards to `LocalWorkspace` and the selected `Stack`.
 * Types are imported with `import type` so loading this file never loads the Automation API.
 */
import type { DestroyOptions, DestroyResult, OutputMap, PreviewOptions, PreviewResult, RefreshOptions, RefreshResult, UpOptions, UpResult } from "@pulumi/pulumi/automation";

export type { EngineEvent, OpMap, OutputMap } from "@pulumi/pulumi/automation";

/** The operations one stack supports; the real `Stack` class satisfies this structurally. */
export interface StackOperations {
    preview(options: PreviewOptions): Promise<Pick<PreviewResult, "changeSummary">>;
    previewRefresh(options: RefreshOptions): Promise<Pick<PreviewResult, "changeSummary">>;
    up(options: UpOptions): Promise<Pick<UpResult, "summary" | "outputs">>;
    destroy(options: DestroyOptions): Promise<Pick<DestroyResult, "summary">>;
    refresh(options: RefreshOptions): Promise<Pick<RefreshResult, "summary">>;
    outputs(): Promise<OutputMap>;
}

export interface OpenStackOptions {
    /** Create the stack in the backend when it does not exist yet (`createOrSelectStack`). */
    create: boolean;
}

export interface PulumiGateway {
    /** Version of the Pulumi CLI; rejects when the CLI is missing or too old. */
    cliVersion(): Promise<string>;
    /** Selects (or creates) the stack in the project directory, with its own Pulumi.<stack>.yaml. */
    openStack(stack: string, options: OpenStackOptions): Promise<StackOperations>;
}

/** Checks a stack's configuration before Pulumi runs; throws `StackConfigError` when invalid. */
export interface StackValidator {
    validate(stack: string): Promise<void>;
}
