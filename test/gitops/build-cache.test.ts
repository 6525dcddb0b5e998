/**
 * The kustomize build cache the test run shares between its workers and the command lines they
 * start (gitops-checks/build-cache.ts): a build is reused only when nothing it could read changed.
 *
 * A reused build is told from a fresh one by editing the stored result: a builder that returns
 * the edit read the cache, one that returns what kustomize renders did not.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KustomizeBuildCache } from "../../gitops-checks/build-cache";
import { KUBECTL, KustomizeBuilder } from "../../gitops-checks/kustomize";
import { GitOpsError } from "../../gitops-checks/problems";

const folders: string[] = [];
function tempFolder(prefix: string): string {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), `fluxpilot-${prefix}-`));
    folders.push(folder);
    return folder;
}

function write(root: string, files: Record<string, string>): void {
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
        fs.writeFileSync(path.join(root, file), text);
    }
}

const KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
const configMap = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;

/** A base and an overlay of it, and a folder the overlay does not reach. */
function tree(): string {
    const root = tempFolder("cache-tree");
    write(root, {
        "app/base/kustomization.yaml": `${KUSTOMIZATION}resources: [config.yaml]\n`,
        "app/base/config.yaml": configMap("settings", "base"),
        "app/overlays/dev/kustomization.yaml": `${KUSTOMIZATION}resources: [../../base]\nnamePrefix: dev-\n`,
        "other/kustomization.yaml": `${KUSTOMIZATION}resources: [config.yaml]\n`,
        "other/config.yaml": configMap("other", "x"),
    });
    return root;
}

/** The names of what a Flux build of app/base with `prefix` as its namePrefix renders. */
function fluxNames(builder: KustomizeBuilder, prefix: string): string[] {
    return builder.buildFlux("app/base", { namePrefix: prefix }).objects.map(({ object }) => String((object.metadata as { name?: unknown }).name));
}

function names(builder: KustomizeBuilder, dir: string): string[] {
    return builder.build(dir).objects.map(({ object }) => `${String((object.metadata as { name?: unknown }).name)}=${String((object.data as { value?: unknown }).value)}`);
}

/** The cache's one stored build, edited so that a reader of it can be recognised. */
function markStoredBuild(cache: KustomizeBuildCache): void {
    const files = fs.readdirSync(cache.folder).filter((file) => file.endsWith(".json"));
    assert.strictEqual(files.length, 1, `one stored build, found ${files.join(", ")}`);
    const file = path.join(cache.folder, files[0]);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/"value":"base"/, '"value":"from-the-cache"'));
}

function storedBuilds(cache: KustomizeBuildCache): number {
    return fs.existsSync(cache.folder) ? fs.readdirSync(cache.folder).filter((file) => file.endsWith(".json")).length : 0;
}

describe("gitops: the kustomize build cache shared by a test run", function () {
    this.timeout(60_000);
    let cache: KustomizeBuildCache;

    beforeEach(() => {
        cache = new KustomizeBuildCache(tempFolder("cache"), KUBECTL);
    });
    after(() => {
        for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
    });

    it("gives a second builder, or a copy of the tree elsewhere, the stored build instead of running kustomize again", () => {
        const root = tree();
        assert.deepStrictEqual(names(new KustomizeBuilder(root, cache), "app/overlays/dev"), ["dev-settings=base"]);
        markStoredBuild(cache);
        assert.deepStrictEqual(names(new KustomizeBuilder(root, cache), "app/overlays/dev"), ["dev-settings=from-the-cache"]);
        const copy = tempFolder("cache-copy");
        fs.cpSync(root, copy, { recursive: true });
        assert.deepStrictEqual(names(new KustomizeBuilder(copy, cache), "app/overlays/dev"), ["dev-settings=from-the-cache"]);
        assert.strictEqual(storedBuilds(cache), 1);
    });

    it("builds again when a file the build reaches changes, even in a base outside the directory built", () => {
        const root = tree();
        new KustomizeBuilder(root, cache).build("app/overlays/dev");
        markStoredBuild(cache);
        fs.writeFileSync(path.join(root, "app/base/config.yaml"), configMap("settings", "changed"));
        assert.deepStrictEqual(names(new KustomizeBuilder(root, cache), "app/overlays/dev"), ["dev-settings=changed"]);
        // A new file in a reached folder counts too: kustomize could be told to read it.
        fs.writeFileSync(path.join(root, "app/overlays/dev/extra.yaml"), configMap("extra", "1"));
        assert.deepStrictEqual(names(new KustomizeBuilder(root, cache), "app/overlays/dev"), ["dev-settings=changed"]);
        assert.strictEqual(storedBuilds(cache), 3);
    });

    it("keeps the stored build when only a folder the build does not reach changes", () => {
        const root = tree();
        new KustomizeBuilder(root, cache).build("app/overlays/dev");
        markStoredBuild(cache);
        fs.writeFileSync(path.join(root, "other/config.yaml"), configMap("other", "changed"));
        assert.deepStrictEqual(names(new KustomizeBuilder(root, cache), "app/overlays/dev"), ["dev-settings=from-the-cache"]);
    });

    it("stores a Flux build (generated kustomization, overlay fields) apart from the plain one", () => {
        const root = tree();
        assert.deepStrictEqual(names(new KustomizeBuilder(root, cache), "app/base"), ["settings=base"]);
        assert.deepStrictEqual(fluxNames(new KustomizeBuilder(root, cache), "flux-"), ["flux-settings"]);
        assert.strictEqual(storedBuilds(cache), 2);
        assert.deepStrictEqual(fluxNames(new KustomizeBuilder(root, cache), "flux-"), ["flux-settings"]);
        assert.strictEqual(storedBuilds(cache), 2, "the second Flux build was read, not stored again");
    });

    it("tells apart Flux builds whose generated kustomizations differ only in content, read back to back", () => {
        // The scratch copy's kustomization is rewritten for each build, at the same size here, and
        // on a stored build nothing runs in between: only the content tells the two apart.
        const root = tree();
        const first = new KustomizeBuilder(root, cache);
        assert.deepStrictEqual([fluxNames(first, "aa-"), fluxNames(first, "bb-")], [["aa-settings"], ["bb-settings"]]);
        const second = new KustomizeBuilder(root, cache);
        assert.deepStrictEqual([fluxNames(second, "aa-"), fluxNames(second, "bb-"), fluxNames(second, "cc-")], [["aa-settings"], ["bb-settings"], ["cc-settings"]]);
        assert.strictEqual(storedBuilds(cache), 3);
    });

    it("stores a failed build with kustomize's problem, and gives it back the same", () => {
        const root = tree();
        // Two objects with one id: kustomize refuses the second.
        write(root, {
            "broken/kustomization.yaml": `${KUSTOMIZATION}resources: [a.yaml, b.yaml]\n`,
            "broken/a.yaml": configMap("same", "a"),
            "broken/b.yaml": configMap("same", "b"),
        });
        const failure = (builder: KustomizeBuilder) => {
            try {
                builder.build("broken");
            } catch (error) {
                assert.ok(error instanceof GitOpsError);
                return { message: error.message, problems: error.problems };
            }
            return assert.fail("the broken kustomization built");
        };
        const first = failure(new KustomizeBuilder(root, cache));
        assert.match(first.problems[0].message, /^kustomize build failed: .*already registered id/);
        assert.strictEqual(storedBuilds(cache), 1);
        assert.deepStrictEqual(failure(new KustomizeBuilder(root, cache)), first);
    });

    for (const [what, text] of [
        ["a torn write", '{"objects": ['],
        ["a foreign file", '{"objects": [{"kind": "ConfigMap"}]}'],
        ["a failure without its problems", '{"failure": "kustomize build of x failed"}'],
    ]) {
        it(`rebuilds over a stored build that cannot be read: ${what}`, () => {
            const root = tree();
            new KustomizeBuilder(root, cache).build("app/overlays/dev");
            const [file] = fs.readdirSync(cache.folder);
            fs.writeFileSync(path.join(cache.folder, file), text);
            assert.deepStrictEqual(names(new KustomizeBuilder(root, cache), "app/overlays/dev"), ["dev-settings=base"]);
            assert.notStrictEqual(fs.readFileSync(path.join(cache.folder, file), "utf8"), text, "the build is stored again");
        });
    }

    describe("never stores a build that reads what the key does not cover", () => {
        const uncached: [string, (root: string) => void][] = [
            [
                "a remote base",
                (root) => write(root, { "app/overlays/dev/kustomization.yaml": `${KUSTOMIZATION}resources: [../../base, "https://github.com/example/repo//deploy?ref=v1"]\n` }),
            ],
            [
                "an ssh remote base",
                (root) => write(root, { "app/overlays/dev/kustomization.yaml": `${KUSTOMIZATION}resources: [../../base, "git@github.com:example/repo.git//deploy"]\n` }),
            ],
            [
                "a base outside the tree",
                (root) => {
                    const outside = tempFolder("cache-outside");
                    write(outside, { "kustomization.yaml": `${KUSTOMIZATION}resources: [config.yaml]\n`, "config.yaml": configMap("outside", "o") });
                    write(root, {
                        "app/overlays/dev/kustomization.yaml": `${KUSTOMIZATION}resources: [../../base, ${path.relative(path.join(root, "app/overlays/dev"), outside)}]\n`,
                    });
                },
            ],
            ["a symbolic link", (root) => fs.symlinkSync(path.join(root, "other", "config.yaml"), path.join(root, "app", "base", "linked.yaml"))],
        ];
        for (const [what, change] of uncached) {
            it(what, () => {
                const root = tree();
                change(root);
                const builder = new KustomizeBuilder(root, cache);
                // Built or refused by kustomize (a remote base cannot be fetched here): either way, nothing stored.
                builder.tryBuild("app/overlays/dev");
                assert.strictEqual(storedBuilds(cache), 0);
            });
        }

        // The command line's own failure for it is render.test.ts's (run with this cache on).
        it("a kubectl that cannot be found", () => {
            const root = tree();
            const missing = new KustomizeBuildCache(tempFolder("cache"), path.join(os.tmpdir(), "fluxpilot-no-such-kubectl"));
            assert.strictEqual(missing.keyOf(path.join(root, "app/base"), root, "app/base", new Set()), undefined);
            assert.notStrictEqual(cache.keyOf(path.join(root, "app/base"), root, "app/base", new Set()), undefined);
        });
    });

    it("is off unless FLUXPILOT_KUSTOMIZE_CACHE names a folder; this run's setup names one", () => {
        const saved = process.env.FLUXPILOT_KUSTOMIZE_CACHE;
        assert.ok(saved && fs.statSync(saved).isDirectory(), "test/setup.ts names a folder for the run");
        try {
            delete process.env.FLUXPILOT_KUSTOMIZE_CACHE;
            assert.strictEqual(KustomizeBuildCache.fromEnvironment(KUBECTL), undefined);
            process.env.FLUXPILOT_KUSTOMIZE_CACHE = cache.folder;
            assert.strictEqual(KustomizeBuildCache.fromEnvironment(KUBECTL)?.folder, cache.folder);
        } finally {
            if (saved === undefined) delete process.env.FLUXPILOT_KUSTOMIZE_CACHE;
            else process.env.FLUXPILOT_KUSTOMIZE_CACHE = saved;
        }
    });
});
