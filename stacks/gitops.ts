/**
 * The Git source Flux syncs: this repository, one ref, the `clusters/<env>` entry point, and how
 * Flux authenticates to it (nothing for a public HTTPS repository, a deploy key generated here,
 * an existing Secret, or HTTPS basic auth from secret config).
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import * as semver from "semver";
import { parseAllDocuments } from "yaml";
import { ConfigProblem } from "../core/problems";
import { durationString, rule } from "../core/rules";
import { Environment } from "../core/environments";
import { GitAuth, GitopsConfig, GitopsSecrets, GitRef, redactUrl, refNameProblem, repositoryLocation, urlCredentials, GIT_PASSWORD_KEY, GITHUB_TOKEN_KEY } from "../core/git";
import { arrayOrEmpty, recordOrEmpty, scalarText } from "../core/guards";

export const gitAuthTypes = ["none", "deployKey", "secretRef", "basic"] as const;
export type GitAuthType = (typeof gitAuthTypes)[number];

/** Kubernetes object name (RFC 1123 subdomain), for Secrets named in config. */
const secretName = z
    .string(rule("must be a string", "set the name of a Secret in the flux-system namespace"))
    .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, rule("is not a Kubernetes object name", "use lowercase letters, digits, '-' and '.', e.g. git-credentials"));

/**
 * A string that must not be empty. The fix goes on the emptiness check too: without its own error,
 * zod words an empty string with the type's message ("must be a string").
 */
const nonEmptyText = (fix: string) => z.string(rule("must be a string", fix)).min(1, rule("is empty", fix));

const authSchema = z.strictObject({
    type: z.enum(gitAuthTypes, rule("is not an authentication type", `use one of ${gitAuthTypes.join(", ")}`)),
    /** secretRef: an existing Secret in flux-system holding Flux's Git credentials. */
    secretName: secretName.optional(),
    /** basic: the HTTPS user name; the password or token is the secret key fluxpilot:gitPassword. */
    username: nonEmptyText("set the HTTPS user name, e.g. git").optional(),
});

const githubSchema = z.strictObject({
    /** User or organisation that owns the repository; the token is the secret key fluxpilot:githubToken. */
    owner: z
        .string(rule("must be a string", "set the GitHub user or organisation, e.g. acme"))
        .regex(/^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}$/, rule("is not a GitHub user or organisation name", "use the owner shown in the repository URL, e.g. acme")),
});

export const gitopsSchema = z.strictObject({
    /** https://host/owner/repo(.git) or ssh://git@host/owner/repo(.git). */
    repository: nonEmptyText("set the URL of this repository, e.g. https://github.com/acme/fluxpilot"),
    branch: nonEmptyText("set the branch name, e.g. main").optional(),
    tag: nonEmptyText("set the tag, e.g. v1.2.0").optional(),
    semver: nonEmptyText('set a semver range, e.g. ">=1.0.0 <2.0.0"').optional(),
    path: nonEmptyText("set the path, e.g. clusters/prod").optional(),
    interval: durationString.optional(),
    auth: authSchema.optional(),
    github: githubSchema.optional(),
});

export type GitopsRaw = z.infer<typeof gitopsSchema>;

/**
 * https:// or ssh://git@, a host (optionally a port) and a path of plain characters: nothing that
 * could hold a credential (user information, query, fragment) or end a YAML scalar.
 */
const REPOSITORY_URL = /^(https:\/\/|ssh:\/\/git@)[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~-]+)+\/?$/;

export function wellFormedRepositoryUrl(url: string): boolean {
    return REPOSITORY_URL.test(url);
}

export function gitopsDefaults(raw: GitopsRaw, environment: Environment, interval: string, secrets: GitopsSecrets = {}): GitopsConfig {
    const ref: GitRef = raw.tag ? { tag: raw.tag } : raw.semver ? { semver: raw.semver } : { branch: raw.branch ?? "main" };
    const type = raw.auth?.type ?? "none";
    const auth: GitAuth =
        type === "secretRef"
            ? { type, secretName: raw.auth?.secretName ?? "" }
            : type === "basic"
              ? { type, username: raw.auth?.username ?? "git", password: secrets.gitPassword }
              : { type };
    const location = repositoryLocation(raw.repository);
    return {
        repository: raw.repository,
        ref,
        path: normalisePath(raw.path ?? `clusters/${environment}`),
        interval: raw.interval ?? interval,
        auth,
        ...(raw.github ? { github: { owner: raw.github.owner, name: location?.name ?? "", token: secrets.githubToken } } : {}),
    };
}

function normalisePath(p: string): string {
    return path.posix.normalize(p.replace(/^\.\//, "")).replace(/\/$/, "");
}

/** Rules on the Git source; `repoRoot` is this repository's checkout. */
export function validateGitops(raw: GitopsRaw, config: GitopsConfig, key: string, repoRoot: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    // The URL reaches Helm values, outputs and plans: a credential in it is refused, never echoed.
    const shownUrl = redactUrl(config.repository);
    if (urlCredentials(config.repository) !== undefined) {
        problems.push({
            key: `${key}.repository`,
            value: shownUrl,
            message: "holds a user name or credential, which would be stored in plain text in Helm values, outputs, plans and the cluster",
            fix: `remove it from the URL and set auth.type basic with the password from: pulumi config set --secret ${GIT_PASSWORD_KEY} <token>; rotate the credential, since it was exposed`,
        });
    } else if (!wellFormedRepositoryUrl(config.repository)) {
        problems.push({
            key: `${key}.repository`,
            value: shownUrl,
            message: "is neither an https:// nor an ssh:// repository URL",
            fix: "use https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo> (scp-style git@host:repo is not accepted by Flux)",
        });
    }
    for (const name of ["branch", "tag"] as const) {
        const value = raw[name];
        const why = value === undefined ? undefined : refNameProblem(value);
        if (value !== undefined && why) {
            problems.push({
                key: `${key}.${name}`,
                value,
                message: `is not a valid Git ${name} name: it ${why} (git check-ref-format)`,
                fix: `use the ${name} name exactly as Git shows it, e.g. ${name === "branch" ? "main" : "v1.2.0"}`,
            });
        }
    }
    if (raw.semver !== undefined && (semver.validRange(raw.semver) === null || /[\x00-\x1f\x7f]/.test(raw.semver))) {
        problems.push({
            key: `${key}.semver`,
            value: raw.semver,
            message: "is not a semver range",
            fix: 'write a range over the repository\'s tags, e.g. ">=1.0.0 <2.0.0"',
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
    if (config.path.startsWith("..") || path.posix.isAbsolute(config.path) || !/^clusters\/[A-Za-z0-9._/-]+$/.test(config.path)) {
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
    problems.push(...validateAuth(config, key));
    return problems;
}

/** Environments whose Git source is held to the rules below: shared clusters, reviewed content only. */
export function protectedSource(environment: Environment): boolean {
    return environment === "staging" || environment === "prod";
}

/** The branch staging and prod may follow; any tag (or semver range over tags) is allowed too. */
export const REVIEWED_BRANCH = "main";

/**
 * staging and prod sync only reviewed content of this project: their own entry point, the main
 * branch or a release tag, and the repository the project declares (package.json `repository`),
 * since the checks that guard clusters/ and apps/ read this checkout, not whatever the URL names.
 */
export function validateEnvironmentSource(config: GitopsConfig, environment: Environment, key: string, projectRepository: string | undefined): ConfigProblem[] {
    if (!protectedSource(environment)) return [];
    const problems: ConfigProblem[] = [];
    const entryPoint = `clusters/${environment}`;
    if (config.path !== entryPoint) {
        problems.push({
            key: `${key}.path`,
            value: config.path,
            message: `is not ${entryPoint}, the only entry point ${environment} may sync (others hold weaker policies)`,
            fix: `remove path (it defaults to ${entryPoint}) or set it to ${entryPoint}`,
        });
    }
    // An invalid name is reported by validateGitops already.
    if ("branch" in config.ref && config.ref.branch !== REVIEWED_BRANCH && !refNameProblem(config.ref.branch)) {
        problems.push({
            key: `${key}.branch`,
            value: config.ref.branch,
            message: `is not ${REVIEWED_BRANCH}: ${environment} syncs only reviewed content, the ${REVIEWED_BRANCH} branch or a release tag`,
            fix: `merge the change into ${REVIEWED_BRANCH} and set branch: ${REVIEWED_BRANCH} (or remove it), or follow a tag (tag: v1.2.0)`,
        });
    }
    // A malformed URL is reported by validateGitops; comparing it would only repeat that.
    const here = wellFormedRepositoryUrl(config.repository) ? repositoryLocation(config.repository) : undefined;
    const declared = projectRepository === undefined ? undefined : repositoryLocation(projectRepository);
    const same =
        here && declared && here.host === declared.host && here.owner.toLowerCase() === declared.owner.toLowerCase() && here.name.toLowerCase() === declared.name.toLowerCase();
    if (here && !same) {
        problems.push({
            key: `${key}.repository`,
            value: redactUrl(config.repository),
            message: declared
                ? `is not this project's repository (${declared.host}/${declared.owner}/${declared.name}, from package.json), whose content the checks reviewed`
                : "cannot be compared with this project's repository: package.json declares none",
            fix: declared
                ? `use https://${declared.host}/${declared.owner}/${declared.name} or ssh://git@${declared.host}/${declared.owner}/${declared.name}`
                : "set repository.url in package.json to this project's repository",
        });
    }
    return problems;
}

function validateAuth(config: GitopsConfig, key: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const location = repositoryLocation(config.repository);
    const auth = config.auth;
    const authKey = `${key}.auth`;
    if (auth.type === "none" && location?.scheme === "ssh") {
        problems.push({
            key: `${authKey}.type`,
            value: "none",
            message: "leaves an ssh:// repository without credentials",
            fix: "set auth.type to deployKey (generated and registered on GitHub) or secretRef (an existing Secret), or use the https:// URL of a public repository",
        });
    }
    if (auth.type === "deployKey") {
        if (location && location.scheme !== "ssh") {
            problems.push({
                key: `${key}.repository`,
                value: redactUrl(config.repository),
                message: "is not an ssh:// URL, but a deploy key authenticates over SSH",
                fix: `use ssh://git@${location.host}/${location.owner}/${location.name}`,
            });
        }
        if (location && location.host !== "github.com") {
            problems.push({
                key: `${key}.repository`,
                value: redactUrl(config.repository),
                message: "is not on github.com, where the deploy key is registered",
                fix: "use auth.type secretRef with a key you registered on that host yourself",
            });
        }
        if (!config.github) {
            problems.push({
                key: `${key}.github.owner`,
                message: "is missing, but auth.type deployKey registers the key on the GitHub repository",
                fix: "set github.owner to the repository's owner, e.g. acme",
            });
        } else if (!config.github.token) {
            problems.push({
                key: GITHUB_TOKEN_KEY,
                message: "is missing, but auth.type deployKey registers the key on the GitHub repository",
                fix: `run: pulumi config set --secret ${GITHUB_TOKEN_KEY} <token with the repository's administration:write permission>`,
            });
        }
    }
    if (auth.type === "secretRef" && !auth.secretName) {
        problems.push({
            key: `${authKey}.secretName`,
            message: "is missing, but auth.type secretRef reads Git credentials from an existing Secret",
            fix: "set secretName to a Secret in flux-system with identity/known_hosts (SSH) or username/password (HTTPS)",
        });
    }
    if (auth.type === "basic") {
        if (location && location.scheme !== "https") {
            problems.push({
                key: `${key}.repository`,
                value: redactUrl(config.repository),
                message: "is not an https:// URL, but basic auth is for HTTPS",
                fix: `use https://${location.host}/${location.owner}/${location.name}, or auth.type deployKey/secretRef for SSH`,
            });
        }
        if (!auth.password) {
            problems.push({
                key: GIT_PASSWORD_KEY,
                message: "is missing, but auth.type basic needs a password or token",
                fix: `run: pulumi config set --secret ${GIT_PASSWORD_KEY} <password or token with read access>`,
            });
        }
    }
    // Registering a key or webhook on another owner's repository would fail late, or worse, succeed.
    if (config.github && location && location.host === "github.com" && location.owner.toLowerCase() !== config.github.owner.toLowerCase()) {
        problems.push({
            key: `${key}.github.owner`,
            value: config.github.owner,
            message: `does not match the owner in the repository URL (${location.owner})`,
            fix: `set github.owner to ${location.owner}, or correct the repository URL`,
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
    const paths: string[] = [];
    for (const file of manifestFiles(path.join(repoRoot, entryPoint))) {
        for (const doc of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
            const object = recordOrEmpty(doc.toJS());
            const specPath = scalarText(recordOrEmpty(object.spec).path);
            if (object.kind === "Kustomization" && (scalarText(object.apiVersion) ?? "").startsWith("kustomize.toolkit.fluxcd.io/") && specPath) {
                paths.push(normalisePath(specPath));
            }
        }
    }
    return paths;
}

/**
 * The manifest files Flux applies from `dir`, the way kustomize-controller reads it: the local
 * `resources` of its kustomization.yaml (files, and folders followed the same way), or, without
 * one, every YAML file below it.
 */
function manifestFiles(dir: string, seen = new Set<string>()): string[] {
    if (!fs.existsSync(dir) || seen.has(dir)) return [];
    seen.add(dir);
    const kustomization = ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    const entries = kustomization
        ? arrayOrEmpty(recordOrEmpty(parseAllDocuments(fs.readFileSync(kustomization, "utf8"))[0]?.toJS()).resources).map((r) => path.join(dir, String(r)))
        : fs
              .readdirSync(dir)
              .sort()
              .map((f) => path.join(dir, f));
    return entries.flatMap((entry) => {
        if (!fs.existsSync(entry)) return [];
        if (fs.statSync(entry).isDirectory()) return manifestFiles(entry, seen);
        return /\.ya?ml$/.test(entry) && entry !== kustomization ? [entry] : [];
    });
}
