/**
 * The command line: `npm run fluxpilot -- <subcommand> [stacks...] [options]`.
 * Parsing is pure; every mistake becomes a usage error naming the option and the fix.
 */
import { parseArgs } from "util";
import { UsageError } from "../shared/usage";

export const OPERATIONS = ["preview", "up", "destroy", "refresh", "outputs", "drift"] as const;
export type Operation = (typeof OPERATIONS)[number];
export type Subcommand = Operation | "promote" | "sops-config";
/** Subcommands beyond the operations, in the order the usage lists them. */
const OTHER_SUBCOMMANDS = ["promote", "sops-config"] as const;

/** Promotion order; `local` is a laptop stack and never promoted. */
export const PROMOTION_ORDER = ["dev", "staging", "prod"] as const;
/** Stacks that exist only on a laptop; `--all` leaves them out. */
export const LAPTOP_STACKS: readonly string[] = ["local"];

export interface CommandLine {
    subcommand: Subcommand;
    /** Stacks named on the command line (positionals and --stack), in order, without repeats. */
    stacks: string[];
    all: boolean;
    json: boolean;
    backend?: string;
    localBackend: boolean;
    /** Project directory; undefined means this repository. */
    dir?: string;
    create: boolean;
    refresh: boolean;
    refreshOnly: boolean;
    diff: boolean;
    expectNoChanges: boolean;
    yes: boolean;
    target: string[];
    parallel?: number;
    /** How many stacks preview, refresh and drift run at once (1: one after another). */
    concurrency: number;
    message?: string;
    from?: string;
    to?: string;
    /** Per-operation time limit in milliseconds; undefined means the operation's default. */
    timeoutMs?: number;
    /** How long to wait for Pulumi to stop after it was asked to cancel, in milliseconds. */
    cancelWaitMs: number;
    /** sops-config: age recipients of the people who edit, added to every creation rule. */
    age: string[];
    /** sops-config: print `.sops.yaml` instead of writing it. */
    stdout: boolean;
}

/** A command the orchestration runs over stacks: sops-config runs `outputs`, then writes its file. */
export type RunnableCommand = CommandLine & { subcommand: Operation | "promote" };

export function runnableCommand(command: CommandLine): RunnableCommand {
    const { subcommand } = command;
    return { ...command, subcommand: subcommand === "sops-config" ? "outputs" : subcommand };
}

/**
 * Default time limit of one operation on one stack. Creating or deleting a managed cluster
 * takes 10-25 minutes on each cloud, so updates get room for several; previews do not.
 */
export const DEFAULT_TIMEOUT_MS: Record<Operation, number> = {
    preview: 30 * 60_000,
    drift: 30 * 60_000,
    refresh: 30 * 60_000,
    up: 120 * 60_000,
    destroy: 120 * 60_000,
    outputs: 5 * 60_000,
};

/**
 * Default wait for Pulumi to stop after one interrupt. Pulumi finishes the resource operations
 * already in flight before it exits (a cluster being created keeps going), so this is long.
 */
export const DEFAULT_CANCEL_WAIT_MS = 10 * 60_000;

const OPTIONS = {
    stack: { type: "string", short: "s", multiple: true },
    all: { type: "boolean" },
    json: { type: "boolean" },
    backend: { type: "string" },
    "local-backend": { type: "boolean" },
    dir: { type: "string" },
    create: { type: "boolean" },
    refresh: { type: "boolean" },
    "refresh-only": { type: "boolean" },
    diff: { type: "boolean" },
    "expect-no-changes": { type: "boolean" },
    yes: { type: "boolean", short: "y" },
    target: { type: "string", multiple: true },
    parallel: { type: "string" },
    concurrency: { type: "string" },
    message: { type: "string", short: "m" },
    from: { type: "string" },
    to: { type: "string" },
    timeout: { type: "string" },
    "cancel-wait": { type: "string" },
    age: { type: "string", multiple: true },
    stdout: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

type OptionName = keyof typeof OPTIONS;

const COMMON: readonly OptionName[] = ["stack", "all", "json", "backend", "local-backend", "dir", "create", "timeout", "cancel-wait", "help"];
const UPDATE: readonly OptionName[] = ["parallel", "message", "target"];

/** Options each subcommand accepts beyond the common ones. */
const ALLOWED: Record<Subcommand, readonly OptionName[]> = {
    preview: [...UPDATE, "refresh", "diff", "expect-no-changes", "concurrency"],
    up: [...UPDATE, "refresh", "diff", "expect-no-changes"],
    destroy: [...UPDATE, "yes"],
    refresh: [...UPDATE, "expect-no-changes", "concurrency"],
    outputs: [],
    drift: ["parallel", "refresh-only", "concurrency"],
    promote: ["parallel", "message", "from", "to"],
    "sops-config": ["age", "stdout"],
};

export const USAGE = `Usage: npm run fluxpilot -- <subcommand> [stack...] [options]

Subcommands:
  preview   show what \`up\` would change            up        deploy the stack
  destroy   delete every resource (needs --yes)    refresh   update state from the cloud
  outputs   print stack outputs (secrets hidden)   drift     report differences (exit 3 on drift)
  promote   up dev, then staging, then prod; each only if the one before succeeded and shows no drift
  sops-config  write .sops.yaml from the stacks' outputs: one creation rule per environment with
            every cluster's SOPS key (docs/secrets.md)

Stacks: name them (dev staging prod local, or org/dev for Pulumi Cloud) or pass --all (every
stack file except local).

Options:
  -s, --stack <name>     stack to operate on (repeatable; same as a positional name)
      --all              every Pulumi.<stack>.yaml in the project except laptop stacks (local)
      --json             print one JSON result document on stdout (progress goes to stderr)
      --backend <url>    state backend (overrides PULUMI_BACKEND_URL)
      --local-backend    use file://<repo>/.pulumi-state (git-ignored) for trying things out
      --dir <path>       project directory (default: this repository)
      --create           create the stack in the backend if it does not exist
      --refresh          refresh state before preview/up
      --refresh-only     drift: compare state with the cloud only, ignoring program changes
      --diff             show a detailed diff in the progress output
      --expect-no-changes  fail if the operation would change anything
      --target <urn>     limit the operation to a resource (repeatable)
      --parallel <n>     maximum parallel resource operations
      --concurrency <n>  preview, refresh, drift: run up to n stacks at once (default 1); each
                         output line keeps its [stack] prefix. up, destroy and promote stay in order
  -m, --message <text>   message recorded with the update
      --from <stack>, --to <stack>  promote: first and last stage (default dev .. prod)
  -y, --yes              confirm destroy
      --age <recipient>  sops-config: an age recipient of the people who edit (repeatable)
      --stdout           sops-config: print .sops.yaml instead of writing it
      --timeout <time>   limit for each operation on each stack, e.g. 45m, 2h, 90s (default:
                         up/destroy 120m, preview/drift/refresh 30m, outputs 5m)
      --cancel-wait <time>  after Ctrl-C, SIGTERM or a timeout, how long to wait for Pulumi to
                         stop cleanly (default 10m)
  -h, --help             show this help

Ctrl-C (or SIGTERM) asks Pulumi to cancel exactly once and waits for it to stop; the summary
says what state each stack was left in.

Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 drift detected, 4 setup missing
(Pulumi CLI, passphrase, login), 5 another update holds the stack, 124 timed out,
130 cancelled (Ctrl-C or SIGTERM).`;

export class HelpRequested {
    readonly text = USAGE;
}

/** The subcommand named in argv, if any: usage errors report it even when parsing failed. */
export function subcommandIn(argv: readonly string[]): Subcommand | null {
    const named = argv.find((arg) => !arg.startsWith("-") && isSubcommand(arg));
    return named !== undefined && isSubcommand(named) ? named : null;
}

export function parseCommandLine(argv: readonly string[]): CommandLine | HelpRequested {
    let parsed;
    try {
        parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
        throw new UsageError(parseArgsMessage(error as Error & { code?: string }));
    }
    const { values, positionals } = parsed;
    if (values.help) return new HelpRequested();

    const [subcommand, ...names] = positionals;
    if (subcommand === undefined) throw new UsageError(`Missing subcommand: use one of ${[...OPERATIONS, ...OTHER_SUBCOMMANDS].join(", ")}.`);
    if (!isSubcommand(subcommand)) {
        throw new UsageError(`Unknown subcommand "${subcommand}": use one of ${[...OPERATIONS, ...OTHER_SUBCOMMANDS].join(", ")}.`);
    }

    const allowed = new Set<OptionName>([...COMMON, ...ALLOWED[subcommand]]);
    const rejected = (Object.keys(values) as OptionName[]).filter((name) => !allowed.has(name));
    if (rejected.length > 0) {
        throw new UsageError(`${rejected.map((n) => `--${n}`).join(", ")} cannot be used with "${subcommand}".`);
    }

    const stacks = [...new Set([...names, ...(values.stack ?? [])])];
    for (const stack of stacks) {
        // Pulumi stack names: letters, digits, "-", "_", "."; Pulumi Cloud also takes org/stack
        // and org/project/stack. The stack file is always Pulumi.<last part>.yaml.
        if (!STACK_NAME.test(stack)) {
            throw new UsageError(`Invalid stack name "${stack}": use letters, digits, "-", "_" or ".", optionally prefixed by the organisation (org/dev) or org/project/.`);
        }
    }
    const all = values.all ?? false;
    if (subcommand === "promote") {
        if (stacks.length > 0 || all) {
            throw new UsageError(`"promote" always runs ${PROMOTION_ORDER.join(" -> ")}; choose the range with --from and --to instead of naming stacks.`);
        }
    } else if (stacks.length === 0 && !all) {
        throw new UsageError(`Name at least one stack for "${subcommand}" (e.g. \`${subcommand} dev\`) or pass --all.`);
    } else if (stacks.length > 0 && all) {
        throw new UsageError(`Name stacks or pass --all, not both.`);
    }
    if (values.backend !== undefined && values["local-backend"]) {
        throw new UsageError(`--backend and --local-backend both choose the state backend: pass only one.`);
    }
    const from = promotionStage("from", values.from);
    const to = promotionStage("to", values.to);
    if (from !== undefined && to !== undefined && stageIndex(from) > stageIndex(to)) {
        throw new UsageError(`--from ${from} comes after --to ${to}: promotion runs ${PROMOTION_ORDER.join(" -> ")}.`);
    }
    if (subcommand === "destroy" && !values.yes) {
        throw new UsageError(`"destroy" deletes every resource of the stack: add --yes to confirm.`);
    }

    return {
        subcommand,
        stacks,
        all,
        json: values.json ?? false,
        backend: nonEmpty("backend", values.backend),
        localBackend: values["local-backend"] ?? false,
        dir: nonEmpty("dir", values.dir),
        create: values.create ?? false,
        refresh: values.refresh ?? false,
        refreshOnly: values["refresh-only"] ?? false,
        diff: values.diff ?? false,
        expectNoChanges: values["expect-no-changes"] ?? false,
        yes: values.yes ?? false,
        target: values.target ?? [],
        parallel: positiveWhole("parallel", values.parallel),
        concurrency: positiveWhole("concurrency", values.concurrency) ?? 1,
        message: values.message,
        from,
        to,
        timeoutMs: duration("timeout", values.timeout),
        cancelWaitMs: duration("cancel-wait", values["cancel-wait"]) ?? DEFAULT_CANCEL_WAIT_MS,
        age: (values.age ?? []).map(ageRecipient),
        stdout: values.stdout ?? false,
    };
}

const STACK_NAME = /^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/;

/** The name of the stack's settings file (Pulumi.<name>.yaml): the last part of org/project/stack. */
export function stackFileName(stack: string): string {
    return stack.slice(stack.lastIndexOf("/") + 1);
}

/** Node's parseArgs messages, rewritten to name the option and the fix in FluxPilot's words. */
function parseArgsMessage(error: Error & { code?: string }): string {
    const option = /'(-[^' ]+)/.exec(error.message)?.[1];
    if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
        return `Unknown option "${option}": run with --help for the options.`;
    }
    if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && option) {
        const name = option.replace(/^-+/, "");
        const known = (OPTIONS as Record<string, { type: string }>)[name];
        return known?.type === "string" ? `${option} needs a value, e.g. \`${option} <value>\`.` : `${option} takes no value.`;
    }
    return `${error.message.split("\n")[0]}. Run with --help for the options.`;
}

/** "90s", "45m", "2h" or a bare number of minutes, in milliseconds. */
function duration(option: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(value.trim());
    const unit = { s: 1000, m: 60_000, h: 3_600_000 }[(match?.[2] ?? "m") as "s" | "m" | "h"];
    const ms = match ? Math.round(Number(match[1]) * unit) : NaN;
    if (!(ms >= 1000)) throw new UsageError(`--${option} must be a time of at least 1s, such as 90s, 45m or 2h (given: "${value}").`);
    return ms;
}

function isSubcommand(value: string): value is Subcommand {
    return (OTHER_SUBCOMMANDS as readonly string[]).includes(value) || (OPERATIONS as readonly string[]).includes(value);
}

/** An age public key (bech32, `age1...`); a private key (`AGE-SECRET-KEY-1...`) is refused without echoing it. */
function ageRecipient(value: string): string {
    if (/^AGE-SECRET-KEY-/i.test(value.trim())) throw new UsageError("--age was given an age private key: pass the public key (age1...), never the secret one.");
    if (!/^age1[02-9ac-hj-np-z]{58}$/.test(value)) throw new UsageError(`--age must be an age public key (age1 followed by 58 characters), given "${value}".`);
    return value;
}

function nonEmpty(option: string, value: string | undefined): string | undefined {
    if (value !== undefined && value.trim() === "") throw new UsageError(`--${option} is empty: give a value or leave the option out.`);
    return value;
}

function positiveWhole(option: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${option} must be a whole number of at least 1 (given: "${value}").`);
    return n;
}

function stageIndex(stack: string): number {
    return (PROMOTION_ORDER as readonly string[]).indexOf(stack);
}

function promotionStage(option: string, value: string | undefined): string | undefined {
    if (value !== undefined && !(PROMOTION_ORDER as readonly string[]).includes(value)) {
        throw new UsageError(`--${option} must be one of ${PROMOTION_ORDER.join(", ")} (given: "${value}").`);
    }
    return value;
}
