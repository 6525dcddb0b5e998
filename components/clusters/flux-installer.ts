/**
 * The installer strategy: how Flux gets into a cluster and is told to sync `clusters/<env>`.
 * An installer never registers a Flux custom resource with Pulumi; it hands the resource to
 * something that applies it once its CRD exists (a Helm release, or Azure's extension manager).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesCluster } from "./provider";
import type { GitRef } from "../../stacks/gitops";
import type { FluxProblem, FluxSettings, FluxValidationContext } from "../flux/settings";

/** What Flux syncs: the Git source and the entry point in it. */
export interface SyncSpec {
    url: string;
    ref: GitRef;
    /** Repository-relative, e.g. `clusters/prod`. */
    path: string;
    interval: string;
}

export interface InstallContext {
    /** Component name; children are named `${name}-...`. */
    name: string;
    parent: pulumi.Resource;
    cluster: KubernetesCluster;
    settings: FluxSettings;
    sync: SyncSpec;
}

export interface Installation {
    /** Once these exist, Flux runs, its CRDs exist and the sync is configured. */
    ready: pulumi.Resource[];
    /** The Flux version the installer pins, for the stack outputs. */
    version: pulumi.Output<string>;
}

export interface FluxInstaller {
    readonly id: string;
    /** For messages and docs. */
    readonly title: string;
    /** Rules this installer adds to the common ones (pure; runs before any resource exists). */
    validate(settings: FluxSettings, context: FluxValidationContext): FluxProblem[];
    /** Makes the flux-system namespace exist; the Git credentials Secret is created after these. */
    prepare(context: InstallContext): pulumi.Resource[];
    /**
     * Installs the controllers and the sync. `credentials` names the Secret in flux-system with the
     * Git credentials (undefined for a public repository); `after` must exist before the sync starts.
     */
    install(context: InstallContext, credentials: string | undefined, after: pulumi.Resource[]): Installation;
}

/** `refs/heads/main`, `refs/tags/v1.2.0`: the Git ref name forms Flux accepts in `spec.ref.name`. */
export function gitRefName(ref: GitRef): string | undefined {
    if ("branch" in ref) return `refs/heads/${ref.branch}`;
    if ("tag" in ref) return `refs/tags/${ref.tag}`;
    return undefined;
}

/** Flux duration ("1m30s", "500ms") in whole seconds, at least 1. */
export function durationSeconds(duration: string): number {
    const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
    let total = 0;
    for (const [, amount, unit] of duration.matchAll(/(\d+)(ms|s|m|h)/g)) {
        total += Number(amount) * units[unit];
    }
    return Math.max(1, Math.round(total));
}
