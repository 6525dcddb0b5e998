/** The staged pack (npm run policy:stage) is self-contained: every import resolves inside it or to a declared dependency. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PACK_DEPENDENCIES, stagePolicyPack } from "../../cli/policy/stage";
import { tempDir } from "../plan/support";

function listTs(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listTs(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

describe("npm run policy:stage", () => {
    it("stages a pack whose imports all resolve inside it or to a declared dependency", () => {
        const out = tempDir("policy-stage");
        stagePolicyPack(out);
        const pkg = JSON.parse(fs.readFileSync(path.join(out, "package.json"), "utf8"));
        assert.deepStrictEqual(Object.keys(pkg.dependencies), [...PACK_DEPENDENCIES]);
        assert.match(fs.readFileSync(path.join(out, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$[\s\S]*^main: policy\/$/m);
        for (const file of listTs(out)) {
            for (const [, specifier] of fs.readFileSync(file, "utf8").matchAll(/from "([^"]+)"/g)) {
                if (specifier.startsWith(".")) {
                    const target = path.resolve(path.dirname(file), specifier);
                    assert.ok(
                        target.startsWith(out) && (fs.existsSync(`${target}.ts`) || fs.existsSync(path.join(target, "index.ts"))),
                        `${path.relative(out, file)} imports ${specifier}, missing from the staged pack`,
                    );
                } else if (!/^(fs|path|crypto|os|util|child_process)$/.test(specifier)) {
                    const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
                    assert.ok(name in pkg.dependencies, `${path.relative(out, file)} imports ${name}, which the staged package.json does not declare`);
                }
            }
        }
    });
});
