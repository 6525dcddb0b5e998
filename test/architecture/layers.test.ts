/**
 * The dependency rule in `npm test` (.dependency-cruiser.cjs) must catch what it claims to: run
 * it over small throwaway trees that break one rule each, and over one that breaks none.
 *
 * Loading dependency-cruiser (and TypeScript with it) costs more CPU than cruising a tree, so the
 * trees go through its JavaScript API, loaded once for this file. One test still runs the command
 * line that `npm run deps` runs, so the config file, the report and the exit code stay covered.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import type { ICruiseResult } from "dependency-cruiser";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPOSITORY_ROOT } from "../../core/repository";

const CONFIG = path.join(REPOSITORY_ROOT, ".dependency-cruiser.cjs");
const DEPCRUISE = path.join(REPOSITORY_ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruiser.mjs");

/** Source files by path inside a tree. */
type Tree = Record<string, string>;

/** A tree written to disk, and the top-level files and folders to cruise in it (what `npm run deps` lists). */
interface WrittenTree {
    root: string;
    roots: string[];
}

const written: string[] = [];

/** Writes `files` into a fresh folder with a tsconfig, to be removed after the tests. */
function writeTree(files: Tree): WrittenTree {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-layers-"));
    written.push(root);
    fs.writeFileSync(path.join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }));
    for (const [file, source] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), source);
    }
    return { root, roots: [...new Set(Object.keys(files).map((f) => f.split("/")[0]))] };
}

/** The command line, as `npm run deps` runs it: from the tree's folder, with the project's config. */
function runCommandLine(files: Tree): { code: number | null; output: string } {
    const { root, roots } = writeTree(files);
    const run = spawnSync(process.execPath, [DEPCRUISE, "--config", CONFIG, ...roots], { cwd: root, encoding: "utf8" });
    return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The rules the command line's report names (its lines read `error <rule>: from → to`). */
function reportedRules(output: string): string[] {
    return [...new Set([...output.matchAll(/^\s*error (\S+):/gm)].map((m) => m[1]))].sort();
}

/**
 * Loads dependency-cruiser and the project's config once, and returns a function that cruises a tree
 * with them. The command line resolves the config's relative names (the tsconfig, the paths its rules
 * match) from its working folder; here the tree's folder is passed as baseDir instead, so the mocha
 * process keeps its own working folder.
 */
async function loadCruiser(): Promise<(files: Tree) => Promise<ICruiseResult>> {
    // ESM-only package: a dynamic import, which TypeScript keeps as import() in this CommonJS file.
    const [{ cruise }, { default: extractDepcruiseOptions }, { default: extractTSConfig }] = await Promise.all([
        import("dependency-cruiser"),
        import("dependency-cruiser/config-utl/extract-depcruise-options"),
        import("dependency-cruiser/config-utl/extract-ts-config"),
    ]);
    const options = await extractDepcruiseOptions(CONFIG);
    const tsConfigName = options.tsConfig?.fileName;
    if (tsConfigName === undefined) throw new Error(`${CONFIG} names no tsConfig, but the trees are TypeScript and carry one`);
    return async (files) => {
        const { root, roots } = writeTree(files);
        const tsConfig = path.join(root, tsConfigName);
        const { output } = await cruise(roots, { ...options, baseDir: root, tsConfig: { fileName: tsConfig } }, {}, { tsConfig: extractTSConfig(tsConfig) });
        if (typeof output === "string") throw new Error(`expected the cruise result object, got a formatted report:\n${output}`);
        return output;
    };
}

/** The rules the cruise found broken. */
function brokenRules(result: ICruiseResult): string[] {
    return [...new Set(result.summary.violations.map((v) => v.rule.name))].sort();
}

/** A cruise that saw fewer files, or could not follow an import, would pass a tree without judging it. */
function assertCruisedWhole(result: ICruiseResult, files: Tree): void {
    assert.deepStrictEqual(result.modules.map((m) => m.source).sort(), Object.keys(files).sort());
    const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} -> ${d.module}`));
    assert.deepStrictEqual(unresolved, []);
}

const clean: Tree = {
    "core/problems.ts": "export const a = 1;\n",
    "components/clusters/provider.ts": 'import { a } from "../../core/problems";\nexport const b = a;\n',
    "components/clusters/eks/index.ts": 'import { b } from "../provider";\nexport const eks = b;\n',
    "components/clusters/registry.ts": 'import { eks } from "./eks";\nexport const all = [eks];\n',
    "components/flux/flux.ts": 'import { all } from "../clusters/registry";\nexport const f = all;\n',
    "stacks/model.ts": 'import { f } from "../components/flux/flux";\nexport const m = f;\n',
    "index.ts": 'import { m } from "./stacks/model";\nexport const out = m;\n',
};

/** Breaks two rules: core importing upward, and the cycle that import closes. */
const coreImportsStackModel: Tree = { ...clean, "core/problems.ts": 'import { m } from "../stacks/model";\nexport const a = m;\n' };

/** [rule, what breaks it, tree]: each tree is the clean one plus what the rule forbids. */
const broken: [string, string, Tree][] = [
    [
        "no-circular",
        "an import cycle",
        { ...clean, "core/a.ts": 'import { b } from "./b";\nexport const a = b;\n', "core/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n' },
    ],
    ["core-imports-only-below", "core importing the stack model", coreImportsStackModel],
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
    ["providers-are-independent", "one provider importing another", { ...clean, "components/clusters/gke/index.ts": 'import { eks } from "../eks";\nexport const gke = eks;\n' }],
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

describe("architecture: the dependency rule", function () {
    this.timeout(120_000);

    let cruiseTree: (files: Tree) => Promise<ICruiseResult>;
    before(async () => {
        cruiseTree = await loadCruiser();
    });
    after(() => {
        for (const root of written.splice(0)) fs.rmSync(root, { recursive: true, force: true });
    });

    it("passes a tree whose imports all point down", async () => {
        const result = await cruiseTree(clean);
        assertCruisedWhole(result, clean);
        assert.deepStrictEqual(result.summary.violations, []);
    });

    for (const [rule, what, files] of broken) {
        it(`refuses ${what} (${rule})`, async () => {
            const result = await cruiseTree(files);
            assertCruisedWhole(result, files);
            const errors = result.summary.violations.filter((v) => v.rule.name === rule && v.rule.severity === "error");
            assert.ok(errors.length > 0, `expected an error from ${rule}, got: ${brokenRules(result).join(", ") || "no violation"}`);
        });
    }

    it("runs as `npm run deps` does: the command line passes the clean tree and fails a broken one, naming the rules the API finds", async () => {
        const passed = runCommandLine(clean);
        assert.strictEqual(passed.code, 0, passed.output);

        const failed = runCommandLine(coreImportsStackModel);
        assert.notStrictEqual(failed.code, 0, `expected a violation:\n${failed.output}`);
        const expected = brokenRules(await cruiseTree(coreImportsStackModel));
        assert.ok(expected.length > 1, `expected this tree to break more than one rule, got: ${expected.join(", ")}`);
        assert.deepStrictEqual(reportedRules(failed.output), expected, failed.output);
    });
});
