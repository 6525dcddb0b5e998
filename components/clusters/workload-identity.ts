/**
 * Workload identities: in-cluster controllers that need a cloud identity, declared per cluster in
 * the stack file as a short list (service account, namespace, cloud permissions). Each provider
 * creates them on its cloud's native mechanism (`<provider>/workload-identity.ts`): EKS Pod
 * Identity, GKE Workload Identity, AKS workload identity with a federated credential. This file
 * holds what is the same on every cloud: the schema, the rules, and the names of the facts.
 */
import { createHash } from "crypto";
import { z } from "zod";
import { ConfigProblem } from "../../core/problems";
import { FLUX_NAMESPACE, KUSTOMIZE_CONTROLLER_SA } from "../../core/flux";
import { rule } from "../../core/rules";

/** A Kubernetes namespace or service account name (RFC 1123 label). */
const kubernetesName = z
    .string(rule("must be a string", "quote the name"))
    .regex(
        /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
        rule(
            "is not a Kubernetes name (lowercase letters, digits and '-', at most 63)",
            "write it as the service account or namespace is named in the cluster, e.g. cluster-autoscaler",
        ),
    );

export const workloadIdentitySchema = z.strictObject({
    serviceAccount: kubernetesName,
    namespace: kubernetesName,
    /** In the cloud's own form: IAM policy ARNs (AWS), IAM roles (Google Cloud), role definition IDs (Azure). */
    permissions: z.array(z.string(rule("must be a string", "write each permission in the cloud's form, e.g. arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"))),
});
export type WorkloadIdentityConfig = z.infer<typeof workloadIdentitySchema>;

/** What a permission looks like on one cloud, for the rules and their messages. */
export interface PermissionForm {
    pattern: RegExp;
    what: string;
    example: string;
}

/**
 * Rules on one cluster's list: at least one permission each, every permission in the cloud's
 * form, and one identity per service account (two would race for the same account's annotation
 * or association). `key` is the list's config key, e.g. `fluxpilot:clusters[0].workloadIdentities`.
 */
export function workloadIdentityProblems(identities: readonly WorkloadIdentityConfig[], key: string, form: PermissionForm): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const seen = new Map<string, number>();
    identities.forEach((identity, index) => {
        const at = `${key}[${index}]`;
        const account = `${identity.namespace}/${identity.serviceAccount}`;
        if (identity.permissions.length === 0) {
            problems.push({
                key: `${at}.permissions`,
                value: identity.permissions,
                message: `gives ${account} no cloud permission`,
                fix: `list what it needs, each as ${form.what}, e.g. ${form.example}, or remove the identity`,
            });
        }
        identity.permissions.forEach((permission, p) => {
            if (!form.pattern.test(permission)) {
                problems.push({
                    key: `${at}.permissions[${p}]`,
                    value: permission,
                    message: `is not a permission this cloud understands (expected ${form.what})`,
                    fix: `write it like ${form.example}`,
                });
            }
        });
        if (identity.namespace === FLUX_NAMESPACE && identity.serviceAccount === KUSTOMIZE_CONTROLLER_SA) {
            problems.push({
                key: `${at}.serviceAccount`,
                value: account,
                message: "is created by fluxpilot on every managed cluster, for SOPS decryption with the cluster's key (docs/secrets.md)",
                fix: "remove this identity: fluxpilot creates it with decrypt on the cluster's SOPS key and nothing else",
            });
        }
        const fact = identityFactName(identity);
        const earlier = seen.get(fact);
        if (earlier !== undefined) {
            problems.push({
                key: `${at}.serviceAccount`,
                value: account,
                message: `is the service account of ${key}[${earlier}] too (or has the same fact name, ${fact})`,
                fix: "declare each service account once, with all the permissions it needs",
            });
        } else {
            seen.set(fact, index);
        }
    });
    return problems;
}

/** The cluster fact holding an identity's cloud identifier: `identity_<namespace>_<serviceAccount>`, `-` as `_`. */
export function identityFactName(identity: Pick<WorkloadIdentityConfig, "namespace" | "serviceAccount">): string {
    return `identity_${identity.namespace}_${identity.serviceAccount}`.replace(/-/g, "_");
}

/** A short, stable suffix for cloud names with tight limits (IAM role names, Google account IDs). */
export function identitySuffix(cluster: string, identity: Pick<WorkloadIdentityConfig, "namespace" | "serviceAccount">, length = 8): string {
    return createHash("sha256").update(`${cluster}/${identity.namespace}/${identity.serviceAccount}`).digest("hex").slice(0, length);
}
