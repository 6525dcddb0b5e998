/**
 * .github/scripts/federated-token.sh against a local stand-in for GitHub's OIDC token endpoint
 * (issue 11 item 5): the file kubelogin's workloadidentity login reads.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { REPOSITORY_ROOT } from "../../core/repository";

const run = promisify(execFile);
const SCRIPT = path.join(REPOSITORY_ROOT, ".github", "scripts", "federated-token.sh");
const REQUEST_TOKEN = "request-token-of-the-job";

describe("federated token file for kubelogin (.github/scripts/federated-token.sh)", () => {
    let server: http.Server;
    let url = "";
    let status = 200;
    let issued = 0;
    const requests: { audience: string | null; authorization: string | undefined }[] = [];
    let dir = "";

    before(async () => {
        server = http.createServer((req, res) => {
            const query = new URL(req.url ?? "/", "http://localhost").searchParams;
            requests.push({ audience: query.get("audience"), authorization: req.headers.authorization });
            res.statusCode = status;
            res.end(status === 200 ? JSON.stringify({ value: `oidc-token-${++issued}` }) : "unavailable");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        // GitHub's request URL already carries a query; the script appends &audience=.
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "federated-token-"));
    });
    after(() => {
        server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const once = (file: string, env: Record<string, string> = { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN }) =>
        run("bash", [SCRIPT, file, "--once"], { env: { PATH: process.env.PATH ?? "", ...env } });

    it("writes a fresh token for Entra's token exchange to the file, readable by the job's user only, and prints no token", async () => {
        status = 200;
        const file = path.join(dir, "token");
        const { stdout, stderr } = await once(file);
        assert.strictEqual(fs.readFileSync(file, "utf8").trim(), `oidc-token-${issued}`);
        assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);
        assert.deepStrictEqual(requests.at(-1), { audience: "api://AzureADTokenExchange", authorization: `bearer ${REQUEST_TOKEN}` });
        assert.ok(!`${stdout}${stderr}`.includes("oidc-token"), "the token was printed");
    });

    it("keeps the previous token when a refresh fails, and says so by its exit status", async () => {
        status = 200;
        const file = path.join(dir, "kept");
        await once(file);
        const before = fs.readFileSync(file, "utf8");
        status = 503;
        await assert.rejects(once(file));
        assert.strictEqual(fs.readFileSync(file, "utf8"), before);
        assert.ok(!fs.existsSync(`${file}.new`) || fs.readFileSync(`${file}.new`, "utf8") === "", "no partial token replaces the file");
    });

    it("fails clearly when the job may not request OIDC tokens (no id-token: write)", async () => {
        await assert.rejects(once(path.join(dir, "none"), {}), (error: Error & { stderr?: string }) => /id-token: write/.test(error.stderr ?? ""));
    });
});
