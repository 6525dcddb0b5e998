/**
 * The Git source helpers: the reason each git check-ref-format rule gives, the parts of a
 * repository URL, and the user information that may hold a credential.
 */
import * as assert from "assert";
import { redactUrl, refNameProblem, repositoryLocation, urlCredentials } from "../../core/git";

describe("core: Git refs and URLs", () => {
    it("says which git check-ref-format rule a name breaks", () => {
        const reasons: [string, string][] = [
            ["", "is empty"],
            ["a b", "holds a space, a control character (such as a newline), or one of ~ ^ :"],
            ["a\x7fb", "holds a space, a control character (such as a newline), or one of ~ ^ :"],
            ["a:b", "holds a space, a control character (such as a newline), or one of ~ ^ :"],
            ["a*", "holds one of ? * ["],
            ["a\\b", "holds a backslash"],
            ["a..b", "holds two consecutive dots"],
            ["a@{b", "holds @{ or is @ alone"],
            ["@", "holds @{ or is @ alone"],
            ["/a", "starts or ends with /, or holds //"],
            ["a/", "starts or ends with /, or holds //"],
            ["a//b", "starts or ends with /, or holds //"],
            ["a/.b", "has a part that starts with . or ends with .lock"],
            ["a.lock/b", "has a part that starts with . or ends with .lock"],
            ["a.", "ends with ."],
            ["-a", "starts with -"],
        ];
        for (const [name, reason] of reasons) assert.strictEqual(refNameProblem(name), reason, JSON.stringify(name));
        for (const name of ["main", "release/1.2", "v1.2.0", "a@b", "a-", "a.b"]) assert.strictEqual(refNameProblem(name), undefined, name);
    });

    it("reads scheme, host (lowercased), owner and name from https:// and ssh:// URLs", () => {
        assert.deepStrictEqual(repositoryLocation("https://GitHub.com/Acme/FluxPilot.git"), { scheme: "https", host: "github.com", owner: "Acme", name: "FluxPilot" });
        assert.deepStrictEqual(repositoryLocation("ssh://git@github.com:22/acme/fluxpilot/"), { scheme: "ssh", host: "github.com", owner: "acme", name: "fluxpilot" });
        for (const url of [
            "git@github.com:acme/fluxpilot",
            "http://github.com/acme/fluxpilot",
            "https://github.com/acme",
            "https://github.com/acme/fluxpilot/extra",
            " https://github.com/acme/fluxpilot",
        ]) {
            assert.strictEqual(repositoryLocation(url), undefined, url);
        }
    });

    it("finds user information in malformed URLs too, which the refusal prints: after a junk prefix, without '://', or with a '#' in the password", () => {
        const cases: [url: string, credentials: string | undefined, shown: string][] = [
            [" https://u:tok@github.com/a/b", "u:tok", " https://[redacted]@github.com/a/b"],
            ["\thttps://u:tok@github.com/a/b", "u:tok", "\thttps://[redacted]@github.com/a/b"],
            ["https ://u:tok@github.com/a/b", "u:tok", "https ://[redacted]@github.com/a/b"],
            ["1https://u:tok@github.com/a/b", "u:tok", "1https://[redacted]@github.com/a/b"],
            ["https:/u:tok@github.com/a/b", "https:/u:tok", "[redacted]@github.com/a/b"],
            ["https//u:tok@github.com/a/b", "https//u:tok", "[redacted]@github.com/a/b"],
            ["u:tok@github.com:acme/fluxpilot", "u:tok", "[redacted]@github.com:acme/fluxpilot"],
            ["deploy@github.com:acme/fluxpilot", "deploy", "[redacted]@github.com:acme/fluxpilot"],
            ["https://u:ab#cd@github.com/a/b", "u:ab#cd", "https://[redacted]@github.com/a/b"],
            ["https://u:ab?cd@github.com/a/b?x", "u:ab?cd", "https://[redacted]@github.com/a/b?[redacted]"],
            // The same user information earlier in the text is not what gets replaced.
            ["a@https://a@github.com/a/b", "a", "a@https://[redacted]@github.com/a/b"],
            // "git" is the SSH user, on ssh:// after a junk prefix and scp-style: nothing to hide.
            [" ssh://git@github.com/a/b", undefined, " ssh://git@github.com/a/b"],
            ["git@github.com:acme/fluxpilot", undefined, "git@github.com:acme/fluxpilot"],
            ["github.com/acme/fluxpilot", undefined, "github.com/acme/fluxpilot"],
            ["ssh ://git@github.com/a/b", undefined, "ssh ://git@github.com/a/b"],
            ["x ssh://git@github.com/a/b", undefined, "x ssh://git@github.com/a/b"],
            ["://u:tok@github.com/a/b", "u:tok", "://[redacted]@github.com/a/b"],
            // No path after the host, so no slash ends the search.
            ["https://u:tok@github.com", "u:tok", "https://[redacted]@github.com"],
            // Empty user information is still user information.
            ["https://@github.com/a/b", "", "https://[redacted]@github.com/a/b"],
            ["@github.com:acme/fluxpilot", "", "[redacted]@github.com:acme/fluxpilot"],
            // A URL in a proxy's path is not this URL's user information (RFC 3986), but its own is hidden when printed.
            ["https://proxy.example.com/https://u:tok@github.com/a/b", undefined, "https://proxy.example.com/https://[redacted]@github.com/a/b"],
            ["ssh://git@proxy.example.com/ssh://git@github.com/a/b", undefined, "ssh://git@proxy.example.com/ssh://[redacted]@github.com/a/b"],
        ];
        for (const [url, credentials, shown] of cases) {
            assert.strictEqual(urlCredentials(url), credentials, JSON.stringify(url));
            assert.strictEqual(redactUrl(url), shown, JSON.stringify(url));
        }
    });

    it("treats any user information as a possible credential, but git@ on ssh://", () => {
        assert.strictEqual(urlCredentials("https://github.com/a/b"), undefined);
        assert.strictEqual(urlCredentials("ssh://git@github.com/a/b"), undefined);
        assert.strictEqual(urlCredentials("SSH://git@github.com/a/b"), undefined);
        assert.strictEqual(urlCredentials("ssh://deploy@github.com/a/b"), "deploy");
        assert.strictEqual(urlCredentials("https://git@github.com/a/b"), "git");
        assert.strictEqual(urlCredentials("https://u:p@github.com/a/b"), "u:p");
        // An @ after the host is in the path, not user information.
        assert.strictEqual(urlCredentials("https://github.com/a/b@c"), undefined);
        assert.strictEqual(redactUrl("https://github.com/a/b#frag\nment"), "https://github.com/a/b#[redacted]");
        assert.strictEqual(redactUrl("ssh://deploy@github.com/a/b"), "ssh://[redacted]@github.com/a/b");
    });

    it("reads user information only right after the URL's own scheme, and prints a URL without any unchanged", () => {
        // RFC 3986: user information belongs to the authority; a URL further on (here in the query) has none of this one's.
        const nested = "https://github.com/acme/fluxpilot?mirror=https://user@example.com";
        assert.strictEqual(urlCredentials(nested), undefined);
        assert.strictEqual(redactUrl(nested), "https://github.com/acme/fluxpilot?[redacted]");
        // Without user information nothing is replaced, whatever text before an @ the path holds.
        for (const url of ["https://github.com/acme/fluxpilot", "https://example.com/acme/undefined@fork", "ssh://git@example.com/acme/undefined@fork"]) {
            assert.strictEqual(redactUrl(url), url);
        }
    });
});
