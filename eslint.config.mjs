// ESLint for the whole tree (program and tests): `npm run lint`, run by `npm test`.
// Rule set: typescript-eslint's recommendedTypeChecked (type-aware, through the project service, so
// it reads tsconfig.json and sees what tsc sees) plus Pulumi's plugin, which refuses an Output inside
// a plain template literal (it would print "Calling [toString] on an [Output<T>]..." into a resource).
// Exceptions are few and each says why. Formatting is Prettier's job (`npm run format`), not ESLint's.
import pulumi from "@pulumi/eslint-plugin";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

// The rules that follow an `any` around. Relaxed for the tests only, which read mocked inputs and
// parsed JSON as untyped records (test/support/harness.ts: RegisteredResource.inputs) and assert on
// them field by field. Program code reads raw data as `unknown` through core/guards.ts.
const unsafeRulesOff = {
    "@typescript-eslint/no-unsafe-argument": "off",
    "@typescript-eslint/no-unsafe-assignment": "off",
    "@typescript-eslint/no-unsafe-call": "off",
    "@typescript-eslint/no-unsafe-member-access": "off",
    "@typescript-eslint/no-unsafe-return": "off",
};

export default defineConfig(
    globalIgnores([
        "node_modules/",
        "bin/",
        "out/",
        "reports/",
        ".cache/",
        ".stryker-tmp/",
        ".pulumi-state/",
        // Code the lint must refuse; test/lint/rules.test.ts lints it on purpose.
        "test/lint/fixtures/",
        // Kubernetes manifests and rendered output, not code.
        "apps/",
        "clusters/",
        "infrastructure/",
    ]),
    {
        files: ["**/*.ts"],
        extends: [tseslint.configs.recommendedTypeChecked],
        languageOptions: {
            parserOptions: {
                projectService: true,
                tsconfigRootDir: import.meta.dirname,
            },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // tsc owns unused code (noUnusedLocals, noUnusedParameters in tsconfig.json); the ESLint rule
            // would repeat it and also refuse a schema kept only for `z.infer<typeof schema>`.
            "@typescript-eslint/no-unused-vars": "off",
        },
        linterOptions: { reportUnusedDisableDirectives: "error" },
    },
    {
        // The two places that load modules at run time, on purpose, through Node's require (and so
        // through ts-node's hook, as Pulumi's Node language host does): the fluxpilot command line
        // defers the Automation API until a subcommand needs it (so --help and usage errors stay
        // instant), and the offline plan loads the program file it is given.
        files: ["cli/fluxpilot/cli.ts", "cli/plan/run.ts"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["test/**/*.ts"],
        // The lint's own fixtures are held to the program's rules.
        ignores: ["test/lint/fixtures/**"],
        rules: {
            ...unsafeRulesOff,
            // The same records (mocked inputs, parsed JSON documents) are named `any` where a test
            // reads them; the program itself keeps no-explicit-any.
            "@typescript-eslint/no-explicit-any": "off",
            // Fakes implement async interfaces (gateways, GitHub clients) with immediate answers.
            "@typescript-eslint/require-await": "off",
            // Tests load program modules afresh (index.ts re-run with new config) and the plain-JS
            // GitHub scripts, which only require() can do under mocha's CommonJS loader.
            "@typescript-eslint/no-require-imports": "off",
        },
    },
);
