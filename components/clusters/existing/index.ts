/**
 * The existing-cluster provider: `cloud: existing` in the stack file. It adopts a cluster from a
 * kubeconfig (a kind cluster on a laptop, or one managed elsewhere) and creates nothing in any
 * cloud. The smallest provider: a template for new ones.
 */
import { defineClusterProvider } from "../provider";
import { ExistingCluster } from "./cluster";
import { ExistingClusterConfig, existingSchema, kubeconfigProblems, resolveKubeconfigPath } from "./config";

export const existingProvider = defineClusterProvider({
    cloud: "existing",
    title: "adopted (kubeconfig)",
    schema: existingSchema,
    // The cluster runs whatever version it runs; Pulumi does not manage it.
    supportedVersions: [],
    withDefaults(raw, preset): ExistingClusterConfig {
        return {
            name: raw.name,
            cloud: "existing",
            region: raw.region ?? "local",
            kubeconfig: raw.kubeconfig === undefined ? undefined : resolveKubeconfigPath(raw.kubeconfig),
            context: raw.context,
            protect: raw.protect ?? preset.protect,
            tags: raw.tags ?? {},
        };
    },
    validate(config, _preset, key) {
        return kubeconfigProblems(config, key);
    },
    create(args, opts) {
        return new ExistingCluster(args.name, args, opts);
    },
    flux: { clusterType: "kubernetes" },
});

export { ExistingCluster } from "./cluster";
export type { ExistingClusterArgs } from "./cluster";
export * from "./config";
