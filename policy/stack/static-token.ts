/**
 * A Kubernetes provider authenticates with an exec plugin or a kubeconfig context, never with a
 * static bearer token or a basic-auth password, which would sit in the state until revoked
 * (docs/architecture.md: clusterKubernetesProvider and execKubeconfig).
 */
import { parse as parseYaml } from "yaml";
import { stackPolicy } from "../define";
import { KUBERNETES_PROVIDER_TYPE } from "./clusters";

/** A stack policy, not a resource one: the stack's resources always include its providers. */
export const noStaticToken = stackPolicy({
    name: "kubernetes-provider-no-static-token",
    description: "No Kubernetes provider is built from a static token or password.",
    severity: "critical",
    checkov: [],
    remediationSteps:
        "Build the provider's kubeconfig with execKubeconfig (components/clusters/managed.ts), which runs the cloud's credential plugin, or adopt a cluster through a kubeconfig context.",
    validateStack: ({ resources }, report) => {
        for (const provider of resources.filter((r) => r.type === KUBERNETES_PROVIDER_TYPE)) {
            // Read past the unknown-value guard: a kubeconfig still unknown in a preview (a new
            // cluster's) is no string and is skipped here, instead of stopping the check of every provider.
            const kubeconfig: unknown = Object.getOwnPropertyDescriptor(provider.props, "kubeconfig")?.value;
            if (typeof kubeconfig !== "string") continue;
            for (const user of staticUsers(kubeconfig))
                report(`Kubernetes provider ${provider.name}: kubeconfig user ${user} authenticates with a static token or password`, provider.urn);
        }
    },
});

/** The kubeconfig users with a `token`, `tokenFile` or `password`. A kubeconfig that does not parse is left to the provider to refuse. */
export function staticUsers(kubeconfig: string): string[] {
    let parsed: unknown;
    try {
        parsed = parseYaml(kubeconfig);
    } catch {
        return [];
    }
    const users = isRecord(parsed) && Array.isArray(parsed["users"]) ? parsed["users"] : [];
    return users.flatMap((entry: unknown) => {
        if (!isRecord(entry) || !isRecord(entry["user"])) return [];
        const user = entry["user"];
        return ["token", "tokenFile", "password"].some((key) => user[key] !== undefined) ? [typeof entry["name"] === "string" ? entry["name"] : "(unnamed)"] : [];
    });
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
