#!/usr/bin/env node
/**
 * The type check and the type-aware lint of `npm test`, on one TypeScript program.
 *
 *     node tools/type-check-and-lint.mjs [--project tsconfig.json] [--no-ignore] [files or folders ...]
 *
 * `tsc -p .` and `eslint .` each build the same program from tsconfig.json (the lint through
 * typescript-eslint's project service), which is most of what each costs. Here the program is
 * built once: its pre-emit diagnostics are what `tsc -p .` reports (the project sets noEmit), and
 * ESLint, run with the project's own eslint.config.mjs, takes it through typescript-eslint's
 * `parserOptions.programs` instead of building its own (docs/benchmarks.md, "Test suite").
 * `npm run lint` and a plain `tsc -p .` still work as before; this is the faster way to run both.
 *
 * Prints tsc's diagnostics, then ESLint's findings (its stylish format), and exits 0 when there
 * are none, 2 on a type error (as tsc), 1 on a lint finding (as eslint --max-warnings 0).
 */
import { ESLint } from "eslint";
import ts from "typescript";
import { pathToFileURL } from "url";

/** The program of `project` and its diagnostics, formatted as tsc prints them without --pretty. */
export function typeCheck(project) {
    const parsed = ts.getParsedCommandLineOfConfigFile(
        project,
        {},
        {
            ...ts.sys,
            onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
                throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
            },
        },
    );
    if (!parsed) throw new Error(`cannot read ${project}`);
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences });
    const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program)];
    const host = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n" };
    return { program, errors: diagnostics.length, output: ts.formatDiagnostics(diagnostics, host) };
}

/** ESLint's findings in `patterns`, with the program handed to the typed rules. */
export async function lint(program, patterns, { ignore = true } = {}) {
    const eslint = new ESLint({
        ignore,
        // The project's config turns on typescript-eslint's project service; this replaces it with the program built above.
        overrideConfig: [{ files: ["**/*.ts"], languageOptions: { parserOptions: { projectService: false, programs: [program] } } }],
    });
    const results = await eslint.lintFiles(patterns);
    const findings = results.reduce((count, result) => count + result.errorCount + result.warningCount, 0);
    const formatter = await eslint.loadFormatter("stylish");
    return { findings, output: await formatter.format(results) };
}

function parseArgs(argv) {
    const options = { project: "tsconfig.json", ignore: true, patterns: [] };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--project" || arg === "-p") {
            options.project = argv[++i];
            if (!options.project) throw new Error("--project needs a tsconfig.json");
        } else if (arg === "--no-ignore") options.ignore = false;
        else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
        else options.patterns.push(arg);
    }
    if (options.patterns.length === 0) options.patterns.push(".");
    return options;
}

async function main(argv) {
    let options;
    try {
        options = parseArgs(argv);
    } catch (error) {
        process.stderr.write(`${error.message}\nusage: node tools/type-check-and-lint.mjs [--project tsconfig.json] [--no-ignore] [files or folders ...]\n`);
        return 2;
    }
    const checked = typeCheck(options.project);
    process.stdout.write(checked.output);
    const linted = await lint(checked.program, options.patterns, options);
    process.stdout.write(linted.output);
    if (checked.errors > 0) return 2;
    return linted.findings > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
    main(process.argv.slice(2)).then(
        (code) => (process.exitCode = code),
        (error) => {
            process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
