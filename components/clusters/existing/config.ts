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

/** Reads the chosen context out of a kubeconfig document; throws naming what is missing. */
export function selectKubeconfigContext(document: string, context: string | undefined, source: string): KubeconfigView {
    const parsed = parseYaml(document) ?? {};
    const contextName: string | undefined = context ?? parsed["current-context"];
    const contextEntry = (parsed.contexts ?? []).find((c: any) => c?.name === contextName);
    const known: string[] = (parsed.contexts ?? []).map((c: any) => c?.name).filter((n: unknown) => typeof n === "string");
    if (!contextName || !contextEntry) {
        throw new KubeconfigContextError(
            `kubeconfig ${source} has no context "${contextName ?? "(no current-context)"}"; contexts there: ${known.join(", ") || "none"}`,
            contextName,
            known,
        );
    }
    const cluster = (parsed.clusters ?? []).find((c: any) => c?.name === contextEntry.context?.cluster);
    if (!cluster?.cluster?.server) {
        throw new KubeconfigContextError(
            `kubeconfig ${source}: context "${contextName}" names cluster "${contextEntry.context?.cluster}", which has no server`,
            contextName,
            known,
        );
    }
    const minified = {
        apiVersion: "v1",
        kind: "Config",
        "current-context": contextName,
        contexts: [contextEntry],
        clusters: [cluster],
    };
    return { minified: stringifyYaml(minified), server: cluster.cluster.server };
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
    const merged: Record<string, any> = { apiVersion: "v1", kind: "Config", contexts: [], clusters: [], users: [] };
    for (const file of files) {
        const parsed = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
        merged["current-context"] ??= parsed["current-context"];
        for (const section of ["contexts", "clusters", "users"]) {
            for (const entry of parsed[section] ?? []) {
                if (!merged[section].some((e: any) => e?.name === entry?.name)) merged[section].push(entry);
            }
        }
    }
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
            return [{
                key: `${key}.context`,
                ...(config.context === undefined ? {} : { value: config.context }),
                message: `${config.context === undefined ? "is not set, and the file's current-context does not lead to a cluster" : "cannot be used"}: ${error.message}`,
                fix: `set context to one of the file's contexts (${known}), or create the cluster, e.g. 'kind create cluster --name fluxpilot'`,
            }];
        }
        return [{
            key: `${key}.kubeconfig`,
            value: kubeconfig.source,
            message: `could not be read as a kubeconfig: ${(error as Error).message.split("\n")[0]}`,
            fix: "point kubeconfig at a valid kubeconfig file, or remove the key to use $KUBECONFIG or ~/.kube/config",
        }];
    }
}
