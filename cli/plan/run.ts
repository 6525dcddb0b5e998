/**
 * Runs the real program for one stack under Pulumi's mock runtime in preview mode and returns its
 * plan snapshot. Config comes from the stack files (see cli/shared/stack-file.ts); nothing is
 * decrypted, no CLI, credentials or network are involved.
 *
 * Runs once per process: the mock runtime and the program's modules are process-wide.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { isStackConfigError } from "../../core/problems";
import { installOfflineRuntime, registeredResources } from "../../mock-runtime/runtime";
import { loadableEntry, prepareToLoad } from "../shared/program-entry";
import { programEntry, readStackConfig } from "../shared/stack-file";
import { buildSnapshot, PlanSnapshot } from "./snapshot";

export interface PlanRunOptions {
    /** Directory holding Pulumi.yaml and (unless stackConfigDir moves them) the stack files. */
    projectDir: string;
    stack: string;
    /** Program entry; by default Pulumi.yaml's `main:`, else the project's index.ts. */
    program?: string;
}

/** The program failed for a reason other than its stack configuration. */
export class ProgramError extends Error {
    constructor(message: string, cause: unknown) {
        super(message, { cause });
        this.name = "ProgramError";
    }
}

export async function runPlan(options: PlanRunOptions): Promise<PlanSnapshot> {
    const { project, config, secretKeys } = readStackConfig(options.projectDir, options.stack);
    const program = path.resolve(options.program ?? programEntry(options.projectDir));

    // Failures inside the program's promises (a registration, an apply, an invoke without a
    // fixture) surface as unhandled rejections, and the registrations they break never finish:
    // the first one ends the plan.
    let fail: (reason: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = (reason) => reject(programFailure(program, reason))));
    failed.catch(() => undefined);
    process.on("unhandledRejection", fail);
    try {
        await installOfflineRuntime({ project, stack: options.stack, preview: true, config, secretKeys });
        const snapshot = await Promise.race([failed, evaluate(project, options.stack, program)]);
        process.off("unhandledRejection", fail);
        return snapshot;
    } catch (error) {
        // The first failure is the one reported. The same error goes on surfacing from the other
        // awaiters of the broken output, unhandled or handled late: absorb those for the rest of
        // this one-plan process, so no crash dump or warning follows the report.
        process.on("rejectionHandled", () => undefined);
        throw error;
    }
}

async function evaluate(project: string, stack: string, program: string): Promise<PlanSnapshot> {
    const outputs = await loadProgram(program);
    await settle();
    const snapshot = await buildSnapshot(project, stack, registeredResources(), outputs);
    await settle();
    return snapshot;
}

/** Loads the program; its exports are the stack outputs. A function export is run, as Pulumi does. */
async function loadProgram(program: string): Promise<Record<string, unknown>> {
    try {
        const entry = loadableEntry(program);
        await prepareToLoad(entry);
        let exported: unknown = require(entry);
        if (isProgramFunction(exported)) exported = await exported();
        return typeof exported === "object" && exported !== null ? { ...exported } : {};
    } catch (error) {
        throw programFailure(program, error);
    }
}

/** A program that exports a function: Pulumi runs it and takes what it returns (or resolves to) as the outputs. */
function isProgramFunction(exported: unknown): exported is () => unknown {
    return typeof exported === "function";
}

function programFailure(program: string, error: unknown): Error {
    if (isStackConfigError(error)) return error;
    const relative = path.relative(process.cwd(), program) || program;
    return new ProgramError(`the program ${relative} failed`, error);
}

/** Waits for every registration, then one more turn so late rejections are seen. */
async function settle(): Promise<void> {
    // Typed by cli/plan/pulumi-sdk.d.ts: the runtime exports it without a declaration.
    await pulumi.runtime.waitForRPCs();
    await new Promise((resolve) => setImmediate(resolve));
}
