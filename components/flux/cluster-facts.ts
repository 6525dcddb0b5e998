/**
 * The cluster facts ConfigMap (core/cluster-facts.ts): written by Pulumi into flux-system through
 * the cluster's Kubernetes provider, before Flux starts syncing, so the Kustomizations that read it
 * through `postBuild.substituteFrom` never run without it.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CLUSTER_FACTS_CONFIGMAP, clusterFactsData } from "../../core/cluster-facts";
import type { Environment } from "../../core/environments";
import { FLUX_NAMESPACE } from "../../core/flux";
import type { KubernetesCluster } from "../clusters/provider";

export interface ClusterFactsArgs {
    name: string;
    /** The Flux component: the ConfigMap inherits the cluster's Kubernetes provider from it. */
    parent: pulumi.Resource;
    cluster: KubernetesCluster;
    environment: Environment;
    /** Facts beyond the cluster's own (e.g. workload identities), named as Flux variables. */
    extra?: Readonly<Record<string, pulumi.Input<string>>>;
    /** The flux-system namespace exists once these do. */
    namespaceReady: pulumi.Resource[];
}

export interface ClusterFacts {
    configMap: k8s.core.v1.ConfigMap;
    /** The ConfigMap data, as the Kustomizations see it. */
    data: pulumi.Output<Record<string, string>>;
}

export function createClusterFacts(args: ClusterFactsArgs): ClusterFacts {
    const { cluster } = args;
    // One output per fact, so a fact the cloud computes (an AKS cluster name) leaves the others
    // known in a preview and in the offline plan that the render reads.
    const data = clusterFactsData<pulumi.Input<string>>({
        name: cluster.clusterName,
        cloud: cluster.cloud,
        region: cluster.region,
        environment: args.environment,
        account: cluster.cloudAccount,
        extra: args.extra,
    });
    const configMap = new k8s.core.v1.ConfigMap(
        `${args.name}-cluster-facts`,
        {
            metadata: {
                name: CLUSTER_FACTS_CONFIGMAP,
                namespace: FLUX_NAMESPACE,
                labels: { "app.kubernetes.io/managed-by": "fluxpilot", "app.kubernetes.io/part-of": "flux" },
                // Flux must never substitute into the facts themselves, should anything apply them.
                annotations: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" },
            },
            data,
        },
        { parent: args.parent, dependsOn: args.namespaceReady },
    );
    return { configMap, data: pulumi.output(data) };
}
