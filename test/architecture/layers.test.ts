/**
 * The dependency rule in `npm test` (.dependency-cruiser.cjs) must catch what it claims to: run
 * it over small throwaway trees that break one rule each, and over one that breaks none.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";

const CONFIG = path.join(REPOSITORY_ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = path.join(REPOSITORY_ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruiser.mjs");

/** Writes `files` (path -> source) into a fresh tree with a tsconfig, and runs the rule over it. */
function cruise(files: Record<string, string>): { code: number | null; output: string } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-layers-"));
    fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }));
    for (const [file, source] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), source);
    }
    const roots = [...new Set(Object.keys(files).map((f) => f.split("/")[0]))];
    const run = spawnSync(process.execPath, [DEPCRUISE, "--config", CONFIG, ...roots], { cwd: root, encoding: "utf8" });
    return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

const clean = {
    "core/problems.ts": "export const a = 1;\n",
    "components/clusters/provider.ts": 'import { a } from "../../core/problems";\nexport const b = a;\n',
    "components/clusters/eks/index.ts": 'import { b } from "../provider";\nexport const eks = b;\n',
    "components/clusters/registry.ts": 'import { eks } from "./eks";\nexport const all = [eks];\n',
    "components/flux/flux.ts": 'import { all } from "../clusters/registry";\nexport const f = all;\n',
    "stacks/model.ts": 'import { f } from "../components/flux/flux";\nexport const m = f;\n',
    "index.ts": 'import { m } from "./stacks/model";\nexport const out = m;\n',
};

describe("architecture: the dependency rule", function () {
    this.timeout(120_000);

    it("passes a tree whose imports all point down", () => {
        const { code, output } = cruise(clean);
        assert.strictEqual(code, 0, output);
    });

    const broken: [string, string, Record<string, string>][] = [
        [
            "no-circular",
            "an import cycle",
            { ...clean, "core/a.ts": 'import { b } from "./b";\nexport const a = b;\n', "core/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n' },
        ],
        ["core-imports-only-below", "core importing the stack model", { ...clean, "core/problems.ts": 'import { m } from "../stacks/model";\nexport const a = m;\n' }],
        [
            "components-clusters-imports-only-below",
            "a provider importing Flux",
            { ...clean, "components/clusters/eks/index.ts": 'import { f } from "../../flux/flux";\nexport const eks = f;\n' },
        ],
        [
            "components-flux-imports-only-below",
            "Flux importing the stack model",
            { ...clean, "components/flux/flux.ts": 'import { m } from "../../stacks/model";\nexport const f = m;\n' },
        ],
        [
            "stacks-imports-only-below",
            "the stack model importing a command line",
            { ...clean, "cli/plan/cli.ts": "export const c = 1;\n", "stacks/model.ts": 'import { c } from "../cli/plan/cli";\nexport const m = c;\n' },
        ],
        [
            "providers-are-independent",
            "one provider importing another",
            { ...clean, "components/clusters/gke/index.ts": 'import { eks } from "../eks";\nexport const gke = eks;\n' },
        ],
        [
            "flux-has-no-per-cloud-branch",
            "Flux importing a provider's folder",
            { ...clean, "components/flux/flux.ts": 'import { eks } from "../clusters/eks";\nexport const f = eks;\n' },
        ],
        [
            "policy-imports-only-below",
            "the policy pack importing a cluster provider",
            { ...clean, "policy/rule.ts": 'import { eks } from "../components/clusters/eks";\nexport const rule = eks;\n' },
        ],
        [
            "only-the-registry-knows-the-providers",
            "a shared cluster module importing a provider",
            { ...clean, "components/clusters/managed.ts": 'import { eks } from "./eks";\nexport const x = eks;\n' },
        ],
    ];
    for (const [rule, what, files] of broken) {
        it(`refuses ${what} (${rule})`, () => {
            const { code, output } = cruise(files);
            assert.notStrictEqual(code, 0, `expected a violation:\n${output}`);
            assert.match(output, new RegExp(`error ${rule}:`));
        });
    }
});
