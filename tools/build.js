#!/usr/bin/env node
"use strict";
// `node tools/build.js`: keeps out/build (git-ignored) a JavaScript copy of the program and its
// command lines, so `npm run plan|render|validate|fluxpilot|bench` start Node on JavaScript
// instead of transpiling every file with ts-node at every start (docs/benchmarks.md).
//
// A cached transpiler, not a type-check: each .ts file is transpiled on its own (as ts-node
// --transpile-only does) when it is newer than its .js, and TypeScript is only loaded when a
// file changed. Type errors are `npm test`'s and CI's job (`tsc -p .`). With nothing changed the
// check costs a directory walk and a stat per file. No source maps are written or installed: the
// Pulumi SDK takes a stack trace for every promise it creates, and mapping each one through
// source maps costs more than the plan itself (docs/benchmarks.md).
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "out", "build");
// The folders tsconfig.json includes, without test/ (tests run through ts-node under mocha).
const SOURCES = ["index.ts", "core", "components", "stacks", "mock-runtime", "gitops-checks", "cli", "policy"];

function sourceFiles() {
    const files = [];
    const walk = (relative) => {
        const absolute = path.join(ROOT, relative);
        let stat;
        try {
            stat = fs.statSync(absolute);
        } catch {
            return; // a folder this checkout does not have (policy/ before issue 15 lands)
        }
        if (stat.isDirectory()) {
            for (const entry of fs.readdirSync(absolute).sort()) walk(path.join(relative, entry));
        } else if (relative.endsWith(".ts") && !relative.endsWith(".d.ts")) {
            files.push({ relative, mtimeMs: stat.mtimeMs });
        }
    };
    SOURCES.forEach(walk);
    return files;
}

function outputOf(relative) {
    return path.join(OUT, relative.replace(/\.ts$/, ".js"));
}

// Outputs older than this script were transpiled with other options: they are rebuilt too.
const BUILD_SCRIPT_MTIME = fs.statSync(__filename).mtimeMs;

function isStale(file) {
    try {
        return fs.statSync(outputOf(file.relative)).mtimeMs < Math.max(file.mtimeMs, BUILD_SCRIPT_MTIME);
    } catch {
        return true;
    }
}

/** Removes outputs whose source is gone, so a deleted module cannot keep resolving from out/build. */
function removeOrphans(files) {
    const expected = new Set(files.map((file) => outputOf(file.relative)));
    const walk = (dir) => {
        let entries;
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
            return;
        }
        for (const entry of entries) {
            const absolute = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(absolute);
            else if (entry.name.endsWith(".js") && !expected.has(absolute)) fs.rmSync(absolute);
        }
    };
    walk(OUT);
}

function transpile(stale) {
    const ts = require("typescript");
    const compilerOptions = {
        target: ts.ScriptTarget.ES2022,
        // CommonJS output, as tsconfig's "nodenext" gives for this package, with import() kept a
        // real import(): the schema model packages are ES modules, and "commonjs" would turn
        // import() into require(), which they refuse (gitops-checks/schemas.ts: every kind would
        // go unvalidated, a warning each, in `npm run validate` and `npm run render`).
        module: ts.ModuleKind.NodeNext,
        esModuleInterop: true,
        resolveJsonModule: true,
    };
    for (const file of stale) {
        const source = fs.readFileSync(path.join(ROOT, file.relative), "utf8");
        const result = ts.transpileModule(source, { compilerOptions, fileName: file.relative, reportDiagnostics: true });
        const syntaxErrors = (result.diagnostics || []).filter((d) => d.category === ts.DiagnosticCategory.Error);
        if (syntaxErrors.length > 0) {
            const text = ts.formatDiagnostics(syntaxErrors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" });
            throw new Error(`build: ${file.relative} does not parse:\n${text}`);
        }
        const target = outputOf(file.relative);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        // Written aside and renamed: another process (a parallel test worker) may be loading it.
        const aside = `${target}.${process.pid}.tmp`;
        fs.writeFileSync(aside, result.outputText);
        fs.renameSync(aside, target);
    }
}

function build() {
    const files = sourceFiles();
    const stale = files.filter(isStale);
    if (stale.length > 0) transpile(stale);
    removeOrphans(files);
    return { files: files.length, transpiled: stale.length };
}

module.exports = { build, OUT };

if (require.main === module) {
    try {
        const { files, transpiled } = build();
        if (process.argv.includes("--verbose")) process.stderr.write(`build: ${transpiled} of ${files} files transpiled into ${path.relative(process.cwd(), OUT) || "."}\n`);
    } catch (error) {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
    }
}
