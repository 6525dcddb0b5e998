// ESLint for the whole tree (program and tests): `npm run lint`, run by `npm test`.
// Rule set: typescript-eslint's recommendedTypeChecked (type-aware, through the project service, so
// it reads tsconfig.json and sees what tsc sees) plus Pulumi's plugin, which refuses an Output inside
// a plain template literal (it would print "Calling [toString] on an [Output<T>]..." into a resource).
// Exceptions are few and each says why. Formatting is Prettier's job (`npm run format`), not ESLint's.
import pulumi from "@pulumi/eslint-plugin";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

// The tests that feed mocked inputs through Pulumi's mock runtime read them back as untyped records
// (`args.inputs` is `any` in @pulumi/pulumi's MockResourceArgs); asserting on those is the point of
// the test, so the no-unsafe-* rules are relaxed there and nowhere in the program.
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
