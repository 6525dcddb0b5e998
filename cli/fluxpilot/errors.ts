/**
 * The errors people hit, each turned into one clear line (plus details where there are
 * several items, such as config problems) and an exit code, instead of a stack trace.
 *
 * Automation API errors are recognised by their `name` (`StackNotFoundError`,
 * `ConcurrentUpdateError`, `CommandError`) and by the CLI's own text, so this module never
 * loads the Automation API itself.
 */
import { isStackConfigError } from "../../core/problems";
import { ExitCode } from "../shared/exit-codes";
import { UsageError } from "../shared/usage";
import { EventLog, ResourceFailure } from "./events";

export { ExitCode };

export type ErrorCode =
    | "usage"
    | "pulumi-cli-missing"
    | "pulumi-cli-unsupported"
    | "stack-not-found"
    | "concurrent-update"
    | "passphrase-missing"
    | "passphrase-incorrect"
    | "not-logged-in"
    | "invalid-config"
    | "resource-failed"
    | "no-summary"
    | "timed-out"
    | "cancelled"
    | "command-failed";

const EXIT_CODES: Record<ErrorCode, number> = {
    usage: ExitCode.usage,
    "pulumi-cli-missing": ExitCode.setup,
    "pulumi-cli-unsupported": ExitCode.setup,
    "stack-not-found": ExitCode.failed,
    "concurrent-update": ExitCode.busy,
    "passphrase-missing": ExitCode.setup,
    "passphrase-incorrect": ExitCode.setup,
    "not-logged-in": ExitCode.setup,
    "invalid-config": ExitCode.failed,
    "resource-failed": ExitCode.failed,
    "no-summary": ExitCode.failed,
    "timed-out": ExitCode.timedOut,
    cancelled: ExitCode.cancelled,
    "command-failed": ExitCode.failed,
};

export function exitCodeFor(code: ErrorCode): number {
    return EXIT_CODES[code];
}

export const INSTALL_PULUMI_HINT =
    'install it with `curl -fsSL https://get.pulumi.com | sh` (or `brew install pulumi/tap/pulumi`; see https://www.pulumi.com/docs/install/), then open a new shell or run `export PATH="$HOME/.pulumi/bin:$PATH"` (the installer adds that directory to PATH only in new shells) and check with `pulumi version`';

/** The oldest CLI FluxPilot runs with: the release of the @pulumi/pulumi SDK it is built on (docs/versions.md). */
export const MIN_PULUMI_CLI_VERSION = "3.276.0";

export class FluxpilotError extends Error {
    readonly exitCode: number;

    constructor(
        readonly code: ErrorCode,
        message: string,
        /** Further lines shown under the message: config problems, other failed resources. */
        readonly details: readonly string[] = [],
        /** URN of the resource that failed, for `resource-failed`. */
        readonly resource?: string,
    ) {
        super(message);
        this.name = "FluxpilotError";
        this.exitCode = exitCodeFor(code);
    }
}

/** The shared usage error, in the form this command reports (summary or --json). */
export function fromUsageError(error: UsageError): FluxpilotError {
    return new FluxpilotError("usage", error.message);
}

export interface ErrorContext {
    stack: string;
    operation: string;
    /** Backend in use, for messages; "" when the CLI's own login decides. */
    backend: string;
    /** Engine events of the operation that failed, when it got that far. */
    log?: EventLog;
}

/** Maps anything thrown while running Pulumi to a `FluxpilotError`. */
export function mapPulumiError(error: unknown, context: ErrorContext): FluxpilotError {
    if (error instanceof FluxpilotError) return error;
    if (isStackConfigError(error)) return configError(error.message);

    const { stack, operation } = context;
    const text = errorText(error);
    const name = error instanceof Error ? error.name : "";

    const spawnCode = spawnErrorCode(error, text);
    if (spawnCode === "ENOENT") {
        return new FluxpilotError("pulumi-cli-missing", `The Pulumi CLI is not installed (no \`pulumi\` on PATH): ${INSTALL_PULUMI_HINT}.`);
    }
    if (spawnCode === "EACCES") {
        return new FluxpilotError(
            "pulumi-cli-missing",
            `The \`pulumi\` found on PATH cannot be run (permission denied): make it executable (\`chmod +x "$(command -v pulumi)"\`) or reinstall it; ${INSTALL_PULUMI_HINT}.`,
        );
    }
    const tooOld = /Minimum version requirement failed.*your current CLI version is (\S+?)\.?(\s|$)/.exec(text);
    if (tooOld) {
        return new FluxpilotError(
            "pulumi-cli-unsupported",
            `Pulumi CLI ${tooOld[1]} is older than this project needs (at least ${MIN_PULUMI_CLI_VERSION}, the release of its @pulumi/pulumi SDK): upgrade the CLI (\`brew upgrade pulumi\`, or \`curl -fsSL https://get.pulumi.com | sh\`) and check with \`pulumi version\`.`,
        );
    }
    const newerMajor = /Major version mismatch\. You are using Pulumi CLI version (\S+) with Automation SDK v(\d+)/.exec(text);
    if (newerMajor) {
        return new FluxpilotError(
            "pulumi-cli-unsupported",
            `Pulumi CLI ${newerMajor[1]} is a newer major version than this project's @pulumi/pulumi SDK (v${newerMajor[2]}): install a ${newerMajor[2]}.x CLI (at least ${MIN_PULUMI_CLI_VERSION}; \`curl -fsSL https://get.pulumi.com | sh -s -- --version ${MIN_PULUMI_CLI_VERSION}\`), or upgrade @pulumi/pulumi in package.json.`,
        );
    }
    // The program throws StackConfigError when it loads; it reaches us through the engine.
    const programConfigError = [...(context.log?.programErrors ?? []), text].map(parseConfigErrorText).find((parsed) => parsed !== undefined);
    if (programConfigError) return programConfigError;

    if (name === "StackNotFoundError" || /no stack named .* found/.test(text)) {
        const where = context.backend ? `backend ${context.backend}` : "the backend you are logged in to";
        return new FluxpilotError("stack-not-found", `Stack "${stack}" does not exist in ${where}: create it by adding --create, or with \`pulumi stack init ${stack}\`.`);
    }
    if (name === "ConcurrentUpdateError" || text.includes("Another update is currently in progress") || text.includes("the stack is currently locked by")) {
        return new FluxpilotError(
            "concurrent-update",
            `Another update is in progress on stack "${stack}": wait for it to finish and retry; if none is running, a crashed run left the lock: \`pulumi cancel --stack ${stack}\` (Pulumi Cloud) or remove the stack's lock under .pulumi/locks in the state backend.`,
        );
    }
    if (/passphrase must be set with PULUMI_CONFIG_PASSPHRASE/.test(text)) {
        return passphraseMissing(stack);
    }
    if (/incorrect passphrase/.test(text)) {
        return new FluxpilotError(
            "passphrase-incorrect",
            `The passphrase does not decrypt stack "${stack}": set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) to the passphrase the stack was created with.`,
        );
    }
    if (/PULUMI_ACCESS_TOKEN must be set/.test(text)) {
        return new FluxpilotError(
            "not-logged-in",
            "Not logged in to a Pulumi backend: set PULUMI_ACCESS_TOKEN for Pulumi Cloud, or pick a backend with --backend / PULUMI_BACKEND_URL, or try it out with --local-backend.",
        );
    }
    const failures = context.log?.failures() ?? [];
    if (failures.length > 0) return resourceError(operation, stack, failures);

    const where = stack ? ` on stack "${stack}"` : "";
    return new FluxpilotError("command-failed", `${operation} failed${where}: ${firstErrorLine(text)}`);
}

export function passphraseMissing(stack: string): FluxpilotError {
    return new FluxpilotError(
        "passphrase-missing",
        `Stack "${stack}" encrypts its secrets with a passphrase and none is set: export PULUMI_CONFIG_PASSPHRASE, or PULUMI_CONFIG_PASSPHRASE_FILE with the path of a file holding it.`,
    );
}

/**
 * The offline stack file reader's errors (cli/shared/stack-file.ts: unreadable YAML,
 * undeclared keys, no such stack file) as FluxPilot errors; anything else is returned as is.
 */
export function fromStackFileError(error: unknown): unknown {
    if (!(error instanceof Error)) return error;
    const problems = (error as { problems?: unknown }).problems;
    if (error.name === "StackFileError" && Array.isArray(problems)) {
        const file = (error as { file?: string }).file ?? "the stack file";
        return new FluxpilotError("invalid-config", `${file} is not valid.`, problems.map(String));
    }
    if (error.name === "StackNotFoundError" && Array.isArray((error as { available?: unknown }).available)) {
        return new FluxpilotError("stack-not-found", `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`);
    }
    return error;
}

const CONFIG_HEADLINE = /Stack "[^"]+" configuration has \d+ problems?; nothing was created:?/;

/** Recognises the stack model's `StackConfigError` text (from the program's output) and keeps its problems. */
export function parseConfigErrorText(text: string): FluxpilotError | undefined {
    const lines = text.split(/\r?\n/);
    const start = lines.findIndex((line) => CONFIG_HEADLINE.test(line));
    if (start < 0) return undefined;
    const problems: string[] = [];
    for (const line of lines.slice(start + 1)) {
        const problem = /^\s*- (.+)$/.exec(line);
        if (!problem) break;
        problems.push(problem[1].trim());
    }
    const headline = CONFIG_HEADLINE.exec(lines[start])![0].replace(/:$/, "");
    return new FluxpilotError("invalid-config", `${headline}.`, problems);
}

function configError(message: string): FluxpilotError {
    return parseConfigErrorText(message) ?? new FluxpilotError("invalid-config", firstLine(message));
}

function resourceError(operation: string, stack: string, failures: ResourceFailure[]): FluxpilotError {
    const describe = (f: ResourceFailure) => `${f.type} "${f.name}": ${f.messages.length > 0 ? firstErrorLine(f.messages[0]) : "failed (no error message from the provider)"}`;
    const [first, ...rest] = failures;
    const more = rest.length > 0 ? ` (and ${rest.length} more)` : "";
    return new FluxpilotError(
        "resource-failed",
        `${operation} failed on stack "${stack}" at ${describe(first)}${more}`,
        [`${first.urn}`, ...rest.map((f) => `${describe(f)} [${f.urn}]`)],
        first.urn,
    );
}

/** ENOENT (no `pulumi` on PATH) or EACCES (one that cannot be run) when spawning the CLI failed. */
function spawnErrorCode(error: unknown, text: string): "ENOENT" | "EACCES" | undefined {
    const cause = (error as { commandResult?: { err?: { code?: unknown } } } | undefined)?.commandResult?.err;
    if (cause?.code === "ENOENT" || /spawn \S*pulumi ENOENT/.test(text)) return "ENOENT";
    if (cause?.code === "EACCES" || /spawn \S*pulumi EACCES/.test(text)) return "EACCES";
    return undefined;
}

/**
 * All the text an error carries: Pulumi's own stderr and stdout first, else the message. The
 * Automation API wraps a failed run as CommandError whose stderr is execa's "Command failed with
 * exit code ..." text; the CLI's real streams are on the execa error it keeps (`commandResult.err`).
 */
export function errorText(error: unknown): string {
    const result = (error as { commandResult?: { stdout?: string; stderr?: string; err?: { stdout?: unknown; stderr?: unknown } } } | undefined)?.commandResult;
    const message = error instanceof Error ? error.message : String(error);
    if (!result) return message;
    const own = [result.err?.stderr, result.err?.stdout].filter((t): t is string => typeof t === "string" && t.trim() !== "");
    if (own.length > 0) return own.join("\n");
    return [result.stderr ?? "", result.stdout ?? "", message].join("\n");
}

/** Lines Pulumi prints after the real error; they say nothing about the cause. */
const GENERIC_ERRORS = /^(update|preview|refresh|destroy) failed$|^\d+ errors? occurred/;

/** The most specific `error: ...` line, else the first non-empty line. */
export function firstErrorLine(text: string): string {
    const lines = text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0);
    const errors = lines.map((l) => /^error: (.+)$/.exec(l)?.[1]).filter((l): l is string => l !== undefined && !GENERIC_ERRORS.test(l));
    const plain = lines.find((l) => !/^(code|stdout|stderr|err\?):|^(CommandError: )?(Error: )?Command failed with exit code/.test(l));
    return firstLine(errors[0] ?? plain ?? lines[0] ?? "unknown error");
}

function firstLine(text: string): string {
    const line =
        text
            .split(/\r?\n/)
            .find((l) => l.trim().length > 0)
            ?.trim() ?? "";
    return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
