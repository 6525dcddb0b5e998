/**
 * Every cluster provider the stack config may name in `cloud`. Adding one: write its folder (see
 * `existing/` for the smallest) and list it below; nothing else in the program changes (the
 * stack model, Flux, the offline runtime and the tests all read this list).
 */
import { aksProvider } from "./aks";
import { eksProvider } from "./eks";
import { existingProvider } from "./existing";
import { gkeProvider } from "./gke";
import { ClusterProvider } from "./provider";

const providers: ClusterProvider[] = [existingProvider, eksProvider, gkeProvider, aksProvider];

export function clusterProviders(): readonly ClusterProvider[] {
    return providers;
}

export function findClusterProvider(cloud: string): ClusterProvider | undefined {
    return providers.find((provider) => provider.cloud === cloud);
}

/**
 * Adds a provider at run time (a test's throwaway provider, or a plug-in); returns what removes
 * it again. A `cloud` that is already taken is refused.
 */
export function registerClusterProvider(provider: ClusterProvider): () => void {
    if (findClusterProvider(provider.cloud)) throw new Error(`a cluster provider for cloud "${provider.cloud}" is already registered`);
    providers.push(provider);
    return () => {
        const at = providers.indexOf(provider);
        if (at >= 0) providers.splice(at, 1);
    };
}
