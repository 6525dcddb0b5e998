/**
 * Flux settings: stack-wide under `fluxpilot:flux`, overridable per cluster under
 * `fluxpilot:clusters[i].flux` (same schema). Everything here is pure: parse, default, validate.
 * The Flux component takes the resolved `FluxSettings` of one cluster.
 */
import * as semver from "semver";
import { z } from "zod";
import type { ConfigProblem } from "../../core/problems";
import { repositoryLocation, GITHUB_TOKEN_KEY } from "../../core/git";
import { rule } from "../../core/rules";
import { AKS_FLUX_EXTENSION_VERSION, FLUX_DISTRIBUTION_VERSION, FLUX_OPERATOR_CHART_VERSION } from "../../core/versions";
import { Environment } from "../../core/environments";
import { ClusterType, clusterTypes, FluxComponent, fluxComponents, FluxProblem, FluxSettings, FluxValidationContext } from "../../core/flux";
import { findClusterProvider } from "../clusters/registry";
import { DEFAULT_INSTALLER, findInstaller, installersFor, knownInstallerIds } from "./installers";

export type { FluxProblem, FluxSettings, FluxValidationContext };

export const DEFAULT_FLUX_VERSION = FLUX_DISTRIBUTION_VERSION;
export const DEFAULT_COMPONENTS: readonly FluxComponent[] = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"];
/** flux-operator and flux-instance charts are released together under one version. */
export const DEFAULT_OPERATOR_CHART_VERSION = FLUX_OPERATOR_CHART_VERSION;
/** microsoft.flux extension version; it decides the Flux version on AKS. */
export const DEFAULT_AKS_EXTENSION_VERSION = AKS_FLUX_EXTENSION_VERSION;

const semverRange = z
    .string(rule("must be a string", 'quote the version, e.g. "2.9.x"'))
    .refine((value) => semver.validRange(value) !== null, rule("is not a valid semver range", 'write it like "2.9.x" or ">=2.9.0 <2.10.0"'))
    .refine((value) => semver.validRange(value) === null || semver.subset(value, "2.x"), rule("allows versions outside Flux 2", 'pin a Flux 2 range, e.g. "2.9.x"'));

const exactVersion = (example: string) =>
    z
        .string(rule("must be a string", `quote the version, e.g. "${example}"`))
        .refine((value) => semver.valid(value) !== null, rule("is not an exact version", `pin one release, e.g. "${example}"`));

const kubernetesName = z
    .string(rule("must be a string", "set a Kubernetes object name"))
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, rule("is not a Kubernetes object name", "use lowercase letters, digits and '-', e.g. flux-reconciler"));

export const fluxSchema = z.strictObject({
    /** How Flux is installed; aks-extension only on AKS clusters. */
    // Providers may add installers (registered at run time), so the known ids are read when parsing.
    installer: z
        .string(rule("must be a string", `set the installer, e.g. ${DEFAULT_INSTALLER}`))
        .refine((id) => knownInstallerIds().includes(id), { error: () => rule("is not a Flux installer", `use one of ${knownInstallerIds().join(", ")}`).error })
        .optional(),
    /** Flux distribution version range, e.g. "2.9.x" (flux-operator installer). */
    version: semverRange.optional(),
    components: z
        .array(z.enum(fluxComponents, rule("is not a Flux component", `use any of ${fluxComponents.join(", ")}`)))
        .min(1, rule("lists no component", "list at least source-controller and kustomize-controller"))
        .optional(),
    clusterType: z.enum(clusterTypes, rule("is not a FluxInstance cluster type", `use one of ${clusterTypes.join(", ")}`)).optional(),
    clusterDomain: z
        .string(rule("must be a string", "set the cluster DNS domain, e.g. cluster.local"))
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, rule("is not a DNS domain", "use the cluster's DNS domain, e.g. cluster.local"))
        .optional(),
    networkPolicy: z.boolean(rule("must be true or false", "set networkPolicy: true to restrict traffic to the Flux controllers")).optional(),
    /** Multi-tenancy lock-down: no cross-namespace references, no remote bases, a default service account. */
    lockdown: z.boolean(rule("must be true or false", "set lockdown: true for shared clusters")).optional(),
    /** Service account Kustomizations and HelmReleases impersonate when they name none (lock-down). */
    tenantServiceAccount: kubernetesName.optional(),
    operatorChartVersion: exactVersion(DEFAULT_OPERATOR_CHART_VERSION).optional(),
    aksExtensionVersion: exactVersion(DEFAULT_AKS_EXTENSION_VERSION).optional(),
    /** Instant sync: a GitHub webhook that reaches a Flux Receiver, over TLS through an Ingress (or plain http on a LoadBalancer in dev). */
    webhook: z
        .strictObject({
            enabled: z.boolean(rule("must be true or false", "set enabled: true to reconcile on every push")),
            ingress: z
                .strictObject({
                    host: z
                        .string(rule("must be a string", "set the DNS name GitHub calls, e.g. flux-hook.example.com"))
                        .regex(
                            /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
                            rule("is not a DNS name", "use the fully qualified name the certificate is for, e.g. flux-hook.example.com"),
                        ),
                    // IngressClass names are DNS subdomains (webapprouting.kubernetes.azure.com).
                    className: z
                        .string(rule("must be a string", "set the IngressClass name, e.g. alb"))
                        .regex(
                            /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
                            rule("is not an IngressClass name", "use the name kubectl get ingressclass shows, e.g. alb"),
                        )
                        // Its own rule: without one, zod words a too-long name with the type's message ("must be a string").
                        .max(253, rule("is longer than 253 characters, the limit of a Kubernetes object name", "use the name kubectl get ingressclass shows, e.g. alb"))
                        .optional(),
                    annotations: z.record(z.string(), z.string(rule("must be a string", "quote the annotation value"))).optional(),
                    tlsSecretName: kubernetesName.optional(),
                })
                .optional(),
        })
        .optional(),
});

export type FluxRaw = z.infer<typeof fluxSchema>;

/** Shared clusters are locked down; dev and laptop clusters may be relaxed. */
export function lockdownRequired(environment: Environment): boolean {
    return environment === "staging" || environment === "prod";
}

/**
 * Cluster override over stack settings over environment defaults. `clusterType` is what the
 * cluster's provider declares, used unless the settings name one.
 */
export function resolveFlux(stack: FluxRaw | undefined, cluster: FluxRaw | undefined, environment: Environment, clusterType: ClusterType = "kubernetes"): FluxSettings {
    const pick = <K extends keyof FluxRaw>(name: K): FluxRaw[K] => cluster?.[name] ?? stack?.[name];
    return {
        installer: pick("installer") ?? DEFAULT_INSTALLER,
        version: pick("version") ?? DEFAULT_FLUX_VERSION,
        components: [...(pick("components") ?? DEFAULT_COMPONENTS)],
        clusterType: pick("clusterType") ?? clusterType,
        clusterDomain: pick("clusterDomain") ?? "cluster.local",
        networkPolicy: pick("networkPolicy") ?? true,
        lockdown: pick("lockdown") ?? lockdownRequired(environment),
        tenantServiceAccount: pick("tenantServiceAccount") ?? "default",
        operatorChartVersion: pick("operatorChartVersion") ?? DEFAULT_OPERATOR_CHART_VERSION,
        aksExtensionVersion: pick("aksExtensionVersion") ?? DEFAULT_AKS_EXTENSION_VERSION,
        webhook: webhookSettings(pick("webhook")),
    };
}

function webhookSettings(raw: FluxRaw["webhook"]): FluxSettings["webhook"] {
    const ingress = raw?.ingress;
    return {
        enabled: raw?.enabled ?? false,
        ...(ingress ? { ingress: { host: ingress.host, className: ingress.className, annotations: ingress.annotations ?? {}, tlsSecretName: ingress.tlsSecretName } } : {}),
    };
}

/** Rules on resolved settings; installer-specific ones come from the installer. */
export function validateFluxSettings(settings: FluxSettings, context: FluxValidationContext): FluxProblem[] {
    const problems: FluxProblem[] = [];
    const has = (component: FluxComponent) => settings.components.includes(component);
    const duplicates = settings.components.filter((c, i) => settings.components.indexOf(c) !== i);
    if (duplicates.length > 0) {
        problems.push({ field: "components", value: settings.components, message: `lists ${duplicates.join(", ")} more than once`, fix: "list each component once" });
    }
    const missing = (["source-controller", "kustomize-controller"] as const).filter((c) => !has(c));
    if (missing.length > 0) {
        problems.push({
            field: "components",
            value: settings.components,
            message: `lacks ${missing.join(" and ")}, which the sync of ${context.gitops.path} needs`,
            fix: "add source-controller and kustomize-controller",
        });
    }
    if (has("image-automation-controller") && !has("image-reflector-controller")) {
        problems.push({
            field: "components",
            value: settings.components,
            message: "has image-automation-controller without image-reflector-controller, which it reads image tags from",
            fix: "add image-reflector-controller, or remove image-automation-controller",
        });
    }
    if (!settings.lockdown && lockdownRequired(context.environment)) {
        problems.push({
            field: "lockdown",
            value: false,
            message: `relaxes the multi-tenancy lock-down, which ${context.environment} does not allow`,
            fix: "remove lockdown (it defaults to true here); only dev and local may relax it",
        });
    }
    if (!settings.networkPolicy && lockdownRequired(context.environment)) {
        problems.push({
            field: "networkPolicy",
            value: false,
            message: `opens the Flux controllers to traffic from every namespace, which ${context.environment} does not allow`,
            fix: "remove networkPolicy (it defaults to true); only dev and local may turn it off",
        });
    }
    // A Flux controller's account can do anything: as the tenant default it would undo the lock-down.
    if (lockdownRequired(context.environment) && (fluxComponents as readonly string[]).includes(settings.tenantServiceAccount)) {
        problems.push({
            field: "tenantServiceAccount",
            value: settings.tenantServiceAccount,
            message: `is a Flux controller's service account, which would give every tenant Kustomization and HelmRelease its cluster-wide rights in ${context.environment}`,
            fix: "remove tenantServiceAccount (it defaults to default, which has no rights) or name an account bound only to tenant namespaces",
        });
    }
    if (settings.webhook.enabled) {
        if (!has("notification-controller")) {
            problems.push({
                field: "webhook.enabled",
                value: true,
                message: "needs notification-controller, which serves the webhook receiver",
                fix: "add notification-controller to components, or disable the webhook",
            });
        }
        if (!settings.webhook.ingress && lockdownRequired(context.environment)) {
            problems.push({
                field: "webhook.ingress",
                message: `is missing, so the receiver would be served as plain http on a public load balancer, which ${context.environment} does not allow`,
                fix: 'serve it over TLS: set webhook.ingress with the host GitHub calls and your ingress controller\'s class and certificate (docs/flux.md, "Instant sync")',
            });
        }
        const ingress = settings.webhook.ingress;
        if (ingress && !ingress.className && !ingress.annotations["kubernetes.io/ingress.class"]) {
            problems.push({
                field: "webhook.ingress",
                value: ingress,
                message: "names no ingress class, so no controller (or only a default one) would serve it",
                fix: "set className (e.g. alb, webapprouting.kubernetes.azure.com), or on GKE the annotation kubernetes.io/ingress.class: gce",
            });
        }
        const github = context.gitops.github;
        if (!github || repositoryLocation(context.gitops.repository)?.host !== "github.com") {
            problems.push({
                field: "webhook.enabled",
                value: true,
                message: "needs a github.com repository and fluxpilot:gitops.github.owner to create the repository webhook",
                fix: "set github.owner in fluxpilot:gitops, or disable the webhook",
            });
        } else if (!github.token) {
            problems.push({
                field: "webhook.enabled",
                key: GITHUB_TOKEN_KEY,
                message: "is missing, but the webhook is created on the GitHub repository",
                fix: `run: pulumi config set --secret ${GITHUB_TOKEN_KEY} <token with the repository's administration:write permission>`,
            });
        }
    }
    if (context.cloud !== undefined && !installersFor(context.cloud).some((i) => i.id === settings.installer)) {
        const provider = findClusterProvider(context.cloud);
        problems.push({
            field: "installer",
            value: settings.installer,
            message: `is not available on ${provider?.title ?? context.cloud} clusters (cloud ${context.cloud})`,
            fix: `use ${installersFor(context.cloud)
                .map((i) => i.id)
                .join(" or ")} for this cluster (override it in the cluster's flux settings)`,
        });
    }
    problems.push(...(findInstaller(settings.installer)?.validate(settings, context) ?? []));
    return problems;
}

/**
 * Validates the Flux settings of every cluster. A problem is reported under the key the value came
 * from: the cluster's `flux` override when it sets that field, the stack's `fluxpilot:flux` otherwise.
 */
export function validateClusterFlux(
    clusters: readonly { key: string; raw?: FluxRaw; settings: FluxSettings; cloud: string }[],
    stackKey: string,
    context: Omit<FluxValidationContext, "cloud">,
): ConfigProblem[] {
    const seen = new Set<string>();
    const problems: ConfigProblem[] = [];
    for (const cluster of clusters) {
        for (const problem of validateFluxSettings(cluster.settings, { ...context, cloud: cluster.cloud })) {
            const top = problem.field.split(".")[0] as keyof FluxRaw;
            const key = problem.key ?? (cluster.raw?.[top] !== undefined ? `${cluster.key}.flux.${problem.field}` : `${stackKey}.${problem.field}`);
            const entry: ConfigProblem = { key, ...("value" in problem ? { value: problem.value } : {}), message: problem.message, fix: problem.fix };
            const id = `${entry.key}\u0000${entry.message}`;
            if (!seen.has(id)) {
                seen.add(id);
                problems.push(entry);
            }
        }
    }
    return problems;
}
