/**
 * Adopts a cluster that already exists (a kind cluster on a laptop, or one managed elsewhere)
 * from a kubeconfig file and context. Nothing is created in any cloud: the component only binds
 * a Kubernetes provider to that context so Flux can be installed into it.
 *
 * This file: the stack settings (schema, defaults, rules); cluster.ts builds the component.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { isRecord } from "../../../core/guards";
import { ConfigProblem } from "../../../core/problems";
import { rule } from "../../../core/rules";
import { ClusterConfigBase, clusterFields } from "../provider";

export const existingSchema = z.strictObject({
    name: clusterFields.name,
    cloud: z.literal("existing"),
    /** Where the cluster runs, for outputs only ("local", "on-prem-fra1"). */
    region: clusterFields.region.optional(),
    kubeconfig: z
        .string(rule("must be a string", "set the path of the kubeconfig file, e.g. ~/.kube/config"))
        .min(1, rule("is empty", "set the path of the kubeconfig file, or remove the key to use $KUBECONFIG or ~/.kube/config"))
        .optional(),
    context: z
        .string(rule("must be a string", "set the kubeconfig context name, e.g. kind-fluxpilot"))
        .min(1, rule("is empty", "set the kubeconfig context name, e.g. kind-fluxpilot"))
        .optional(),
    protect: clusterFields.protect,
    tags: clusterFields.tags,
    flux: clusterFields.flux,
});

export type ExistingClusterRaw = z.infer<typeof existingSchema>;

export interface ExistingClusterConfig extends ClusterConfigBase {
    cloud: "existing";
    /**
     * Absolute path of the kubeconfig file when the stack names one; undefined means the
     * default ($KUBECONFIG, else ~/.kube/config) of whoever runs Pulumi, so that state and plans
     * do not depend on one person's home directory.
     */
    kubeconfig?: string;
    /** Context to use; undefined means the file's current-context. */
    context?: string;
}

/** Expands `~` and resolves against the working directory, as kubectl does. */
export function resolveKubeconfigPath(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
    const chosen = configured ?? env.KUBECONFIG?.split(path.delimiter)[0] ?? "~/.kube/config";
    const expanded = chosen.startsWith("~") ? path.join(os.homedir(), chosen.slice(1)) : chosen;
    return path.resolve(expanded);
}

export interface KubeconfigView {
    /**
     * The kubeconfig reduced to the chosen context's cluster (server, CA) and context, without any
     * user entry: an output must not hand out the file's credentials (`--show-secrets` would give
     * cluster-admin). Merge it with your own credentials to use it.
     */
    minified: string;
    server: string;
}

/** A kubeconfig that lacks the context the stack asks for, or whose context leads nowhere. */
export class KubeconfigContextError extends Error {
    constructor(
        message: string,
        /** The context looked for; undefined when neither the stack nor the file names one. */
        readonly context: string | undefined,
        /** Contexts the file does have. */
        readonly known: readonly string[],
    ) {
        super(message);
        this.name = "KubeconfigContextError";
    }
}

/**
 * The parts of a kubeconfig this module reads; everything else in the file is kept as it is. Names
 * and servers stay `unknown` and are compared or checked where they are used, as kubectl tolerates
 * entries it does not need.
 */
const kubeconfigSchema = z.looseObject({
    "current-context": z.unknown().optional(),
    contexts: z.array(z.looseObject({ name: z.unknown().optional(), context: z.looseObject({ cluster: z.unknown().optional() }).nullish() })).nullish(),
    clusters: z.array(z.looseObject({ name: z.unknown().optional(), cluster: z.looseObject({ server: z.unknown().optional() }).nullish() })).nullish(),
    users: z.array(z.looseObject({ name: z.unknown().optional() })).nullish(),
});
type KubeconfigDocument = z.infer<typeof kubeconfigSchema>;

/** A kubeconfig document, parsed and checked; throws naming the first part that is not a kubeconfig's. */
function parseKubeconfig(document: string): KubeconfigDocument {
    const value: unknown = parseYaml(document) ?? {};
    assertKubeconfig(value);
    return value;
}

/**
 * Checks the document against the schema but keeps the document itself: zod's output would list
 * the schema's keys first, and the minified kubeconfig (a provider input) must not change order.
 */
function assertKubeconfig(value: unknown): asserts value is KubeconfigDocument {
    const checked = kubeconfigSchema.safeParse(value);
    if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new Error(`${issue.path.map(String).join(".") || "the document"}: ${issue.message}`);
    }
}

/** Reads the chosen context out of a kubeconfig document; throws naming what is missing. */
export function selectKubeconfigContext(document: string, context: string | undefined, source: string): KubeconfigView {
    const parsed = parseKubeconfig(document);
    const currentContext = parsed["current-context"];
    const contextName = context ?? (typeof currentContext === "string" ? currentContext : undefined);
    const contexts = parsed.contexts ?? [];
    const contextEntry = contexts.find((c) => c.name === contextName);
    const known = contexts.map((c) => c.name).filter((n): n is string => typeof n === "string");
    if (!contextName || !contextEntry) {
        throw new KubeconfigContextError(
            `kubeconfig ${source} has no context "${contextName ?? "(no current-context)"}"; contexts there: ${known.join(", ") || "none"}`,
            contextName,
            known,
        );
    }
    const clusterName = contextEntry.context?.cluster;
    const cluster = (parsed.clusters ?? []).find((c) => c.name === clusterName);
    const server = cluster?.cluster?.server;
    if (!cluster || typeof server !== "string" || !server) {
        throw new KubeconfigContextError(`kubeconfig ${source}: context "${contextName}" names cluster "${String(clusterName)}", which has no server`, contextName, known);
    }
    const minified = {
        apiVersion: "v1",
        kind: "Config",
        "current-context": contextName,
        contexts: [contextEntry],
        clusters: [cluster],
    };
    return { minified: stringifyYaml(minified), server };
}

/** The file the stack names, else the default of whoever runs Pulumi. */
export function kubeconfigFile(config: ExistingClusterConfig): string {
    return config.kubeconfig ?? resolveKubeconfigPath(undefined);
}

/**
 * The kubeconfig as kubectl and the provider see it: the file the stack names, or else every
 * existing file listed in $KUBECONFIG merged with kubectl's rule (the first file to define a
 * name wins), or ~/.kube/config. Undefined when there is no such file on this machine.
 */
export function loadKubeconfig(config: ExistingClusterConfig, env: NodeJS.ProcessEnv = process.env): { document: string; source: string } | undefined {
    const listed = config.kubeconfig === undefined && env.KUBECONFIG ? env.KUBECONFIG.split(path.delimiter).filter((f) => f.length > 0) : [];
    const files = (listed.length > 1 ? listed.map((f) => resolveKubeconfigPath(f, env)) : [kubeconfigFile(config)]).filter((f) => fs.existsSync(f));
    if (files.length === 0) return undefined;
    if (files.length === 1) return { document: fs.readFileSync(files[0], "utf8"), source: files[0] };
    const sections: Record<"contexts" | "clusters" | "users", unknown[]> = { contexts: [], clusters: [], users: [] };
    let currentContext: unknown;
    for (const file of files) {
        const parsed = parseKubeconfig(fs.readFileSync(file, "utf8"));
        currentContext ??= parsed["current-context"];
        for (const section of ["contexts", "clusters", "users"] as const) {
            const kept = sections[section];
            for (const entry of parsed[section] ?? []) {
                if (!kept.some((e) => isRecord(e) && e.name === entry.name)) kept.push(entry);
            }
        }
    }
    const merged = { apiVersion: "v1", kind: "Config", contexts: sections.contexts, clusters: sections.clusters, users: sections.users, "current-context": currentContext };
    return { document: stringifyYaml(merged), source: files.join(path.delimiter) };
}

/**
 * The chosen context, checked with the rest of the config so that a typo in `context` is reported
 * with every other problem, before any resource. A missing file is not a problem here: a preview
 * on another machine (CI) legitimately has none; the component decides (warning or error).
 */
export function kubeconfigProblems(config: ExistingClusterConfig, key: string): ConfigProblem[] {
    const kubeconfig = loadKubeconfig(config);
    if (!kubeconfig) return [];
    try {
        selectKubeconfigContext(kubeconfig.document, config.context, kubeconfig.source);
        return [];
    } catch (error) {
        if (error instanceof KubeconfigContextError) {
            const known = error.known.length > 0 ? error.known.join(", ") : "none";
            return [
                {
                    key: `${key}.context`,
                    ...(config.context === undefined ? {} : { value: config.context }),
                    message: `${config.context === undefined ? "is not set, and the file's current-context does not lead to a cluster" : "cannot be used"}: ${error.message}`,
                    fix: `set context to one of the file's contexts (${known}), or create the cluster, e.g. 'kind create cluster --name fluxpilot'`,
                },
            ];
        }
        return [
            {
                key: `${key}.kubeconfig`,
                value: kubeconfig.source,
                message: `could not be read as a kubeconfig: ${(error as Error).message.split("\n")[0]}`,
                fix: "point kubeconfig at a valid kubeconfig file, or remove the key to use $KUBECONFIG or ~/.kube/config",
            },
        ];
    }
}
