import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { listStacks, programEntry, ProjectNotFoundError, readStackConfig, SECURE_PLACEHOLDER, StackFileError, StackNotFoundError } from "../../cli/shared/stack-file";
import { tempDir } from "./support";

/** A project directory with the given files (name -> YAML text). */
function project(files: Record<string, string>): string {
    const dir = tempDir("stack-file");
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}

function problemsOf(fn: () => unknown): readonly string[] {
    try {
        fn();
    } catch (error) {
        assert.ok(error instanceof StackFileError, `expected StackFileError, got ${String(error)}`);
        return error.problems;
    }
    assert.fail("expected a StackFileError");
}

const PROJECT = "name: demo\nruntime: nodejs\n";

describe("readStackConfig", () => {
    it("reads namespaced keys with any YAML value", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT,
            "Pulumi.dev.yaml": "config:\n  demo:count: 3\n  demo:on: true\n  aws:region: eu-west-1\n  demo:list: [a, b]\n  demo:obj:\n    x: 1\n",
        });
        assert.deepStrictEqual(readStackConfig(dir, "dev"), {
            project: "demo",
            config: { "aws:region": "eu-west-1", "demo:count": 3, "demo:list": ["a", "b"], "demo:obj": { x: 1 }, "demo:on": true },
            secretKeys: [],
        });
    });

    it("never passes on a secure: value, at the top or nested, and marks its top-level key secret", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT,
            "Pulumi.dev.yaml": [
                "config:",
                "  demo:token:",
                "    secure: v1:AAAAtopLevelCiphertext",
                "  demo:db:",
                "    host: db.internal",
                "    passwords:",
                "      - plain-is-fine",
                "      - secure: v1:BBBBnestedCiphertext",
                "  demo:plain: hello",
                "",
            ].join("\n"),
        });
        const result = readStackConfig(dir, "dev");
        assert.strictEqual(result.config["demo:token"], SECURE_PLACEHOLDER);
        assert.deepStrictEqual(result.config["demo:db"], { host: "db.internal", passwords: ["plain-is-fine", SECURE_PLACEHOLDER] });
        assert.strictEqual(result.config["demo:plain"], "hello");
        assert.deepStrictEqual(result.secretKeys, ["demo:db", "demo:token"]);
        const text = JSON.stringify(result);
        assert.ok(!text.includes("Ciphertext") && !text.includes("v1:"), text);
    });

    it("treats only a map with the single string key `secure` as a secure value", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT,
            "Pulumi.dev.yaml": "config:\n  demo:notSecret:\n    secure: v1:x\n    other: y\n",
        });
        const result = readStackConfig(dir, "dev");
        assert.deepStrictEqual(result.config["demo:notSecret"], { secure: "v1:x", other: "y" });
        assert.deepStrictEqual(result.secretKeys, []);
    });

    it("applies Pulumi.yaml config as the CLI does: defaults for project keys, values for other namespaces, stack wins", () => {
        const dir = project({
            "Pulumi.yaml": [
                PROJECT + "config:",
                "  size: small",
                "  zones: [a, b]",
                "  replicas:",
                "    type: integer",
                "    default: 2",
                "  demo:tier:",
                "    default: gold",
                "  aws:region: us-east-1",
                "  gcp:project:",
                "    value: demo-123",
                "",
            ].join("\n"),
            "Pulumi.dev.yaml": "config:\n  demo:size: large\n  aws:region: eu-central-1\n",
        });
        assert.deepStrictEqual(readStackConfig(dir, "dev").config, {
            "aws:region": "eu-central-1",
            "demo:replicas": 2,
            "demo:size": "large",
            "demo:tier": "gold",
            "demo:zones": ["a", "b"],
            "gcp:project": "demo-123",
        });
    });

    it("a stack value that is secure replaces a plain project default and becomes secret", () => {
        const dir = project({
            "Pulumi.yaml": PROJECT + "config:\n  password: changeme\n",
            "Pulumi.dev.yaml": "config:\n  demo:password:\n    secure: v1:zzz\n",
        });
        const result = readStackConfig(dir, "dev");
        assert.strictEqual(result.config["demo:password"], SECURE_PLACEHOLDER);
        assert.deepStrictEqual(result.secretKeys, ["demo:password"]);
    });

    it("reports every problem with typed project keys together", () => {
        const dir = project({
            "Pulumi.yaml": [
                PROJECT + "config:",
                "  required:",
                "    type: string",
                "  count:",
                "    type: integer",
                "  flags:",
                "    type: array",
                "    items:",
                "      type: boolean",
                "  apiKey:",
                "    type: string",
                "    secret: true",
                "",
            ].join("\n"),
            "Pulumi.dev.yaml": "config:\n  demo:count: many\n  demo:flags: [true, 'false', 3]\n  demo:apiKey: in-plain-text\n  nonamespace: 1\n",
        });
        assert.deepStrictEqual(
            problemsOf(() => readStackConfig(dir, "dev")),
            [
                'config key "nonamespace" has no namespace; write it as "demo:nonamespace"',
                'stack "dev" is missing "demo:required" (declared as string in Pulumi.yaml); set it in the stack file',
                '"demo:count" must be of type integer (given: "many")',
                '"demo:flags" must be of type array<boolean> (given: [true,"false",3])',
                '"demo:apiKey" is declared secret, but stack "dev" sets it in plain text; set it with `pulumi config set --secret`',
            ],
        );
    });

    it('accepts integers as whole numbers or numeric strings, booleans as "true"/"false", and secure values of any type', () => {
        const dir = project({
            "Pulumi.yaml": PROJECT + "config:\n  n:\n    type: integer\n  b:\n    type: boolean\n  s:\n    type: integer\n    secret: true\n",
            "Pulumi.dev.yaml": "config:\n  demo:n: '42'\n  demo:b: 'false'\n  demo:s:\n    secure: v1:abc\n",
        });
        assert.deepStrictEqual(readStackConfig(dir, "dev").secretKeys, ["demo:s"]);
    });

    it("rejects Pulumi.yaml declarations the CLI rejects", () => {
        const dir = project({
            "Pulumi.yaml":
                PROJECT +
                "config:\n  a:\n    default: 1\n    value: 2\n  aws:region:\n    type: string\n    value: x\n  c:\n    type: integer\n    default: no\n  d:\n    typo: 1\n",
            "Pulumi.dev.yaml": "config: {}\n",
        });
        const problems = problemsOf(() => readStackConfig(dir, "dev"));
        assert.deepStrictEqual(problems, [
            'config "a" has both `default` and `value`; keep one',
            'config "aws:region" belongs to another namespace: it can only set `value`, not `type` or `default`',
            'config "c" has a default that is not of type integer',
            'config "d" has unknown attribute(s) typo; allowed: type, description, items, default, value, secret',
        ]);
    });

    it("names the stacks that exist when the stack file is missing", () => {
        const dir = project({ "Pulumi.yaml": PROJECT, "Pulumi.prod.yaml": "config: {}\n", "Pulumi.dev.yaml": "config: {}\n", "Pulumi.local.yml": "" });
        assert.throws(
            () => readStackConfig(dir, "staging"),
            (error: unknown) =>
                error instanceof StackNotFoundError &&
                error.message === `stack "staging" has no Pulumi.staging.yaml in ${dir}; available stacks: dev, local, prod` &&
                error.available.join() === "dev,local,prod",
        );
        assert.deepStrictEqual(listStacks(dir), ["dev", "local", "prod"]);
    });

    it("does not read files outside the stack directory through the stack name", () => {
        const dir = project({ "Pulumi.yaml": PROJECT, "sub/Pulumi.x.yaml": "config: {}\n" });
        assert.throws(() => readStackConfig(path.join(dir, "sub"), "../x"), ProjectNotFoundError);
        assert.throws(() => readStackConfig(dir, "../sub/x"), StackNotFoundError);
    });

    it("finds stack files in stackConfigDir", () => {
        const dir = project({ "Pulumi.yaml": PROJECT + "stackConfigDir: stacks-config\n", "stacks-config/Pulumi.dev.yaml": "config:\n  demo:a: 1\n" });
        assert.deepStrictEqual(readStackConfig(dir, "dev").config, { "demo:a": 1 });
        assert.deepStrictEqual(listStacks(dir), ["dev"]);
    });

    it("finds the program entry as the CLI does: main as a file, main as a directory, else index.ts", () => {
        const plain = project({ "Pulumi.yaml": PROJECT });
        assert.strictEqual(programEntry(plain), path.join(plain, "index.ts"));
        const file = project({ "Pulumi.yaml": PROJECT + "main: src/main.ts\n" });
        assert.strictEqual(programEntry(file), path.join(file, "src", "main.ts"));
        const dir = project({ "Pulumi.yaml": PROJECT + "main: app/\n", "app/index.ts": "" });
        assert.strictEqual(programEntry(dir), path.join(dir, "app", "index.ts"));
    });

    it("reports invalid YAML with the file name, and refuses ESC environments it cannot resolve offline", () => {
        const broken = project({ "Pulumi.yaml": PROJECT, "Pulumi.dev.yaml": "config:\n  demo:a: [1, 2\n" });
        assert.throws(
            () => readStackConfig(broken, "dev"),
            (error: unknown) => error instanceof StackFileError && error.message.startsWith(`${path.join(broken, "Pulumi.dev.yaml")} is not valid:`),
        );
        const esc = project({ "Pulumi.yaml": PROJECT, "Pulumi.dev.yaml": "environment:\n  - demo/dev\nconfig: {}\n" });
        assert.match(problemsOf(() => readStackConfig(esc, "dev"))[0], /ESC environments, which cannot be resolved offline/);
    });
});
