/**
 * Warnings sent to the Pulumi engine from code that cannot await them (a component constructor,
 * the program's top level).
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * pulumi.log.warn sends the message to the engine and returns that send as a promise. A failed send
 * must not become an unhandled rejection (which ends the program), so the warning is printed on the
 * program's own stderr instead, as the SDK does when no engine runs.
 */
export function warnWithoutWaiting(message: string): void {
    pulumi.log.warn(message).catch((error: unknown) => {
        console.warn(`warning: ${message} (the Pulumi engine did not take this warning: ${error instanceof Error ? error.message : String(error)})`);
    });
}
