/**
 * Bad stack configurations, each one change away from a valid local stack (the managed-cluster
 * cases swap the laptop for a valid EKS entry with one bad setting), with the one problem the
 * stack model must report. Used by the model's tests and by the program's (nothing created).
 * The messages hold for this repository and for test/stacks/fixtures/repo alike.
 */
import { CLOUDS } from "./support";

/** A valid local stack; each bad case changes one thing. */
export function localConfig(): Record<string, unknown> {
    return {
        "fluxpilot:environment": "local",
        "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot" },
        "fluxpilot:clusters": [{ name: "laptop", cloud: "existing", context: "kind-fluxpilot" }],
        "fluxpilot:apps": ["sample-app"],
        "aws:region": "eu-west-1",
    };
}

/** The laptop cluster swapped for a small EKS cluster, for the rules only managed clusters have. */
function managedCluster(extra: Record<string, unknown>): Record<string, unknown>[] {
    return [{ name: "laptop-eks", cloud: "aws", region: "eu-west-1", ...extra }];
}

export const badConfigCases: ReadonlyArray<[title: string, mutate: (config: Record<string, any>) => void, expected: string]> = [
    [
        "bad CIDR",
        (c) => (c["fluxpilot:clusters"] = managedCluster({ network: { vpcCidr: "10.0.0.0/33" } })),
        'fluxpilot:clusters[0].network.vpcCidr: is not an IPv4 CIDR block (given: "10.0.0.0/33"). Fix: write it as a.b.c.d/n with n between 0 and 32, e.g. 10.0.0.0/16',
    ],
    [
        "min > max nodes",
        (c) => (c["fluxpilot:clusters"] = managedCluster({ nodePools: [{ name: "system", machineType: "m6i.large", minNodes: 5, maxNodes: 3 }] })),
        "fluxpilot:clusters[0].nodePools[0].minNodes: is greater than maxNodes (3) (given: 5). Fix: set minNodes to at most maxNodes, or raise maxNodes",
    ],
    [
        "unsupported Kubernetes version",
        (c) => (c["fluxpilot:clusters"] = managedCluster({ kubernetesVersion: "1.29" })),
        'fluxpilot:clusters[0].kubernetesVersion: is not a Kubernetes version Amazon EKS supports (given: "1.29"). Fix: use one of 1.36, 1.35, 1.34, 1.33',
    ],
    [
        "wrong cloud name",
        (c) => (c["fluxpilot:clusters"][0].cloud = "awz"),
        `fluxpilot:clusters[0].cloud: is not a supported cloud (given: "awz"). Fix: set cloud to one of ${CLOUDS}`,
    ],
    [
        "missing Git URL",
        (c) => delete c["fluxpilot:gitops"].repository,
        "fluxpilot:gitops.repository: is missing. Fix: set the URL of this repository, e.g. https://github.com/acme/fluxpilot",
    ],
    [
        "misspelt top-level key",
        (c) => (c["fluxpilot:enviroment"] = "local"),
        'fluxpilot:enviroment: is not a known setting. Fix: did you mean "fluxpilot:environment"? Known settings here: fluxpilot:environment, fluxpilot:gitops, fluxpilot:flux, fluxpilot:clusters, fluxpilot:apps, fluxpilot:ci, fluxpilot:gitPassword, fluxpilot:githubToken',
    ],
    [
        "misspelt key inside a cluster",
        (c) => (c["fluxpilot:clusters"][0].contxt = "kind-x"),
        'fluxpilot:clusters[0].contxt: is not a known setting. Fix: did you mean "context"? Known settings here: name, cloud, region, kubeconfig, context, protect, tags, flux',
    ],
    [
        "duplicate cluster names",
        (c) => c["fluxpilot:clusters"].push({ name: "laptop", cloud: "existing" }),
        'fluxpilot:clusters[1].name: is used by another cluster in this stack (given: "laptop"). Fix: give every cluster a unique name; it names its cloud resources and Pulumi URNs',
    ],
    [
        "clusters of the wrong type",
        (c) => (c["fluxpilot:clusters"] = "laptop"),
        `fluxpilot:clusters: must be a non-empty list of clusters (given: "laptop"). Fix: list at least one cluster, each with a name and a cloud (${CLOUDS})`,
    ],
    [
        "a number where a string belongs",
        (c) => (c["fluxpilot:clusters"][0].context = 42),
        "fluxpilot:clusters[0].context: must be a string, not a number (given: 42). Fix: set the kubeconfig context name, e.g. kind-fluxpilot",
    ],
    [
        "unknown environment",
        (c) => (c["fluxpilot:environment"] = "production"),
        'fluxpilot:environment: is not an environment (given: "production"). Fix: use one of dev, staging, prod, local',
    ],
    [
        "invalid cluster name",
        (c) => (c["fluxpilot:clusters"][0].name = "Prod_EKS"),
        "fluxpilot:clusters[0].name: must be 1-30 characters of lowercase letters, digits and '-', starting with a letter (given: \"Prod_EKS\"). Fix: rename it, e.g. 'prod-eks' (it names cloud resources, so keep it short)",
    ],
    [
        "scp-style repository URL",
        (c) => (c["fluxpilot:gitops"].repository = "git@github.com:acme/fluxpilot.git"),
        'fluxpilot:gitops.repository: is neither an https:// nor an ssh:// repository URL (given: "git@github.com:acme/fluxpilot.git"). Fix: use https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo> (scp-style git@host:repo is not accepted by Flux)',
    ],
    [
        "sync path outside clusters/",
        (c) => (c["fluxpilot:gitops"].path = "apps/sample-app"),
        'fluxpilot:gitops.path: is not a folder under clusters/ (given: "apps/sample-app"). Fix: point Flux at this environment\'s entry point, e.g. clusters/prod',
    ],
    [
        "sync path that does not exist",
        (c) => (c["fluxpilot:gitops"].path = "clusters/qa"),
        'fluxpilot:gitops.path: does not exist in this repository (or holds no YAML) (given: "clusters/qa"). Fix: create clusters/qa/ with the Flux Kustomizations for this environment, or correct the path',
    ],
    [
        "two Git refs",
        (c) => Object.assign(c["fluxpilot:gitops"], { branch: "main", tag: "v1.0.0" }),
        'fluxpilot:gitops.tag: is set together with branch, but Flux follows exactly one ref (given: "v1.0.0"). Fix: keep one of branch, tag',
    ],
    [
        "a sync interval that is not a duration",
        (c) => (c["fluxpilot:gitops"].interval = "5 minutes"),
        'fluxpilot:gitops.interval: is not a duration (given: "5 minutes"). Fix: write it like Flux does: "30s", "5m", "1h"',
    ],
    [
        "an app that clusters/<env> does not sync",
        (c) => c["fluxpilot:apps"].push("billing"),
        'fluxpilot:apps[1]: is not synced: no Flux Kustomization in clusters/local applies apps/billing/overlays/local (given: "billing"). Fix: add a Kustomization with path ./apps/billing/overlays/local to clusters/local, or remove the app from the list',
    ],
    ["no clusters at all", (c) => delete c["fluxpilot:clusters"], `fluxpilot:clusters: is missing. Fix: list at least one cluster, each with a name and a cloud (${CLOUDS})`],
];
