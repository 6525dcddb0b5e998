/**
 * IPv4 block arithmetic, on edges: both argument orders, blocks that touch, the last address of a
 * range, and the guards that refuse an impossible split.
 */
import * as assert from "assert";
import { cidrContains, cidrHost, cidrsOverlap, cidrWithPrefix, isNetworkAddress, parseCidr, subdivideCidr } from "../../core/cidr";

describe("core: CIDR arithmetic", () => {
    it("parses a block into its first and last address and prefix", () => {
        assert.deepStrictEqual(parseCidr("10.0.0.0/16"), { start: 167772160, end: 167837695, prefix: 16 });
        assert.deepStrictEqual(parseCidr("192.168.1.7/32"), { start: 3232235783, end: 3232235783, prefix: 32 });
        assert.deepStrictEqual(parseCidr("0.0.0.0/0"), { start: 0, end: 4294967295, prefix: 0 });
    });

    it("tells a network address from one with host bits set", () => {
        assert.strictEqual(isNetworkAddress("10.0.0.0/16"), true);
        assert.strictEqual(isNetworkAddress("10.0.1.0/16"), false);
        assert.strictEqual(isNetworkAddress("10.0.0.1/31"), false);
        assert.strictEqual(isNetworkAddress("10.0.0.1/32"), true);
    });

    it("finds overlap whichever block comes first, and none between blocks that only touch", () => {
        const pairs: [string, string, boolean][] = [
            ["10.0.0.0/16", "10.0.128.0/17", true], // the second inside the first
            ["10.0.0.0/24", "10.0.0.255/32", true], // the last address of the first
            ["10.0.0.0/24", "10.0.1.0/24", false], // adjacent
            ["10.0.0.0/24", "10.0.0.0/24", true], // identical
            ["10.0.0.0/8", "192.168.0.0/16", false],
        ];
        for (const [a, b, expected] of pairs) {
            assert.strictEqual(cidrsOverlap(a, b), expected, `${a} ~ ${b}`);
            assert.strictEqual(cidrsOverlap(b, a), expected, `${b} ~ ${a}`);
        }
    });

    it("contains a block up to and including its last address, and nothing wider or past the end", () => {
        assert.strictEqual(cidrContains("10.0.0.0/16", "10.0.0.0/16"), true);
        assert.strictEqual(cidrContains("10.0.0.0/16", "10.0.255.0/24"), true);
        assert.strictEqual(cidrContains("10.0.0.0/16", "10.1.0.0/24"), false);
        assert.strictEqual(cidrContains("10.0.0.0/16", "10.0.0.0/15"), false);
        assert.strictEqual(cidrContains("10.1.0.0/16", "10.0.255.0/24"), false);
    });

    it("splits a block into equal blocks in address order, skipping the first ones when asked", () => {
        assert.deepStrictEqual(subdivideCidr("10.0.0.0/16", 18, 4), ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"]);
        assert.deepStrictEqual(subdivideCidr("10.0.0.0/16", 18, 2, 2), ["10.0.128.0/18", "10.0.192.0/18"]);
        assert.deepStrictEqual(subdivideCidr("10.0.0.0/16", 16, 1), ["10.0.0.0/16"]);
        assert.deepStrictEqual(subdivideCidr("10.0.0.0/30", 32, 4), ["10.0.0.0/32", "10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32"]);
    });

    it("refuses a split into larger blocks, past /32, or beyond the room the block has", () => {
        assert.throws(() => subdivideCidr("10.0.0.0/16", 15, 1), { message: "cannot split 10.0.0.0/16 into /15 blocks" });
        assert.throws(() => subdivideCidr("10.0.0.0/30", 33, 1), { message: "cannot split 10.0.0.0/30 into /33 blocks" });
        assert.throws(() => subdivideCidr("10.0.0.0/16", 18, 5), { message: "10.0.0.0/16 has room for only 4 /18 blocks, not 5" });
        assert.throws(() => subdivideCidr("10.0.0.0/16", 18, 2, 3), { message: "10.0.0.0/16 has room for only 4 /18 blocks, not 5" });
    });

    it("numbers hosts from the network address up to the last address, and no further", () => {
        assert.strictEqual(cidrHost("10.31.0.0/16", 10), "10.31.0.10");
        assert.strictEqual(cidrHost("10.31.0.0/16", 0), "10.31.0.0");
        assert.strictEqual(cidrHost("10.31.0.0/16", 256), "10.31.1.0");
        assert.strictEqual(cidrHost("192.168.255.252/30", 3), "192.168.255.255");
        assert.throws(() => cidrHost("192.168.255.252/30", 4), { message: "192.168.255.252/30 has no host number 4" });
    });

    it("finds the block of a given size that holds a block's first address", () => {
        assert.strictEqual(cidrWithPrefix("10.1.2.0/24", 16), "10.1.0.0/16");
        assert.strictEqual(cidrWithPrefix("10.1.2.0/24", 24), "10.1.2.0/24");
        assert.strictEqual(cidrWithPrefix("172.31.255.0/24", 20), "172.31.240.0/20");
    });
});
