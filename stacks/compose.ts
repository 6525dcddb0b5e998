/**
 * Composition: one cluster component per declared cluster, a Kubernetes provider from each,
 * then Flux on that provider. Runs only on a validated model.
 */
import * as pulumi from "@pulumi/pulumi";
import { KubernetesCluster } from "../components/clusters/provider";
import { findClusterProvider } from "../components/clusters/registry";
import { Flux } from "../components/flux/flux";
import type { SopsKeyKind } from "../core/sops";
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
    flux: FluxOutputs;
    /** The cluster facts Flux substitutes into the GitOps content (core/cluster-facts.ts). */
    facts: pulumi.Output<Record<string, string>>;
    /** The cluster's SOPS key (core/sops.ts), read by `fluxpilot sops-config`; absent on adopted clusters. */
    sops?: { kind: SopsKeyKind; key: pulumi.Output<string> };
}

/** How Flux was installed in a cluster and what it syncs. */
export interface FluxOutputs {
    installer: string;
    version: pulumi.Output<string>;
    syncUrl: pulumi.Output<string>;
    /** `branch main`, `tag v1.2.0` or `semver ...`. */
    ref: pulumi.Output<string>;
    path: pulumi.Output<string>;
    /** Secret; present when the webhook receiver is enabled. */
    webhookUrl?: pulumi.Output<string>;
    /** Public half of the generated deploy key, when there is one. */
    deployKey?: pulumi.Output<string>;
}

export interface ComposedStack {
    clusters: Record<string, KubernetesCluster>;
    fluxes: Record<string, Flux>;
    outputs: Record<string, ClusterOutputs>;
}

/** Tags/labels on every cloud resource of a cluster. */
export function clusterTags(model: StackModel, clusterName: string, extra: Record<string, string>): Record<string, string> {
    return { ...extra, environment: model.environment, cluster: clusterName, "managed-by": "fluxpilot" };
}

/** Composes every cluster of the stack at once: nothing registers before the last one is built. */
export function composeStack(model: StackModel): ComposedStack {
    const stack = emptyStack();
    Array.from(composeClusters(model, stack)); // runs every step, one after the other
    return stack;
}

/**
 * Composes the clusters one by one, and lets a turn of the event loop pass after each. Meant for
 * previews: the SDK keeps several promises and closures per output property of every resource
 * until its registration is answered, so building every cluster before any registration runs
 * holds all of them at once (1.3 GiB for 100 clusters in the offline plan). Under the offline
 * plan's mock runtime every answer comes within that turn, so one cluster's bookkeeping is garbage
 * before the next is built (0.5 GiB); under `pulumi preview` the engine answers over gRPC, and a
 * turn releases what has been answered by then. Nothing waits for a registration to finish.
 * Not for updates: there an answer waits for the cloud, so nothing would be released, and a
 * cluster that fails to build (an adopted cluster's kubeconfig missing) would stop the program
 * after the engine had started creating the clusters before it. docs/benchmarks.md ("Scale").
 */
export async function composeStackInTurns(model: StackModel): Promise<ComposedStack> {
    const stack = emptyStack();
    const steps = composeClusters(model, stack);
    while (!steps.next().done) await nextTurn();
    return stack;
}

function emptyStack(): ComposedStack {
    return { clusters: {}, fluxes: {}, outputs: {} };
}

/** A macrotask later: every promise reaction queued so far, and the I/O answered by then, has run. */
function nextTurn(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}

/** Composes one cluster into `stack` per step. */
function* composeClusters(model: StackModel, { clusters, fluxes, outputs }: ComposedStack): Generator<void, void, void> {
    for (const config of model.clusters) {
        const provider = findClusterProvider(config.cloud);
        if (!provider) {
            // parseStackModel rejects unknown clouds, so this is a programming error.
            throw new Error(`cluster ${config.name}: no cluster provider is registered for cloud "${config.cloud}"`);
        }
        const cluster = provider.create({ ...config, environment: model.environment, tags: clusterTags(model, config.name, config.tags) }, { protect: config.protect });
        clusters[config.name] = cluster;
        // Top-level rather than a child of the cluster, so Flux URNs do not depend on the cluster
        // provider's type; the dependency is explicit, and every Kubernetes object in Flux
        // inherits the cluster's provider from the component. Protected with the cluster: replacing
        // or deleting the Flux releases would delete the Kustomizations (and, through prune, every
        // workload they own), and children inherit `protect` from their parent component.
        const flux = new Flux(
            `${config.name}-flux`,
            { cluster, settings: model.fluxByCluster[config.name], gitops: model.gitops, stack: model.stack, environment: model.environment },
            { dependsOn: [cluster], providers: [cluster.provider], protect: config.protect },
        );
        fluxes[config.name] = flux;
        outputs[config.name] = {
            name: cluster.clusterName,
            cloud: cluster.cloud,
            region: cluster.region,
            endpoint: cluster.endpoint,
            kubernetesVersion: cluster.kubernetesVersion,
            kubeconfig: cluster.kubeconfig,
            gitPath: model.gitops.path,
            facts: flux.clusterFacts,
            ...(cluster.sopsKey ? { sops: { kind: cluster.sopsKey.kind, key: cluster.sopsKey.key } } : {}),
            flux: {
                installer: flux.installer,
                version: flux.version,
                syncUrl: flux.syncUrl,
                ref: flux.syncRef,
                path: flux.syncPath,
                ...(flux.webhookUrl ? { webhookUrl: flux.webhookUrl } : {}),
                ...(flux.deployKeyPublic ? { deployKey: flux.deployKeyPublic } : {}),
            },
        };
        yield;
    }
}
