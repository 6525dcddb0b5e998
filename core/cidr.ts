/**
 * IPv4 block arithmetic for the network settings: parse, overlap, containment, subdivision.
 * Pure, so the stack model can lay out and check every range before any resource exists.
 */

export function parseCidr(block: string): { start: number; end: number; prefix: number } {
    const [address, prefixText] = block.split("/");
    const prefix = Number(prefixText);
    const start = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const size = 2 ** (32 - prefix);
    return { start, end: start + size - 1, prefix };
}

/** True when the block is written with its network address (no host bits set). */
export function isNetworkAddress(block: string): boolean {
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
