/**
 * Builds cluster components the way the stack does (schema -> defaults -> validation -> create),
 * for one environment preset, and gives the tests what was registered.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClusterConfigBase, ClusterProvider, KubernetesCluster } from "../../components/clusters/provider";
import { Environment } from "../../core/environments";
import { presets } from "../../core/environments";
import { formatProblem } from "../../core/problems";
import { parse as parseYaml } from "yaml";
import { installOfflineRuntime } from "../../mock-runtime/runtime";
import { captured, clearRegisteredResources, isSecretInput, isSecretOutput, plainInput, RegisteredResource, unregisteredOutputs, valueOf } from "../support/harness";

export type CloudEnvironment = "dev" | "staging" | "prod";
export const ENVIRONMENTS: readonly CloudEnvironment[] = ["dev", "staging", "prod"];

export function tagsFor(environment: Environment, name: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, environment, cluster: name, "managed-by": "fluxpilot" };
}

/** Parses, defaults and validates `raw` for `environment`; fails the test on any problem. */
export function configFor<C>(provider: ClusterProvider, raw: unknown, environment: Environment): C {
    const parsed = provider.schema.safeParse(raw);
    assert.ok(parsed.success, `schema rejected the test config: ${parsed.error?.message}`);
    const config = provider.withDefaults(parsed.data, presets[environment]);
    const problems = provider.validate(config, presets[environment], "fluxpilot:clusters[0]");
    assert.deepStrictEqual(problems.map(formatProblem), [], "test config should be valid");
    return config as C;
}

export interface Built {
    cluster: KubernetesCluster;
    resources: readonly RegisteredResource[];
    /** The registrations of one type. */
    ofType: (type: string) => RegisteredResource[];
    /** The one registration of a type; fails when there is not exactly one. */
    only: (type: string) => RegisteredResource;
    /** The one registration of a type whose name ends with `-<suffix>` (a type the cluster registers more than once). */
    named: (type: string, suffix: string) => RegisteredResource;
}

/** Creates a fresh cluster component and waits for every registration. */
export async function build(provider: ClusterProvider, raw: Record<string, unknown>, environment: Environment): Promise<Built> {
    clearRegisteredResources();
    const config = configFor<ClusterConfigBase>(provider, raw, environment);
    const cluster = provider.create({ ...config, environment, tags: tagsFor(environment, config.name, config.tags) }, { protect: config.protect });
    const resources = [...(await captured())];
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    return {
        cluster,
        resources,
        ofType,
        only: (type) => {
            const found = ofType(type);
            assert.strictEqual(found.length, 1, `expected exactly one ${type}, found ${found.length}`);
            return found[0];
        },
        named: (type, suffix) => {
            const found = ofType(type).filter((r) => r.name.endsWith(`-${suffix}`));
            assert.strictEqual(found.length, 1, `expected exactly one ${type} named *-${suffix}, found ${found.length}`);
            return found[0];
        },
    };
}

/** Resource counts per type. */
export function counts(resources: readonly RegisteredResource[]): Record<string, number> {
    const result: Record<string, number> = {};
    for (const r of resources) result[r.type] = (result[r.type] ?? 0) + 1;
    return Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b)));
}

/** The URN path below the stack: `type$type::name`, stable across stacks and projects. */
export function urnTail(urn: string): string {
    return urn.split("::").slice(2).join("::");
}

/**
 * A throwaway repository root with `clusters/<env>/` holding a Flux Kustomization per app, for
 * stack-model tests that must not depend on what another branch puts under `clusters/`.
 */
export function tempRepoRoot(environments: readonly string[], apps: readonly string[] = ["sample-app"]): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-repo-"));
    for (const env of environments) {
        fs.mkdirSync(path.join(root, "clusters", env), { recursive: true });
        fs.writeFileSync(path.join(root, "clusters", env, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [apps.yaml]\n");
        const kustomizations = apps.map((app) =>
            [
                "apiVersion: kustomize.toolkit.fluxcd.io/v1",
                "kind: Kustomization",
                `metadata: { name: ${app}, namespace: flux-system }`,
                `spec: { interval: 10m, path: ./apps/${app}/overlays/${env}, prune: true, sourceRef: { kind: GitRepository, name: flux-system } }`,
            ].join("\n"),
        );
        fs.writeFileSync(path.join(root, "clusters", env, "apps.yaml"), `${kustomizations.join("\n---\n")}\n`);
    }
    return root;
}

/**
 * Runs `fn` under the mock runtime in preview mode (as `pulumi preview` and the offline plan do:
 * outputs the cloud computes stay unknown), then restores the tests' non-preview runtime.
 */
export async function inPreview(stack: string, fn: () => void): Promise<readonly RegisteredResource[]> {
    await installOfflineRuntime({ project: "fluxpilot", stack, preview: true });
    try {
        clearRegisteredResources();
        fn();
        return [...(await captured())];
    } finally {
        await installOfflineRuntime({ project: "fluxpilot", stack: "test", preview: false });
    }
}

/** Where URN snapshots live; run with UPDATE_SNAPSHOTS=1 to rewrite them after a deliberate rename. */
const SNAPSHOTS = path.join(__dirname, "snapshots");

/** Compares the sorted child URNs with the committed snapshot (names are a public contract). */
export function assertUrnSnapshot(snapshot: string, resources: readonly RegisteredResource[]): void {
    const tails = resources.map((r) => urnTail(r.urn)).sort();
    const file = path.join(SNAPSHOTS, `${snapshot}.json`);
    if (process.env.UPDATE_SNAPSHOTS === "1") {
        fs.mkdirSync(SNAPSHOTS, { recursive: true });
        fs.writeFileSync(file, `${JSON.stringify(tails, null, 2)}\n`);
    }
    assert.ok(fs.existsSync(file), `no snapshot ${file}; run the tests with UPDATE_SNAPSHOTS=1 once and review it`);
    assert.deepStrictEqual(tails, JSON.parse(fs.readFileSync(file, "utf8")), "child names changed: this would replace real infrastructure");
}

/**
 * Contract checks every managed cluster component must pass, whatever the cloud: naming and
 * parenting of children, protect in prod, secret kubeconfig with the cloud's exec plugin, and a
 * Kubernetes provider bound to that kubeconfig.
 */
export function itHonoursTheContract(
    environment: Environment,
    get: () => Built,
    expected: {
        componentType: string;
        cloudProviderType: string;
        execCommand: string;
        execArgs: string[];
        /** Whether the cluster has an OIDC issuer for workload identity (default true). */
        oidcIssuer?: boolean;
    },
): void {
    it("registers the component once, with every child parented to it and named after it", () => {
        const { resources } = get();
        const component = resources.filter((r) => r.type === expected.componentType);
        assert.strictEqual(component.length, 1);
        const name = component[0].name;
        for (const child of resources.filter((r) => r !== component[0])) {
            assert.strictEqual(child.parent, component[0].urn, `${child.type} ${child.name} is not parented to the component`);
            assert.ok(child.name.startsWith(`${name}-`), `${child.type} ${child.name} is not named after ${name}`);
        }
    });

    it("creates every cloud resource through the component's explicit provider", () => {
        const { resources } = get();
        const providers = resources.filter((r) => r.type === expected.cloudProviderType);
        assert.strictEqual(providers.length, 1);
        // A time:Sleep (the AKS role propagation wait) calls no cloud API, so it needs no cloud provider.
        const cloudResources = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("time:"));
        assert.ok(cloudResources.length > 0);
        for (const r of cloudResources) {
            assert.ok(r.provider.startsWith(`${providers[0].urn}::`), `${r.type} ${r.name} does not use the component's provider`);
        }
    });

    it(environment === "prod" ? "protects every resource in prod" : `does not protect resources in ${environment}`, () => {
        for (const r of get().resources) {
            assert.strictEqual(r.protect, environment === "prod", `${r.type} ${r.name} protect=${r.protect}`);
        }
    });

    it("registers every public output with registerOutputs", async () => {
        assert.deepStrictEqual(await unregisteredOutputs(get().cluster), []);
    });

    it("exposes the kubeconfig as a secret output", async () => {
        assert.strictEqual(await isSecretOutput(get().cluster.kubeconfig), true);
    });

    it(`authenticates with the ${expected.execCommand} exec plugin, never a static token`, async () => {
        const kubeconfig = parseYaml(await valueOf(get().cluster.kubeconfig));
        const user = kubeconfig.users[0].user;
        assert.deepStrictEqual(Object.keys(user), ["exec"]);
        assert.strictEqual(user.exec.apiVersion, "client.authentication.k8s.io/v1beta1");
        assert.strictEqual(user.exec.command, expected.execCommand);
        assert.deepStrictEqual(user.exec.args, expected.execArgs);
        const cluster = kubeconfig.clusters[0].cluster;
        assert.match(cluster.server, /^https:\/\//);
        assert.match(Buffer.from(cluster["certificate-authority-data"], "base64").toString(), /^-----BEGIN CERTIFICATE-----/);
        assert.strictEqual(kubeconfig["current-context"], kubeconfig.contexts[0].name);
    });

    it("binds a Kubernetes provider to the cluster's kubeconfig, with server-side apply", async () => {
        const { cluster, only } = get();
        const provider = only("pulumi:providers:kubernetes");
        assert.ok(isSecretInput(provider.inputs.kubeconfig), "the provider's kubeconfig input must stay secret");
        assert.strictEqual(plainInput(provider.inputs.kubeconfig), await valueOf(cluster.kubeconfig));
        assert.strictEqual(String(provider.inputs.enableServerSideApply), "true");
        assert.strictEqual(await valueOf((cluster.provider as any).urn), provider.urn);
    });

    const oidc = expected.oidcIssuer ?? true;
    it(`exports an https endpoint, a version${oidc ? " and an OIDC issuer" : ""}`, async () => {
        const { cluster } = get();
        assert.match(await valueOf(cluster.endpoint), /^https:\/\/\S+$/);
        assert.match(await valueOf(cluster.kubernetesVersion), /^1\.\d{2}/);
        if (oidc) assert.match(String(await valueOf(cluster.oidcIssuerUrl)), /^https:\/\/\S+$/);
    });
}
