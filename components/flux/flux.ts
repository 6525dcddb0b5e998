/**
 * Flux in one cluster, syncing `clusters/<env>` of this repository. After `pulumi up`, Flux (not
 * Pulumi) applies what lies under that path and the app overlays it points to.
 *
 * Order: the flux-system namespace (or the AKS extension that creates it) -> the Git credentials
 * (Secret, deploy key registered on GitHub) -> Flux with its sync -> the optional webhook. No
 * Flux custom resource is registered with Pulumi: see docs/flux.md.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../../core/environments";
import type { FluxSettings } from "../../core/flux";
import type { GitopsConfig } from "../../core/git";
import type { InstallContext } from "../clusters/flux-installer";
import type { KubernetesCluster } from "../clusters/provider";
import { gitCredentials } from "./auth";
import { createClusterFacts } from "./cluster-facts";
import { findInstaller } from "./installers";
import { createWebhook } from "./webhook";

export interface FluxArgs {
    /**
     * The cluster to install into. Its Kubernetes provider must also be passed in the options
     * (`providers: [cluster.provider]`): every Kubernetes object inherits it from this component.
     */
    cluster: KubernetesCluster;
    /** This cluster's resolved Flux settings. */
    settings: FluxSettings;
    /** The stack's Git source and its credentials. */
    gitops: GitopsConfig;
    /** Stack name, to tell this cluster's deploy key apart from other stacks' on GitHub. */
    stack: string;
    /** The stack's environment, one of the cluster facts. */
    environment: Environment;
}

export class Flux extends pulumi.ComponentResource {
    /** Id of the installer used (e.g. flux-operator). */
    public readonly installer: string;
    /** The Flux version the installer pins (a range for the operator, the extension version on AKS). */
    public readonly version: pulumi.Output<string>;
    public readonly syncUrl: pulumi.Output<string>;
    /** `branch main`, `tag v1.2.0` or `semver >=1.0.0`. */
    public readonly syncRef: pulumi.Output<string>;
    public readonly syncPath: pulumi.Output<string>;
    /** Secret; only when the webhook is enabled. */
    public readonly webhookUrl?: pulumi.Output<string>;
    /** Only with a generated deploy key. */
    public readonly deployKeyPublic?: pulumi.Output<string>;
    /** The cluster facts ConfigMap's data (core/cluster-facts.ts). */
    public readonly clusterFacts: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fluxpilot:flux:Flux", name, {}, opts);
        const { cluster, settings, gitops } = args;
        const installer = findInstaller(settings.installer, cluster.cloud);
        if (!installer) {
            // The stack model only accepts installers the cluster's provider supports.
            throw new pulumi.ResourceError(`Flux installer "${settings.installer}" is not available for cloud "${cluster.cloud}"`, this);
        }
        const context: InstallContext = {
            name,
            parent: this,
            cluster,
            settings,
            sync: { url: gitops.repository, ref: gitops.ref, path: gitops.path, interval: gitops.interval },
        };

        let githubProvider: github.Provider | undefined;
        const githubFor = (): github.Provider => {
            if (!gitops.github?.token) {
                throw new pulumi.ResourceError(
                    "the GitHub owner and token are required to register a deploy key or webhook; the stack model should have refused this config",
                    this,
                );
            }
            githubProvider ??= new github.Provider(`${name}-github`, { owner: gitops.github.owner, token: gitops.github.token.toOutput() }, { parent: this });
            return githubProvider;
        };

        const namespaceReady = installer.prepare(context);
        const credentials = gitCredentials({
            name,
            parent: this,
            gitops,
            githubProvider: githubFor,
            title: `fluxpilot ${args.stack}/${name}`,
            namespaceReady,
        });
        // The facts exist before the sync starts: the Kustomizations read them without `optional`.
        const facts = createClusterFacts({ name, parent: this, cluster, environment: args.environment, extra: cluster.identityFacts, namespaceReady });
        const installation = installer.install(context, credentials.secretName, [...namespaceReady, ...credentials.ready, facts.configMap]);

        this.installer = installer.id;
        this.version = installation.version;
        this.syncUrl = pulumi.output(gitops.repository);
        this.syncRef = pulumi.output(Object.entries(gitops.ref).map(([kind, value]) => `${kind} ${value}`)[0]);
        this.syncPath = pulumi.output(gitops.path);
        this.deployKeyPublic = credentials.deployKeyPublic;
        this.clusterFacts = facts.data;
        if (settings.webhook.enabled) {
            this.webhookUrl = createWebhook({
                name,
                parent: this,
                repository: gitops.github?.name ?? "",
                githubProvider: githubFor(), // throws unless the GitHub owner and token are set
                fluxReady: installation.ready,
                ingress: settings.webhook.ingress,
            });
        }

        this.registerOutputs({
            installer: this.installer,
            version: this.version,
            syncUrl: this.syncUrl,
            syncRef: this.syncRef,
            syncPath: this.syncPath,
            clusterFacts: this.clusterFacts,
            ...(this.webhookUrl ? { webhookUrl: this.webhookUrl } : {}),
            ...(this.deployKeyPublic ? { deployKeyPublic: this.deployKeyPublic } : {}),
        });
    }
}
