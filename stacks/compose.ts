/**
 * Composition: one cluster component per declared cluster, a Kubernetes provider from each,
 * then Flux on that provider. Runs only on a validated model.
 */
import * as pulumi from "@pulumi/pulumi";
import { ClusterContext, KubernetesCluster } from "../components/clusters/contract";
import { findClusterKind } from "../components/clusters/registry";
import { StackModel } from "./model";

/** Stack outputs of one cluster. The kubeconfig is a secret output. */
export interface ClusterOutputs {
    name: pulumi.Output<string>;
    cloud: string;
    region: pulumi.Output<string>;
    endpoint: pulumi.Output<string>;
    kubernetesVersion: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
    /** The folder of this repository that Flux syncs into the cluster. */
    gitPath: string;
}

export interface ComposedStack {
    clusters: Record<string, KubernetesCluster>;
    outputs: Record<string, ClusterOutputs>;
}

/** Tags/labels on every cloud resource of a cluster. */
export function clusterTags(model: StackModel, clusterName: string, extra: Record<string, string>): Record<string, string> {
    return { ...extra, environment: model.environment, cluster: clusterName, "managed-by": "fluxpilot" };
}

export function composeStack(model: StackModel): ComposedStack {
    const clusters: Record<string, KubernetesCluster> = {};
    const outputs: Record<string, ClusterOutputs> = {};
    for (const config of model.clusters) {
        const kind = findClusterKind(config.cloud);
        if (!kind) {
            // parseStackModel rejects unknown clouds, so this is a programming error.
            throw new Error(`no cluster kind registered for cloud "${config.cloud}"`);
        }
        const context: ClusterContext = { environment: model.environment, tags: clusterTags(model, config.name, config.tags) };
        const cluster = kind.create(config, context, { protect: config.protect });
        clusters[config.name] = cluster;
        outputs[config.name] = {
            name: cluster.clusterName,
            cloud: cluster.cloud,
            region: cluster.region,
            endpoint: cluster.endpoint,
            kubernetesVersion: cluster.kubernetesVersion,
            kubeconfig: cluster.kubeconfig,
            gitPath: model.gitops.path,
        };
    }
    return { clusters, outputs };
}
