/**
 * The Git source Flux syncs: this repository, one ref, and the `clusters/<env>` entry point.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { parseAllDocuments } from "yaml";
import { ConfigProblem } from "./errors";
import { durationString, Environment, rule } from "./rules";

export const gitopsSchema = z.strictObject({
    /** https://host/owner/repo(.git) or ssh://git@host/owner/repo(.git). */
    repository: z
        .string(rule("is missing", "set the URL of this repository, e.g. https://github.com/acme/fluxpilot"))
        .min(1, rule("is empty", "set the URL of this repository, e.g. https://github.com/acme/fluxpilot")),
    branch: z.string(rule("must be a string", "set the branch name, e.g. main")).min(1).optional(),
    tag: z.string(rule("must be a string", "set the tag, e.g. v1.2.0")).min(1).optional(),
    semver: z.string(rule("must be a string", "set a semver range, e.g. \">=1.0.0 <2.0.0\"")).min(1).optional(),
    path: z.string(rule("must be a string", "set the path, e.g. clusters/prod")).min(1).optional(),
    interval: durationString.optional(),
});

export type GitopsRaw = z.infer<typeof gitopsSchema>;

/** Exactly one ref: a branch (the default), a tag, or a semver range over tags. */
export type GitRef = { branch: string } | { tag: string } | { semver: string };

export interface GitopsConfig {
    repository: string;
    ref: GitRef;
    /** Repository-relative path without leading "./", e.g. `clusters/prod`. */
    path: string;
    interval: string;
}

export function gitopsDefaults(raw: GitopsRaw, environment: Environment, interval: string): GitopsConfig {
    const ref: GitRef = raw.tag ? { tag: raw.tag } : raw.semver ? { semver: raw.semver } : { branch: raw.branch ?? "main" };
    return {
        repository: raw.repository,
        ref,
        path: normalisePath(raw.path ?? `clusters/${environment}`),
        interval: raw.interval ?? interval,
    };
}

function normalisePath(p: string): string {
    return path.posix.normalize(p.replace(/^\.\//, "")).replace(/\/$/, "");
}

/** Rules on the Git source; `repoRoot` is this repository's checkout. */
export function validateGitops(raw: GitopsRaw, config: GitopsConfig, key: string, repoRoot: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (!/^(https|ssh):\/\/[^\s/]+\/\S+$/.test(config.repository)) {
        problems.push({
            key: `${key}.repository`,
            value: config.repository,
            message: "is neither an https:// nor an ssh:// repository URL",
            fix: "use https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo> (scp-style git@host:repo is not accepted by Flux)",
        });
    }
    const refs = (["branch", "tag", "semver"] as const).filter((name) => raw[name] !== undefined);
    if (refs.length > 1) {
        problems.push({
            key: `${key}.${refs[1]}`,
            value: raw[refs[1]],
            message: `is set together with ${refs[0]}, but Flux follows exactly one ref`,
            fix: `keep one of ${refs.join(", ")}`,
        });
    }
    if (config.path.startsWith("..") || path.posix.isAbsolute(config.path) || !config.path.startsWith("clusters/")) {
        problems.push({
            key: `${key}.path`,
            value: config.path,
            message: "is not a folder under clusters/",
            fix: "point Flux at this environment's entry point, e.g. clusters/prod",
        });
    } else if (!fs.existsSync(path.join(repoRoot, config.path, "kustomization.yaml")) && !hasYaml(path.join(repoRoot, config.path))) {
        problems.push({
            key: `${key}.path`,
            value: config.path,
            message: "does not exist in this repository (or holds no YAML)",
            fix: `create ${config.path}/ with the Flux Kustomizations for this environment, or correct the path`,
        });
    }
    return problems;
}

function hasYaml(dir: string): boolean {
    return fs.existsSync(dir) && fs.readdirSync(dir).some((f) => /\.ya?ml$/.test(f));
}

/**
 * Paths that the Flux Kustomizations under `entryPoint` apply, repository-relative. Used to check
 * that every app the stack lists is really synced for this environment.
 */
export function fluxKustomizationPaths(repoRoot: string, entryPoint: string): string[] {
    const dir = path.join(repoRoot, entryPoint);
    if (!fs.existsSync(dir)) return [];
    const paths: string[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), "utf8"))) {
            const object = doc.toJS();
            if (object?.kind === "Kustomization" && String(object.apiVersion ?? "").startsWith("kustomize.toolkit.fluxcd.io/") && object.spec?.path) {
                paths.push(normalisePath(String(object.spec.path)));
            }
        }
    }
    return paths;
}
