/**
 * How CI reaches the stack's API servers (`fluxpilot:ci`): the runner the deploy job runs on.
 * `pulumi up` installs Flux through each cluster's Kubernetes API, so the runner must reach every
 * endpoint. There are three ways (docs/operations.md, "Reaching private and allow-listed API
 * servers"):
 * - self-hosted: a runner inside the cluster's network (VPC/VNet, or peered or VPN-connected to
 *   it), which reaches a private endpoint and needs no allow-list entry;
 * - larger-runner: a GitHub-hosted larger runner with static public IP ranges (GitHub docs,
 *   "About larger runners": static IP addresses), which go into each endpoint's allowedCidrs;
 * - github-hosted: standard runners, whose addresses change and are shared ("About GitHub-hosted
 *   runners", IP addresses); they reach only endpoints open to the internet.
 */
import { z } from "zod";
import { cidrContains } from "../core/cidr";
import { ConfigProblem, StackConfigError } from "../core/problems";
import { parseWithProblems } from "../core/zod-problems";
import { cidr, rule } from "../core/rules";
import { ClusterConfigBase, EndpointConfig } from "../components/clusters/provider";
import { OPEN_TO_THE_INTERNET } from "../components/clusters/managed";

export const CI_RUNNERS = ["self-hosted", "larger-runner", "github-hosted"] as const;
export type CiRunner = (typeof CI_RUNNERS)[number];

/** GitHub runner labels: letters, digits and . _ - (as `runs-on` takes them). */
const label = z
    .string(rule("must be a string", 'quote the runner label, e.g. "self-hosted"'))
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, rule("is not a runner label", "use the label or runner name GitHub shows for the runner, e.g. fluxpilot-prod"));

export const ciSchema = z.strictObject({
    runner: z.enum(CI_RUNNERS, rule("is not a way for CI to reach the clusters", `use one of ${CI_RUNNERS.join(", ")}`)),
    /** `runs-on` of the deploy job: the labels of a self-hosted runner, or the larger runner's name. */
    runsOn: z.array(label).min(1, rule("is empty", "name the runner labels, e.g. [self-hosted, linux, fluxpilot-prod]")).optional(),
    /** The static egress ranges of a larger runner, as GitHub lists them for it. */
    egressCidrs: z.array(cidr).optional(),
});
export type CiRaw = z.infer<typeof ciSchema>;

export interface CiConfig {
    runner: CiRunner;
    runsOn: string[];
    egressCidrs: string[];
}

/** Standard GitHub-hosted runners, as the workflows used before this setting existed. */
export const DEFAULT_RUNS_ON = ["ubuntu-latest"];

export function ciDefaults(raw: CiRaw | undefined): CiConfig | undefined {
    if (!raw) return undefined;
    return { runner: raw.runner, runsOn: raw.runsOn ?? (raw.runner === "github-hosted" ? DEFAULT_RUNS_ON : []), egressCidrs: raw.egressCidrs ?? [] };
}

/** Refused combinations: a runner kind without what it needs to be chosen or allow-listed. */
export function validateCi(raw: CiRaw, config: CiConfig, key: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (config.runner !== "github-hosted" && raw.runsOn === undefined) {
        problems.push({
            key: `${key}.runsOn`,
            message: `is missing, so the deploy job cannot be sent to the ${config.runner} runner`,
            fix:
                config.runner === "self-hosted"
                    ? "list the runner's labels, e.g. runsOn: [self-hosted, linux, fluxpilot-prod]"
                    : "name the larger runner, e.g. runsOn: [fluxpilot-deploy]",
        });
    }
    if (config.runner === "larger-runner" && config.egressCidrs.length === 0) {
        problems.push({
            key: `${key}.egressCidrs`,
            message: "is empty, but a larger runner is only useful for its static IP ranges",
            fix: "list the ranges GitHub shows under the runner's networking settings, and add them to each endpoint's allowedCidrs",
        });
    }
    if (config.runner !== "larger-runner" && config.egressCidrs.length > 0) {
        problems.push({
            key: `${key}.egressCidrs`,
            value: config.egressCidrs,
            message: `only applies to runner larger-runner, not ${config.runner}`,
            fix:
                config.runner === "self-hosted"
                    ? "remove egressCidrs, or allow-list your network's NAT egress in each endpoint's allowedCidrs"
                    : "use runner: larger-runner for static IPs, or remove egressCidrs",
        });
    }
    return problems;
}

/** How an endpoint can be reached: by anyone, from listed ranges only, or from its network only. */
function exposure(endpoint: EndpointConfig): "open" | "allow-listed" | "private" {
    if (!endpoint.publicAccess) return "private";
    return endpoint.allowedCidrs.includes(OPEN_TO_THE_INTERNET) ? "open" : "allow-listed";
}

/** A cluster entry whose API endpoint the program creates (adopted clusters have none to check). */
function endpointOf(cluster: ClusterConfigBase): EndpointConfig | undefined {
    const endpoint: unknown = (cluster as ClusterConfigBase & { endpoint?: unknown }).endpoint;
    if (typeof endpoint !== "object" || endpoint === null || !("publicAccess" in endpoint)) return undefined;
    return endpoint as EndpointConfig;
}

/**
 * Warnings, not errors: a stack may deploy from a laptop inside the network, so nothing here is
 * certainly wrong, but each one is a deploy from CI that would time out on the API server.
 */
export function ciReachWarnings(ci: CiConfig | undefined, clusters: readonly { config: ClusterConfigBase; key: string }[], ciKey: string): ConfigProblem[] {
    const warnings: ConfigProblem[] = [];
    for (const { config, key } of clusters) {
        const endpoint = endpointOf(config);
        if (!endpoint) continue;
        const reach = exposure(endpoint);
        if (reach === "open") continue;
        const where = reach === "private" ? "a private API endpoint" : `an API endpoint allow-listed to ${endpoint.allowedCidrs.join(", ")}`;
        if (!ci) {
            warnings.push({
                key: ciKey,
                message: `is not set, but cluster ${config.name} has ${where}, so nothing says how CI reaches it`,
                fix: `set ${ciKey}.runner to self-hosted (a runner in the cluster's network) or larger-runner (static IPs in allowedCidrs); see docs/operations.md`,
            });
        } else if (ci.runner === "github-hosted") {
            warnings.push({
                key: `${ciKey}.runner`,
                value: ci.runner,
                message: `cannot reach cluster ${config.name}, which has ${where}: standard GitHub-hosted runners have no fixed addresses`,
                fix: "use a self-hosted runner in the cluster's network, or a larger runner whose static IPs are in allowedCidrs",
            });
        } else if (ci.runner === "larger-runner" && reach === "private") {
            warnings.push({
                key: `${ciKey}.runner`,
                value: ci.runner,
                message: `reaches cluster ${config.name} from the internet, but its API endpoint is private`,
                fix: `use a self-hosted runner in the cluster's network, or set ${key}.endpoint.publicAccess: true with the runner's ranges in allowedCidrs`,
            });
        } else if (ci.runner === "larger-runner") {
            const missing = ci.egressCidrs.filter((range) => !endpoint.allowedCidrs.some((allowed) => cidrContains(allowed, range)));
            if (missing.length > 0) {
                warnings.push({
                    key: `${key}.endpoint.allowedCidrs`,
                    value: endpoint.allowedCidrs,
                    message: `leaves out the deploy runner's egress ${missing.join(", ")} (${ciKey}.egressCidrs)`,
                    fix: `add ${missing.join(", ")} to ${key}.endpoint.allowedCidrs`,
                });
            }
        }
    }
    return warnings;
}

/**
 * The `runs-on` labels of a stack's deploy job, from its `fluxpilot:ci` value (standard
 * GitHub-hosted runners when unset), checked by the same rules as the program's. Throws
 * StackConfigError when the setting is refused.
 */
export function deployRunsOn(stack: string, value: unknown, key: string): string[] {
    const parsed = parseWithProblems(ciSchema.optional(), value, key);
    const config = ciDefaults(parsed.data);
    const problems = [...parsed.problems, ...(parsed.data && config ? validateCi(parsed.data, config, key) : [])];
    if (problems.length > 0) throw new StackConfigError(stack, problems);
    return config?.runsOn ?? DEFAULT_RUNS_ON;
}
