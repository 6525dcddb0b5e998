/** A command line that cannot be run as given; every command prints its message and exits with ExitCode.usage. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}
