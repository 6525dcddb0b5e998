/**
 * The stack model: the whole stack configuration, validated and defaulted, decided before any
 * resource is created. `parseStackModel` is pure (config in, model or StackConfigError out), so
 * the offline plan, the Automation API command line and the tests all use the same rules.
 */
import { z } from "zod";
import { projectRepository, REPOSITORY_ROOT } from "../core/repository";
import { ClusterConfigBase, ClusterProvider, ClusterRawBase } from "../components/clusters/provider";
import { clusterProviders, findClusterProvider } from "../components/clusters/registry";
import { FluxRaw, fluxSchema, FluxSettings, resolveFlux, validateClusterFlux } from "../components/flux/settings";
import { ConfigProblem, StackConfigError, redacted } from "../core/problems";
import { fluxKustomizationPaths, gitopsDefaults, gitopsSchema, validateEnvironmentSource, validateGitops } from "./gitops";
import { GIT_PASSWORD_KEY, GITHUB_TOKEN_KEY, GitopsConfig, GitopsSecrets } from "../core/git";
import { formatKey, parseWithProblems, unknownKeyProblem } from "../core/zod-problems";
import { presets, EnvironmentPreset } from "../core/environments";
import { resourceName, rule } from "../core/rules";
import { Environment, environments } from "../core/environments";
import { SecretText } from "../core/secrets";
import { CiConfig, ciDefaults, ciReachWarnings, ciSchema, validateCi } from "./ci";
import { sopsDecryptionWarnings } from "./sops-warnings";
import { isRecord } from "../core/guards";

export const CONFIG_NAMESPACE = "fluxpilot";

export interface StackModel {
    stack: string;
    environment: Environment;
    preset: EnvironmentPreset;
    gitops: GitopsConfig;
    /** Stack-wide Flux settings (`fluxpilot:flux` over the environment defaults). */
    flux: FluxSettings;
    /** Flux settings of each cluster, by cluster name: its `flux` override over `flux`. */
    fluxByCluster: Record<string, FluxSettings>;
    /** Defaulted cluster entries; each is its provider's config type (see components/clusters). */
    clusters: ClusterConfigBase[];
    /** Apps this environment deploys; each is synced by a Flux Kustomization in `gitops.path`. */
    apps: string[];
    /** The runner deploys run on (`fluxpilot:ci`), when the stack says. */
    ci?: CiConfig;
    /** Not refused, but likely to fail a deploy from CI; the program logs each as a warning. */
    warnings: ConfigProblem[];
}

export interface ParseOptions {
    /** Full keys (`fluxpilot:gitops`) whose values are secret: never shown in messages. */
    secretKeys?: readonly string[];
    /**
     * Checkout whose `clusters/` and `apps/` are checked, and whose package.json `repository` (this
     * project's when the checkout has none) is the only one staging and prod may sync; defaults to
     * this repository.
     */
    repoRoot?: string;
}

const environmentSchema = z.enum(environments, rule("is not an environment", `use one of ${environments.join(", ")}`));
const appsSchema = z.array(resourceName);

/** The top-level keys of the `fluxpilot` namespace; gitPassword and githubToken must be secret. */
const settings = ["environment", "gitops", "flux", "clusters", "apps", "ci", "gitPassword", "githubToken"] as const;

const key = (name: string) => `${CONFIG_NAMESPACE}:${name}`;

/**
 * Reads config values the way the Pulumi CLI hands them over: structured values arrive as JSON
 * text, plain strings as themselves.
 */
export function decodeConfigValue(value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

export function parseStackModel(stack: string, config: Record<string, unknown>, options: ParseOptions = {}): StackModel {
    const repoRoot = options.repoRoot ?? REPOSITORY_ROOT;
    const secret = new Set(options.secretKeys ?? []);
    const problems: ConfigProblem[] = [];
    const read = (name: string) => decodeConfigValue(config[key(name)]);

    for (const fullKey of Object.keys(config).sort()) {
        const [namespace, name] = fullKey.split(":", 2);
        if (namespace === CONFIG_NAMESPACE && !(settings as readonly string[]).includes(name)) {
            problems.push(unknownKeyProblem(fullKey, name, settings, key));
        }
    }

    const environment = parseWithProblems(environmentSchema, read("environment"), key("environment"));
    const gitops = parseWithProblems(gitopsSchema, read("gitops"), key("gitops"), secret.has(key("gitops")));
    const flux = parseWithProblems(fluxSchema.optional(), read("flux"), key("flux"), secret.has(key("flux")));
    const apps = parseWithProblems(appsSchema.optional(), read("apps"), key("apps"));
    const ci = parseWithProblems(ciSchema.optional(), read("ci"), key("ci"));
    const clusters = parseClusters(read("clusters"), secret.has(key("clusters")));
    const secrets = readSecrets(config, secret, problems);
    problems.push(...environment.problems, ...gitops.problems, ...flux.problems, ...apps.problems, ...ci.problems, ...clusters.problems);

    // Secret values never reach a message, whichever rule reported them.
    const fail = (): never => {
        throw new StackConfigError(
            stack,
            problems.map((p) => (secret.has(p.key.split(/[.[]/)[0]) && "value" in p ? { ...p, value: redacted } : p)),
        );
    };
    // Defaults depend on the environment; without a valid one, report what was found so far.
    if (!environment.data) return fail();

    const env = environment.data;
    const preset = presets[env];
    // Every part that parsed is defaulted and held to the rules as well, so schema problems in
    // one part and rule problems in another are reported in the same run.
    const gitopsConfig = gitops.data && gitopsDefaults(gitops.data, env, preset.syncInterval, secrets);
    const stackFlux = flux.problems.length === 0 ? resolveFlux(flux.data, undefined, env) : undefined;
    const fluxByCluster: Record<string, FluxSettings> = stackFlux
        ? Object.fromEntries(clusters.entries.map(({ provider, raw, flux: override }) => [raw.name, resolveFlux(flux.data, override, env, provider.flux.clusterType)]))
        : {};
    const clusterConfigs = clusters.entries.map(({ provider, raw }) => provider.withDefaults(raw, preset));

    const gitopsProblems = gitops.data && gitopsConfig ? validateGitops(gitops.data, gitopsConfig, key("gitops"), repoRoot) : [];
    // The environment's rules on the source; a key already reported as malformed is not repeated.
    if (gitopsConfig) {
        const reported = new Set(gitopsProblems.map((p) => p.key));
        gitopsProblems.push(...validateEnvironmentSource(gitopsConfig, env, key("gitops"), projectRepository(repoRoot) ?? projectRepository()).filter((p) => !reported.has(p.key)));
    }
    problems.push(...gitopsProblems);
    if (stackFlux && gitopsConfig) {
        problems.push(
            ...validateClusterFlux(
                clusters.entries.map(({ raw, flux: override, index }) => ({
                    key: formatKey(key("clusters"), [index]),
                    raw: override,
                    settings: fluxByCluster[raw.name],
                    cloud: raw.cloud,
                })),
                key("flux"),
                { environment: env, gitops: gitopsConfig },
            ),
        );
    }
    problems.push(...validateClusters(clusters.entries, clusterConfigs, preset));
    // Apps are checked against the sync path; a wrong path is reported once, not once per app.
    if (gitopsConfig && apps.data && !gitopsProblems.some((p) => p.key === `${key("gitops")}.path`)) {
        problems.push(...validateApps(apps.data, env, gitopsConfig.path, repoRoot));
    }
    const ciConfig = ciDefaults(ci.data);
    if (ci.data && ciConfig) problems.push(...validateCi(ci.data, ciConfig, key("ci")));
    if (problems.length > 0 || !gitopsConfig || !stackFlux) return fail();
    const warnings = [
        ...ciReachWarnings(
            ciConfig,
            clusters.entries.map(({ index }, position) => ({ config: clusterConfigs[position], key: formatKey(key("clusters"), [index]) })),
            key("ci"),
        ),
        ...sopsDecryptionWarnings(
            clusters.entries.map(({ raw, flux: override, index }) => ({
                name: raw.name,
                installerKey: override?.installer === undefined ? `${key("flux")}.installer` : `${formatKey(key("clusters"), [index])}.flux.installer`,
            })),
            fluxByCluster,
        ),
    ];

    return {
        stack,
        environment: env,
        preset,
        gitops: gitopsConfig,
        flux: stackFlux,
        fluxByCluster,
        clusters: clusterConfigs,
        apps: apps.data ?? [],
        ...(ciConfig ? { ci: ciConfig } : {}),
        warnings,
    };
}

/**
 * The secret settings: non-empty strings, stored encrypted (`pulumi config set --secret`). Their
 * values never appear in a message.
 */
function readSecrets(config: Record<string, unknown>, secret: ReadonlySet<string>, problems: ConfigProblem[]): GitopsSecrets {
    // A value that is present but unusable is still returned, so the rules that need it do not add
    // "is missing" for the same key; the recorded problem stops the model from being used.
    const readOne = (fullKey: string): SecretText | undefined => {
        const value = config[fullKey];
        if (value === undefined) return undefined;
        if (typeof value !== "string" || value.length === 0) {
            problems.push({ key: fullKey, message: "must be a non-empty string", fix: `run: pulumi config set --secret ${fullKey} <value>` });
        } else if (!secret.has(fullKey)) {
            problems.push({
                key: fullKey,
                message: "is stored in plain text in the stack file",
                fix: `run: pulumi config set --secret ${fullKey} <value>, and rotate the credential since it was exposed`,
            });
        }
        // An unusable value only stands in for presence: the problem recorded above stops the model.
        return new SecretText(typeof value === "string" ? value : "");
    };
    return { gitPassword: readOne(GIT_PASSWORD_KEY), githubToken: readOne(GITHUB_TOKEN_KEY) };
}

interface ParsedCluster {
    provider: ClusterProvider;
    raw: ClusterRawBase;
    /** The entry's `flux` overrides, parsed with the Flux settings' schema. */
    flux?: FluxRaw;
    /** Position in the stack file's list, for problem keys. */
    index: number;
}

function parseClusters(value: unknown, secret: boolean): { entries: ParsedCluster[]; problems: ConfigProblem[] } {
    const base = key("clusters");
    const clouds = clusterProviders()
        .map((p) => p.cloud)
        .join(", ");
    if (!Array.isArray(value) || value.length === 0) {
        return {
            entries: [],
            problems: [
                {
                    key: base,
                    ...(value === undefined ? {} : { value }),
                    message: value === undefined ? "is missing" : "must be a non-empty list of clusters",
                    fix: `list at least one cluster, each with a name and a cloud (${clouds})`,
                },
            ],
        };
    }
    const entries: ParsedCluster[] = [];
    const problems: ConfigProblem[] = [];
    const list: readonly unknown[] = value;
    list.forEach((entry, index) => {
        const entryKey = formatKey(base, [index]);
        const cloud: unknown = typeof entry === "object" && entry !== null && "cloud" in entry ? entry.cloud : undefined;
        const provider = typeof cloud === "string" ? findClusterProvider(cloud) : undefined;
        if (!provider) {
            problems.push({
                key: `${entryKey}.cloud`,
                ...(cloud === undefined ? {} : { value: cloud }),
                message: cloud === undefined ? "is missing" : "is not a supported cloud",
                fix: `set cloud to one of ${clouds}`,
            });
            return;
        }
        const parsed = parseWithProblems(provider.schema, entry, entryKey, secret);
        // The provider only reserves `flux`; its schema lives with the Flux settings.
        // Checked even when the rest of the entry is not, so every problem comes out in one run.
        const override = parseWithProblems(fluxSchema.optional(), isRecord(entry) ? entry.flux : undefined, `${entryKey}.flux`, secret);
        problems.push(...parsed.problems, ...override.problems);
        if (parsed.data) entries.push({ provider, raw: parsed.data, flux: override.data, index });
    });
    return { entries, problems };
}

function validateClusters(entries: readonly ParsedCluster[], configs: readonly ClusterConfigBase[], preset: EnvironmentPreset): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const seen = new Set<string>();
    entries.forEach(({ provider, index }, position) => {
        const cluster = configs[position];
        const entryKey = formatKey(key("clusters"), [index]);
        if (seen.has(cluster.name)) {
            problems.push({
                key: `${entryKey}.name`,
                value: cluster.name,
                message: "is used by another cluster in this stack",
                fix: "give every cluster a unique name; it names its cloud resources and Pulumi URNs",
            });
        }
        seen.add(cluster.name);
        problems.push(...provider.validate(cluster, preset, entryKey));
    });
    for (const provider of clusterProviders()) {
        const mine = entries.flatMap(({ provider: p, index }, position) => (p === provider ? [{ config: configs[position], key: formatKey(key("clusters"), [index]) }] : []));
        if (provider.validateTogether && mine.length > 1) problems.push(...provider.validateTogether(mine));
    }
    return problems;
}

function validateApps(apps: readonly string[], environment: Environment, gitPath: string, repoRoot: string): ConfigProblem[] {
    const synced = fluxKustomizationPaths(repoRoot, gitPath);
    return apps.flatMap((app, index): ConfigProblem[] => {
        const overlay = `apps/${app}/overlays/${environment}`;
        if (!synced.includes(overlay)) {
            return [
                {
                    key: formatKey(key("apps"), [index]),
                    value: app,
                    message: `is not synced: no Flux Kustomization in ${gitPath} applies ${overlay}`,
                    fix: `add a Kustomization with path ./${overlay} to ${gitPath}, or remove the app from the list`,
                },
            ];
        }
        return [];
    });
}
