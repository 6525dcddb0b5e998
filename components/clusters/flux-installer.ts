/**
 * How Flux gets into a cluster and is told to sync `clusters/<env>`. The Flux bootstrap offers a
 * generic installer (the Flux Operator); a cluster provider may offer more that only its clusters
 * support (the AKS `microsoft.flux` extension), which is why the contract lives at this layer.
 *
 * An installer never registers a Flux custom resource with Pulumi; it hands the resource to
 * something that applies it once its CRD exists (a Helm release, or Azure's extension manager).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { FluxProblem, FluxSettings, FluxValidationContext, SyncSpec } from "../../core/flux";
import type { KubernetesCluster } from "./kubernetes-cluster";

export interface InstallContext<Cluster extends KubernetesCluster = KubernetesCluster> {
    /** Component name; children are named `${name}-...`. */
    name: string;
    /** The Flux component: children inherit its Kubernetes provider (the cluster's). */
    parent: pulumi.Resource;
    cluster: Cluster;
    settings: FluxSettings;
    sync: SyncSpec;
}

export interface Installation {
    /** Once these exist, Flux runs, its CRDs exist and the sync is configured. */
    ready: pulumi.Resource[];
    /** The Flux version the installer pins, for the stack outputs. */
    version: pulumi.Output<string>;
}

export interface FluxInstaller<Cluster extends KubernetesCluster = KubernetesCluster> {
    readonly id: string;
    /** For messages and docs. */
    readonly title: string;
    /**
     * Whether kustomize-controller gets the cluster's cloud identity for its SOPS key
     * (docs/secrets.md); without it an encrypted Secret fails its Kustomization.
     */
    readonly decryptsWithClusterKey: boolean;
    /** Rules this installer adds to the common ones (pure; runs before any resource exists). */
    validate(settings: FluxSettings, context: FluxValidationContext): FluxProblem[];
    /** Makes the flux-system namespace exist; the Git credentials Secret is created after these. */
    prepare(context: InstallContext<Cluster>): pulumi.Resource[];
    /**
     * Installs the controllers and the sync. `credentials` names the Secret in flux-system with the
     * Git credentials (undefined for a public repository); `after` must exist before the sync starts.
     */
    install(context: InstallContext<Cluster>, credentials: string | undefined, after: pulumi.Resource[]): Installation;
}
