/**
 * The checker's settings for one repository, read from `flux-checks.yaml` at its root (optional):
 * named rule sets to turn on beyond the generic checks, the Service types each environment
 * allows, workloads allowed host access, and values for postBuild.substituteFrom objects that
 * the repository does not contain. A repository without the file gets the generic checks only.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { z } from "zod";
import { formatKey } from "../core/zod-problems";
import { GitOpsError } from "./problems";

export const CONFIG_FILE = "flux-checks.yaml";

/**
 * Named rule sets. `fluxpilot`: the conventions of a repository synced by FluxPilot's bootstrap,
 * which runs Flux locked down (--no-cross-namespace-refs, --no-remote-bases,
 * --default-service-account): entry-point Kustomizations on the bootstrap's source with
 * kustomize-controller's service account, prune, wait and timings; HelmReleases with
 * helm-controller's; no remote bases; only the Flux kinds FluxPilot uses.
 */
export const RULE_SETS = ["fluxpilot"] as const;
export type RuleSet = (typeof RULE_SETS)[number];

const SERVICE_TYPES = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"] as const;

const schema = z
    .object({
        ruleSets: z.array(z.enum(RULE_SETS)).default([]),
        /** Per environment (the folder name under clusters/), the Service types it allows. */
        serviceTypes: z.record(z.string(), z.array(z.enum(SERVICE_TYPES)).min(1)).default({}),
        /** Workloads allowed hostNetwork/hostPID/hostIPC, hostPath or hostPort: `Kind namespace/name`. */
        allowHostAccess: z.array(z.string().regex(/^[A-Za-z]+ [a-z0-9.-]+\/[a-z0-9.-]+$/, "write Kind namespace/name, e.g. DaemonSet monitoring/node-exporter")).default([]),
        /** postBuild.substituteFrom values: `ConfigMap/<namespace>/<name>` or `Secret/...` to its data. */
        substitutionValues: z
            .record(
                z.string().regex(/^(ConfigMap|Secret)\/[a-z0-9.-]+\/[a-z0-9.-]+$/, "write ConfigMap/<namespace>/<name> or Secret/<namespace>/<name>"),
                z.record(z.string(), z.string()),
            )
            .default({}),
    })
    .strict();

export type ChecksConfig = z.infer<typeof schema>;

export const DEFAULT_CONFIG: ChecksConfig = schema.parse({});

/** Parses the config text; throws a GitOpsError naming each bad key, its value and the fix. */
export function parseChecksConfig(text: string, file: string = CONFIG_FILE): ChecksConfig {
    let raw: unknown;
    try {
        raw = YAML.parse(text) ?? {};
    } catch (error) {
        throw new GitOpsError(`cannot read ${file}`, [{ file, message: `YAML does not parse: ${(error as Error).message.split("\n")[0]}` }]);
    }
    const result = schema.safeParse(raw);
    if (result.success) return result.data;
    throw new GitOpsError(
        `${file} is not valid`,
        result.error.issues.map((issue) => {
            const unknown = issue.code === "unrecognized_keys" ? ` (known keys: ${Object.keys(schema.shape).join(", ")})` : "";
            return { file, message: `${formatKey("", issue.path).replace(/^\./, "") || "<top level>"}: ${issue.message}${unknown}` };
        }),
    );
}

/** The config of the repository at `root`, or the defaults when it has no config file. */
export function loadChecksConfig(root: string): ChecksConfig {
    const file = path.join(root, CONFIG_FILE);
    return fs.existsSync(file) ? parseChecksConfig(fs.readFileSync(file, "utf8")) : DEFAULT_CONFIG;
}
