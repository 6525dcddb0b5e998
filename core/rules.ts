/**
 * Reusable schema pieces for the stack configuration (zod), each with a message that says what
 * is wrong and how to fix it. The schema lives with the code that owns the setting; these are
 * the shared building blocks.
 */
import { z } from "zod";

/** Zod carries one message string; we pack "what is wrong" and "how to fix it" into it. */
const FIX_SEPARATOR = "\nFix: ";

export function rule(message: string, fix: string): { error: string } {
    return { error: `${message}${FIX_SEPARATOR}${fix}` };
}

export function splitRuleMessage(text: string): { message: string; fix?: string } {
    const at = text.indexOf(FIX_SEPARATOR);
    return at < 0 ? { message: text } : { message: text.slice(0, at), fix: text.slice(at + FIX_SEPARATOR.length) };
}

export const environments = ["dev", "staging", "prod", "local"] as const;
export type Environment = (typeof environments)[number];

/** RFC 1123 label, short enough for every cloud once suffixes such as `-nodes` are added. */
export const resourceName = z
    .string(rule("must be a string", "quote the name"))
    .regex(
        /^[a-z]([a-z0-9-]{0,28}[a-z0-9])?$/,
        rule(
            "must be 1-30 characters of lowercase letters, digits and '-', starting with a letter",
            "rename it, e.g. 'prod-eks' (it names cloud resources, so keep it short)",
        ),
    );

export const cidr = z
    .string(rule("must be a string", "quote the CIDR, e.g. \"10.0.0.0/16\""))
    .check(
        z.cidrv4(rule("is not an IPv4 CIDR block", "write it as a.b.c.d/n with n between 0 and 32, e.g. 10.0.0.0/16")),
    )
    .refine(
        (value) => isNetworkAddress(value),
        rule("has host bits set", "use the network address of the block, e.g. 10.0.0.0/16 rather than 10.0.1.0/16"),
    );

export const kubernetesMinorVersion = z
    .string(rule("must be a string", "quote the version, e.g. \"1.34\""))
    .regex(/^1\.\d{2}$/, rule("must be a Kubernetes minor version", "write it as \"1.34\", without the patch level"));

export const durationString = z
    .string(rule("must be a string", "quote the duration, e.g. \"5m\""))
    .regex(/^(\d+(ms|s|m|h))+$/, rule("is not a duration", "write it like Flux does: \"30s\", \"5m\", \"1h\""));

export function positiveInt(what: string, max: number) {
    return z
        .int(rule(`must be a whole number`, `set ${what} to a whole number`))
        .min(0, rule("must not be negative", `set ${what} to 0 or more`))
        .max(max, rule(`is above the limit of ${max}`, `set ${what} to ${max} or less`));
}

// ---- IPv4 helpers, used by the schema and by overlap checks ----

export function parseCidr(block: string): { start: number; end: number; prefix: number } {
    const [address, prefixText] = block.split("/");
    const prefix = Number(prefixText);
    const start = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const size = 2 ** (32 - prefix);
    return { start, end: start + size - 1, prefix };
}

function isNetworkAddress(block: string): boolean {
    const { start, prefix } = parseCidr(block);
    return start % 2 ** (32 - prefix) === 0;
}

export function cidrsOverlap(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    return x.start <= y.end && y.start <= x.end;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    return o.start <= i.start && i.end <= o.end;
}

/** Formats a 32-bit address as dotted quad. */
function formatAddress(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/**
 * The first `count` blocks of size `/newPrefix` inside `block`, skipping the first `skip` of them,
 * in address order. Used to lay out subnets deterministically from one network CIDR.
 */
export function subdivideCidr(block: string, newPrefix: number, count: number, skip = 0): string[] {
    const { start, prefix, end } = parseCidr(block);
    if (newPrefix < prefix || newPrefix > 32) {
        throw new Error(`cannot split ${block} into /${newPrefix} blocks`);
    }
    const size = 2 ** (32 - newPrefix);
    const blocks: string[] = [];
    for (let i = skip; i < skip + count; i++) {
        const first = start + i * size;
        if (first + size - 1 > end) {
            throw new Error(`${block} has room for only ${(end - start + 1) / size} /${newPrefix} blocks, not ${skip + count}`);
        }
        blocks.push(`${formatAddress(first)}/${newPrefix}`);
    }
    return blocks;
}

/** The `n`th address of a block (0 is the network address), e.g. the cluster DNS service IP. */
export function cidrHost(block: string, n: number): string {
    const { start, end } = parseCidr(block);
    if (start + n > end) throw new Error(`${block} has no host number ${n}`);
    return formatAddress(start + n);
}

/** The block of length `/prefix` that contains the start of `block`, e.g. for suggesting a size. */
export function cidrWithPrefix(block: string, prefix: number): string {
    const { start } = parseCidr(block);
    const size = 2 ** (32 - prefix);
    return `${formatAddress(Math.floor(start / size) * size)}/${prefix}`;
}
