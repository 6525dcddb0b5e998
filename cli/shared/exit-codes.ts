/**
 * Exit codes of every FluxPilot command line (plan, render, validate, fluxpilot), so scripts and
 * CI read them the same way everywhere.
 */
export const ExitCode = {
    ok: 0,
    /** The operation or check failed: invalid config, a program error, problems found, a cloud error. */
    failed: 1,
    /** The command line itself is wrong (unknown option, missing argument, unknown stack). */
    usage: 2,
    /** Differences found where asked to report them: `plan --diff --exit-code` changes, `fluxpilot drift` drift. */
    changes: 3,
    /** Something is missing on this machine: the Pulumi CLI, a passphrase, a login. */
    setup: 4,
    /** Another update holds the stack; retrying later can succeed. */
    busy: 5,
    /** An operation ran past its --timeout; Pulumi was asked to cancel it (as `timeout(1)` does, 124). */
    timedOut: 124,
    /** Interrupted (SIGINT or SIGTERM); Pulumi was asked to cancel. 128 + SIGINT, the shell's convention. */
    cancelled: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
