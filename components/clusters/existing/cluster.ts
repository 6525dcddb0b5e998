/**
 * Adopts a cluster that already exists (a kind cluster on a laptop, or one managed elsewhere)
 * from a kubeconfig file and context. Nothing is created in any cloud: the component only binds
 * a Kubernetes provider to that context so Flux can be installed into it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ClusterArgs, KubernetesCluster } from "../provider";
import { ExistingClusterConfig, KubeconfigView, kubeconfigFile, loadKubeconfig, selectKubeconfigContext } from "./config";
import { warnWithoutWaiting } from "../../../core/engine-log";

export type ExistingClusterArgs = ClusterArgs<ExistingClusterConfig>;

export class ExistingCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly cloud = "existing";
    public readonly region: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly kubernetesVersion: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
    public readonly provider: k8s.Provider;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fluxpilot:clusters:ExistingCluster", name, {}, opts);

        const view = readKubeconfig(args, this);
        this.clusterName = pulumi.output(args.name);
        this.region = pulumi.output(args.region);
        this.endpoint = view ? pulumi.output(view.server) : pulumi.output(pulumi.unknown as unknown as string);
        // The version is whatever the cluster runs; Pulumi does not manage it here.
        this.kubernetesVersion = pulumi.output("unmanaged");
        // Server and context only (no user entry); secret like every cluster's kubeconfig output.
        this.kubeconfig = pulumi.secret(view ? view.minified : (pulumi.unknown as unknown as string));
        this.oidcIssuerUrl = pulumi.output(undefined);
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                // The provider reads the file itself at deploy time, so its inputs hold only the path
                // (the kubeconfig output above is the secret copy); without a path it applies
                // kubectl's own default loading rules.
                kubeconfig: args.kubeconfig,
                context: args.context,
                enableServerSideApply: true,
            },
            { parent: this },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            region: this.region,
            endpoint: this.endpoint,
            kubernetesVersion: this.kubernetesVersion,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
        });
    }
}

/**
 * The kubeconfig on this machine, if there is one. In a preview (or the offline plan) a missing
 * file leaves the outputs unknown; in an update it is an error, since the provider needs it.
 */
function readKubeconfig(args: ExistingClusterConfig, component: pulumi.Resource): KubeconfigView | undefined {
    const kubeconfig = loadKubeconfig(args);
    if (!kubeconfig) {
        const file = kubeconfigFile(args);
        if (pulumi.runtime.isDryRun()) {
            warnWithoutWaiting(`cluster ${args.name}: kubeconfig ${file} not found; endpoint and kubeconfig are unknown until it exists`);
            return undefined;
        }
        throw new pulumi.ResourceError(
            `cluster ${args.name}: kubeconfig ${file} not found. ` +
                `Create the cluster (e.g. 'kind create cluster --name fluxpilot') or set kubeconfig for this cluster in the stack config.`,
            component,
        );
    }
    return selectKubeconfigContext(kubeconfig.document, args.context, kubeconfig.source);
}
