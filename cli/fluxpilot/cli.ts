/**
 * FluxPilot's Automation API command line: `npm run fluxpilot -- <subcommand> [stack...] [options]`.
 * Wires the real gateway and validator to the orchestration and prints the result; see
 * docs/operations.md for subcommands, options and exit codes.
 */
import * as fs from "fs";
import * as path from "path";
import { CommandLine, HelpRequested, parseCommandLine, subcommandIn } from "./args";
import { BackendChoice, LOCAL_STATE_DIR, resolveBackend } from "./backend";
import { UsageError } from "../shared/usage";
import { ExitCode, FluxpilotError, fromUsageError } from "./errors";
import { PrefixedLineWriter, renderJson, renderSummary } from "./format";
import { PulumiGateway, StackValidator } from "./gateway";
import { CancelReason, failedRun, run, RunReport } from "./orchestrate";
import { checkPassphrases, resolveStacks } from "./preflight";
import { REPOSITORY_ROOT } from "../../core/repository";
import { policyPackOptions } from "./policy";
import { readStackSopsKeys, sopsConfigYaml } from "./sops-config";

/** This repository: the default project directory. */

export interface CliIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    env: NodeJS.ProcessEnv;
    /** Whether stdout is a terminal (engine output keeps its colours only then). */
    isTTY: boolean;
    /**
     * Aborted, with the signal's name as reason, when the run is to be cancelled (the signal
     * handler below does this on the first SIGINT or SIGTERM).
     */
    cancel?: AbortSignal;
}

export interface CliDependencies {
    createGateway: (projectDir: string, backend: BackendChoice) => PulumiGateway;
    createValidator: (projectDir: string) => StackValidator;
    now: () => number;
}

export async function main(argv: readonly string[], io: CliIo, deps: CliDependencies): Promise<number> {
    let command: CommandLine | HelpRequested;
    try {
        command = parseCommandLine(argv);
    } catch (error) {
        return reportError(error, argv.includes("--json"), io, "", subcommandIn(argv) ?? undefined);
    }
    if (command instanceof HelpRequested) {
        io.stdout(`${command.text}\n`);
        return ExitCode.ok;
    }
    const projectDir = path.resolve(command.dir ?? REPOSITORY_ROOT);
    const backend = resolveBackend(command, io.env, projectDir);
    // sops-config's stdout is the file (with --stdout): its progress goes to stderr, as with --json.
    const progress = new PrefixedLineWriter(command.json || command.subcommand === "sops-config" ? io.stderr : io.stdout, io.stderr);
    try {
        const stacks = resolveStacks(command, projectDir);
        checkPassphrases(stacks, projectDir, backend, io.env);
        if (backend.source === "--local-backend") fs.mkdirSync(path.join(projectDir, LOCAL_STATE_DIR), { recursive: true });
        // sops-config runs `outputs` on every stack (runnableCommand), then writes one file from them all.
        const report = await run(command, stacks, {
            gateway: deps.createGateway(projectDir, backend),
            validator: deps.createValidator(projectDir),
            progress,
            backend,
            now: deps.now,
            color: io.isTTY && !command.json ? "auto" : "never",
            cancel: io.cancel,
            policyPack: (stack) => policyPackOptions(projectDir, stack),
        });
        progress.flushAll();
        if (command.subcommand === "sops-config" && report.ok) return writeSopsConfig(command, report, projectDir, io);
        write(report, command.json, io);
        return report.exitCode;
    } catch (error) {
        progress.flushAll();
        return reportError(error, command.json, io, backend.url || `(${backend.source})`, command.subcommand);
    }
}

/**
 * `main` as the process runs it. `main` reports every error it expects; should it still reject (a
 * bug, e.g. in the code that runs before its own error handling), the rejection is reported like any
 * unexpected error and the exit code is ExitCode.failed, rather than Node's unhandled-rejection crash.
 */
export async function runEntry(argv: readonly string[], io: CliIo, deps: CliDependencies): Promise<number> {
    try {
        return await main(argv, io, deps);
    } catch (error) {
        return reportError(error, argv.includes("--json"), io, "", subcommandIn(argv) ?? undefined);
    }
}

function reportError(thrown: unknown, json: boolean, io: CliIo, backend = "", subcommand?: CommandLine["subcommand"]): number {
    const error = thrown instanceof UsageError ? fromUsageError(thrown) : thrown;
    if (!(error instanceof FluxpilotError)) {
        // A bug rather than a situation we know: keep the trace available without printing it by default.
        io.stderr(`fluxpilot: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
        if (io.env.FLUXPILOT_DEBUG) io.stderr(`${(error as Error)?.stack ?? ""}\n`);
        else io.stderr("Set FLUXPILOT_DEBUG=1 to see where it happened.\n");
        return ExitCode.failed;
    }
    const report = failedRun({ subcommand: subcommand ?? null, backend }, error);
    write(report, json, io);
    return report.exitCode;
}

/** `.sops.yaml` from the outputs `report` read: into the project directory, or on stdout with --stdout. */
function writeSopsConfig(command: CommandLine, report: RunReport, projectDir: string, io: CliIo): number {
    const yaml = sopsConfigYaml(
        report.results.map((result) => readStackSopsKeys(result.stack, result.outputs)),
        command.age,
    );
    if (command.stdout) {
        io.stdout(yaml);
    } else {
        const file = path.join(projectDir, ".sops.yaml");
        fs.writeFileSync(file, yaml);
        io.stderr(`fluxpilot: wrote ${file} (${report.results.map((r) => r.stack).join(", ")}); re-encrypt existing files for new keys with \`sops updatekeys <file>\`\n`);
    }
    return ExitCode.ok;
}

/** The JSON document always goes to stdout; without --json, a run that never started is an error on stderr. */
function write(report: RunReport, json: boolean, io: CliIo): void {
    if (json) io.stdout(renderJson(report));
    else if (report.error) io.stderr(renderSummary(report));
    else io.stdout(renderSummary(report));
}

/** The real gateway and validator, loaded on first use so `--help` and usage errors stay instant. */
function realDependencies(): CliDependencies {
    return {
        createGateway: (projectDir, backend) => {
            const { createAutomationGateway } = require("./automation") as typeof import("./automation");
            return createAutomationGateway(projectDir, backend);
        },
        createValidator: (projectDir) => {
            const { createStackValidator } = require("./validate") as typeof import("./validate");
            return createStackValidator(projectDir);
        },
        now: Date.now,
    };
}

/**
 * Ctrl-C and SIGTERM (a CI runner cancelling the job) cancel the run once: the first signal
 * aborts `cancel`, each running operation passes that to the Automation API, which sends
 * Pulumi exactly one SIGINT; Pulumi then finishes the resource operations in flight, saves
 * state, releases the lock and exits. Later signals are not passed on: Pulumi treats a second
 * interrupt as "terminate now", which can leave resources orphaned. See docs/operations.md.
 *
 * A Ctrl-C typed in a terminal reaches Pulumi directly too (the terminal signals the whole
 * foreground process group), so the interrupt is not sent again: `deliveredToPulumi` says so.
 */
export function installSignalHandlers(stderr: (text: string) => void, deliveredToPulumi: (signal: NodeJS.Signals) => boolean): { cancel: AbortSignal; remove: () => void } {
    const controller = new AbortController();
    const handler = (signal: NodeJS.Signals) => {
        if (controller.signal.aborted) {
            stderr(
                `fluxpilot: ${signal} again: still waiting for Pulumi to stop cleanly (up to --cancel-wait); a second interrupt is not passed on, as it would stop Pulumi mid-operation.\n`,
            );
            return;
        }
        stderr(`fluxpilot: ${signal} received: asking Pulumi to cancel and waiting for it to stop (up to --cancel-wait); no further stacks will start.\n`);
        controller.abort(new CancelReason(signal, deliveredToPulumi(signal)));
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    return {
        cancel: controller.signal,
        remove: () => {
            process.off("SIGINT", handler);
            process.off("SIGTERM", handler);
        },
    };
}

if (require.main === module) {
    const signals = installSignalHandlers(
        (text) => process.stderr.write(text),
        // A terminal's Ctrl-C goes to the whole foreground process group, Pulumi included.
        (signal) => signal === "SIGINT" && Boolean(process.stdin.isTTY) && process.env.FLUXPILOT_FORWARD_SIGINT !== "1",
    );
    const io: CliIo = {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        env: process.env,
        isTTY: Boolean(process.stdout.isTTY),
        cancel: signals.cancel,
    };
    // runEntry reports main's own failures; the second handler is for a failure of that report itself.
    runEntry(process.argv.slice(2), io, realDependencies()).then(
        (code) => {
            signals.remove();
            process.exitCode = code;
            // Normally nothing is left and Node exits now. When Pulumi did not stop within
            // --cancel-wait, its process and event stream keep the loop alive: end anyway.
            setTimeout(() => process.exit(code), 2000).unref();
        },
        (error: unknown) => {
            process.stderr.write(`fluxpilot: ${String(error)}\n`);
            process.exit(ExitCode.failed);
        },
    );
}
