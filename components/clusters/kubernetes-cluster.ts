/**
 * What every cluster component exposes, whatever the provider: the Flux bootstrap and the stack
 * outputs use nothing else of a cluster.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { SopsKeyKind } from "../../core/sops";

/**
 * The cluster's SOPS key (core/sops.ts): only kustomize-controller's identity may decrypt with it.
 * The Flux installer applies `serviceAccountAnnotations` and `podLabels` to kustomize-controller.
 */
export interface ClusterSopsKey {
    kind: SopsKeyKind;
    key: pulumi.Output<string>;
    serviceAccountAnnotations: Readonly<Record<string, pulumi.Output<string>>>;
    podLabels: Readonly<Record<string, string>>;
}

/** The outputs every cluster component exposes; Flux and the stack outputs use nothing else. */
export interface KubernetesCluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    readonly cloud: string;
    readonly region: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly kubernetesVersion: pulumi.Output<string>;
    /** Secret. Uses the cloud's exec credential plugin, never a static token. */
    readonly kubeconfig: pulumi.Output<string>;
    /** OIDC issuer for workload identity; undefined where the cluster has none. */
    readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
    /**
     * The cloud account the cluster lives in: AWS account ID, Google Cloud project ID, Azure
     * subscription ID. Absent on adopted clusters. Becomes the `cloud_account` cluster fact.
     */
    readonly cloudAccount?: pulumi.Output<string>;
    /**
     * The cloud identifier of each workload identity (IAM role ARN, Google service account
     * e-mail, Azure client ID), by cluster fact name (`identity_<namespace>_<serviceAccount>`).
     */
    readonly identityFacts?: Readonly<Record<string, pulumi.Output<string>>>;
    /** Absent on adopted clusters: they have no cloud of ours (docs/secrets.md). */
    readonly sopsKey?: ClusterSopsKey;
    /** Kubernetes provider bound to this cluster, for everything installed into it. */
    readonly provider: k8s.Provider;
}
