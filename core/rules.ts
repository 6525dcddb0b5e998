/**
 * Reusable schema pieces for the stack configuration (zod), each with a message that says what
 * is wrong and how to fix it. The schema lives with the code that owns the setting; these are
 * the shared building blocks.
 */
import { z } from "zod";
import { isNetworkAddress } from "./cidr";

/** Zod carries one message string; we pack "what is wrong" and "how to fix it" into it. */
const FIX_SEPARATOR = "\nFix: ";

export function rule(message: string, fix: string): { error: string } {
    return { error: `${message}${FIX_SEPARATOR}${fix}` };
}

export function splitRuleMessage(text: string): { message: string; fix?: string } {
    const at = text.indexOf(FIX_SEPARATOR);
    return at < 0 ? { message: text } : { message: text.slice(0, at), fix: text.slice(at + FIX_SEPARATOR.length) };
}

/** RFC 1123 label, short enough for every cloud once suffixes such as `-nodes` are added. */
export const resourceName = z
    .string(rule("must be a string", "quote the name"))
    .regex(
        /^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$/,
        rule("must be 1-30 characters of lowercase letters, digits and '-', starting with a letter", "rename it, e.g. 'prod-eks' (it names cloud resources, so keep it short)"),
    );

export const cidr = z
    .string(rule("must be a string", 'quote the CIDR, e.g. "10.0.0.0/16"'))
    .check(z.cidrv4(rule("is not an IPv4 CIDR block", "write it as a.b.c.d/n with n between 0 and 32, e.g. 10.0.0.0/16")))
    .refine((value) => isNetworkAddress(value), rule("has host bits set", "use the network address of the block, e.g. 10.0.0.0/16 rather than 10.0.1.0/16"));

export const kubernetesMinorVersion = z
    .string(rule("must be a string", 'quote the version, e.g. "1.34"'))
    .regex(/^1\.\d{2}$/, rule("must be a Kubernetes minor version", 'write it as "1.34", without the patch level'));

export const durationString = z
    .string(rule("must be a string", 'quote the duration, e.g. "5m"'))
    .regex(/^(\d+(ms|s|m|h))+$/, rule("is not a duration", 'write it like Flux does: "30s", "5m", "1h"'));

export function positiveInt(what: string, max: number) {
    return z
        .int(rule(`must be a whole number`, `set ${what} to a whole number`))
        .min(0, rule("must not be negative", `set ${what} to 0 or more`))
        .max(max, rule(`is above the limit of ${max}`, `set ${what} to ${max} or less`));
}
