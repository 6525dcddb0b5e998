/**
 * Shared setup for the Flux tests: a throw-away checkout with `clusters/<env>` entry points, a
 * kubeconfig for the existing-cluster provider, stack config builders, and a stand-in AKS cluster
 * that honours the cluster contract, so these tests depend on the contract alone (the real AKS
 * provider with the extension installer is covered in test/clusters/stacks.test.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AzureClusterRef } from "../../components/clusters/aks";
import { KubernetesCluster } from "../../components/clusters/provider";
import { parseStackModel, StackModel } from "../../stacks/model";
import { environments } from "../../core/environments";
import { RegisteredResource } from "../support/harness";

export const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-flux-"));

/** A checkout whose `clusters/<env>` each hold a kustomization.yaml, so path checks pass. */
export const repoRoot = path.join(workdir, "repo");
for (const env of environments) {
    fs.mkdirSync(path.join(repoRoot, "clusters", env), { recursive: true });
    fs.writeFileSync(path.join(repoRoot, "clusters", env, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n");
}

// The project this checkout declares: the only repository staging and prod may sync.
fs.writeFileSync(path.join(repoRoot, "package.json"), JSON.stringify({ name: "fluxpilot-test", repository: "https://github.com/acme/fluxpilot" }));

export const kubeconfigPath = path.join(workdir, "kubeconfig");
fs.writeFileSync(
    kubeconfigPath,
    [
        "apiVersion: v1",
        "kind: Config",
        "current-context: test",
        "contexts: [{name: test, context: {cluster: test, user: test}}]",
        "clusters: [{name: test, cluster: {server: 'https://127.0.0.1:6443'}}]",
        "users: [{name: test, user: {token: not-a-real-token}}]",
    ].join("\n"),
);

export const PUBLIC_REPO = "https://github.com/acme/fluxpilot";
export const SSH_REPO = "ssh://git@github.com/acme/fluxpilot";

export function existingCluster(name: string, extra: Record<string, unknown> = {}) {
    return { name, cloud: "existing", kubeconfig: kubeconfigPath, ...extra };
}

/** Full stack config for `env`; `overrides` replace top-level keys (undefined removes one). */
export function stackConfig(env: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const base: Record<string, unknown> = {
        "fluxpilot:environment": env,
        "fluxpilot:gitops": { repository: PUBLIC_REPO, branch: "main" },
        "fluxpilot:clusters": [existingCluster(`${env}-one`)],
    };
    const merged = { ...base, ...overrides };
    return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined));
}

export function model(env: string, overrides: Record<string, unknown> = {}, secretKeys: string[] = []): StackModel {
    return parseStackModel(env, stackConfig(env, overrides), { repoRoot, secretKeys });
}

/** The messages of the StackConfigError `fn` throws, as `key: message`. */
export function problemsOf(fn: () => unknown): string[] {
    try {
        fn();
    } catch (error: any) {
        if (!Array.isArray(error?.problems)) throw error;
        return error.problems.map((p: any) => `${p.key}: ${p.message}`);
    }
    throw new Error("expected a StackConfigError, but the config was accepted");
}

/** Stand-in for the AKS provider's cluster: a component with a Kubernetes provider and the `azure` coordinates. */
export class FakeAksCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName = pulumi.output("prod-aks");
    public readonly cloud = "azure";
    public readonly region = pulumi.output("westeurope");
    public readonly endpoint = pulumi.output("https://prod-aks.hcp.westeurope.azmk8s.io");
    public readonly kubernetesVersion = pulumi.output("1.34");
    public readonly kubeconfig = pulumi.secret("apiVersion: v1\nkind: Config\n");
    public readonly oidcIssuerUrl = pulumi.output<string | undefined>(undefined);
    public readonly provider: k8s.Provider;
    public readonly azure: AzureClusterRef;

    constructor(name: string) {
        super("fluxpilot:test:FakeAksCluster", name, {});
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: "apiVersion: v1\nkind: Config\n" }, { parent: this });
        this.azure = { resourceGroupName: pulumi.output("rg-prod"), clusterName: pulumi.output("prod-aks") };
        this.registerOutputs({});
    }
}

export function byName(resources: readonly RegisteredResource[], name: string): RegisteredResource {
    const found = resources.find((r) => r.name === name);
    if (!found) throw new Error(`no resource named ${name}; registered: ${resources.map((r) => r.name).join(", ")}`);
    return found;
}

/** Types of Flux custom resources, as Pulumi would name them if a program registered one. */
export const FLUX_CR_TYPE = /^kubernetes:(fluxcd\.controlplane\.io|[a-z]+\.toolkit\.fluxcd\.io)\//;
