/**
 * Adding a cluster provider is its folder plus one registry line: a provider defined here, in the
 * test file alone, is registered and runs end to end through the stack model, composition, Flux
 * and the offline plan, without any other program file knowing about it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { runPlan } from "../../cli/plan/run";
import { clusterKubernetesProvider, execKubeconfig } from "../../components/clusters/managed";
import { ClusterArgs, clusterFields, ClusterConfigBase, defineClusterProvider, KubernetesCluster } from "../../components/clusters/provider";
import { clusterProviders, registerClusterProvider } from "../../components/clusters/registry";
import { fakeCertificateAuthority } from "../../components/clusters/offline-fixtures";
import { REPOSITORY_ROOT } from "../../core/repository";
import { installOfflineRuntime } from "../../mock-runtime/runtime";
import { parseStackModel } from "../../stacks/model";

const TOY_ENDPOINT_CALL = "toycloud:index/getEndpoint:getEndpoint";

/** The toy cloud's one resource type. */
class ToyControlPlane extends pulumi.CustomResource {
    constructor(name: string, args: { size: number; tags: Record<string, string> }, opts?: pulumi.CustomResourceOptions) {
        super("toycloud:index:ControlPlane", name, args, opts);
    }
}

interface ToyConfig extends ClusterConfigBase {
    cloud: "toycloud";
    size: number;
}

/** A cluster on a cloud that does not exist: one cloud resource, an endpoint from a provider call, a Kubernetes provider. */
class ToyCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly cloud = "toycloud";
    public readonly region: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly kubernetesVersion: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
    public readonly provider: k8s.Provider;

    constructor(name: string, args: ClusterArgs<ToyConfig>, opts?: pulumi.ComponentResourceOptions) {
        super("fluxpilot:test:ToyCluster", name, {}, opts);
        const control = new ToyControlPlane(`${name}-control-plane`, { size: args.size, tags: args.tags }, { parent: this });
        const found = pulumi.output(pulumi.runtime.invoke(TOY_ENDPOINT_CALL, { cluster: args.name, region: args.region }, { parent: this }));
        this.clusterName = pulumi.output(args.name);
        this.region = pulumi.output(args.region);
        this.endpoint = found.apply((answer) => String(answer.endpoint));
        this.kubernetesVersion = pulumi.output("1.35");
        this.oidcIssuerUrl = pulumi.output(undefined);
        this.kubeconfig = execKubeconfig({
            name: args.name,
            server: this.endpoint,
            certificateAuthorityData: fakeCertificateAuthority(args.name),
            exec: { command: "toycloud", args: ["token", args.name], installHint: "there is no toycloud CLI" },
        });
        this.provider = clusterKubernetesProvider(name, this.kubeconfig, this, [control]);
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

const toyProvider = defineClusterProvider({
    cloud: "toycloud",
    title: "Toy Cloud",
    schema: z.strictObject({ ...clusterFields, cloud: z.literal("toycloud"), size: z.int().min(1).optional() }),
    supportedVersions: [],
    withDefaults(raw, preset): ToyConfig {
        return { name: raw.name, cloud: "toycloud", region: raw.region, protect: raw.protect ?? preset.protect, tags: raw.tags ?? {}, size: raw.size ?? preset.nodes.min };
    },
    validate(config, _preset, key) {
        return config.size > 5 ? [{ key: `${key}.size`, value: config.size, message: "is more than Toy Cloud sells", fix: "set size to 5 or less" }] : [];
    },
    create(args, opts) {
        return new ToyCluster(args.name, args, opts);
    },
    flux: { clusterType: "kubernetes" },
    offlineFixtures: { invokes: { [TOY_ENDPOINT_CALL]: (inputs) => ({ endpoint: `https://${String(inputs.cluster)}.${String(inputs.region)}.toycloud.test` }) } },
});

const toyStack = (clusters: unknown[]) => ({
    "fluxpilot:environment": "dev",
    "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot", branch: "main" },
    "fluxpilot:clusters": clusters,
});

describe("architecture: a throwaway cluster provider", function () {
    this.timeout(120_000);
    let unregister: () => void = () => undefined;
    before(() => {
        unregister = registerClusterProvider(toyProvider);
    });
    after(() => {
        unregister();
        return installOfflineRuntime({ project: "fluxpilot", stack: "test", preview: false });
    });

    it("is known to the registry, and a second registration of its cloud is refused", () => {
        assert.ok(clusterProviders().includes(toyProvider));
        assert.throws(() => registerClusterProvider(toyProvider), /cloud "toycloud" is already registered/);
    });

    it("is parsed, defaulted and validated by the stack model, its own rules included", () => {
        const model = parseStackModel("toy", toyStack([{ name: "toy-one", cloud: "toycloud", region: "moon-1" }]), { repoRoot: REPOSITORY_ROOT });
        assert.deepStrictEqual(model.clusters, [{ name: "toy-one", cloud: "toycloud", region: "moon-1", protect: false, tags: {}, size: 1 }]);
        assert.strictEqual(model.fluxByCluster["toy-one"].clusterType, "kubernetes");
        assert.throws(
            () => parseStackModel("toy", toyStack([{ name: "toy-one", cloud: "toycloud", region: "moon-1", size: 9, colour: "red" }]), { repoRoot: REPOSITORY_ROOT }),
            (error: Error) =>
                /fluxpilot:clusters\[0\]\.colour: is not a known setting/.test(error.message) &&
                // Schema and rule problems are not mixed for one entry: the unknown key stops it first.
                !/is more than Toy Cloud sells/.test(error.message),
        );
        assert.throws(
            () => parseStackModel("toy", toyStack([{ name: "toy-one", cloud: "toycloud", region: "moon-1", size: 9 }]), { repoRoot: REPOSITORY_ROOT }),
            /fluxpilot:clusters\[0\]\.size: is more than Toy Cloud sells \(given: 9\)\. Fix: set size to 5 or less/,
        );
    });

    it("is planned offline with Flux installed on it through the real program", async () => {
        const project = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-toy-"));
        fs.copyFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        fs.writeFileSync(
            path.join(project, "Pulumi.toy.yaml"),
            [
                "config:",
                "  fluxpilot:environment: dev",
                "  fluxpilot:gitops: { repository: https://github.com/acme/fluxpilot, branch: main }",
                "  fluxpilot:clusters: [{ name: toy-one, cloud: toycloud, region: moon-1, size: 2 }]",
                "",
            ].join("\n"),
        );
        const program = path.join(REPOSITORY_ROOT, "index.ts");
        delete require.cache[require.resolve(program)];
        const snapshot = await runPlan({ projectDir: project, stack: "toy", program });
        const byName = new Map(snapshot.resources.map((r) => [r.name, r]));
        const component = byName.get("toy-one");
        assert.strictEqual(component?.type, "fluxpilot:test:ToyCluster");
        assert.strictEqual(byName.get("toy-one-control-plane")?.type, "toycloud:index:ControlPlane");
        assert.deepStrictEqual(byName.get("toy-one-control-plane")?.inputs, { size: 2, tags: { cluster: "toy-one", environment: "dev", "managed-by": "fluxpilot" } });
        // Flux on the toy cluster's Kubernetes provider, as on any other provider's cluster.
        const operator = byName.get("toy-one-flux-operator");
        const k8sProvider = byName.get("toy-one-k8s");
        assert.strictEqual(operator?.type, "kubernetes:helm.sh/v3:Release");
        assert.ok(k8sProvider && String(operator.provider).startsWith(k8sProvider.urn), "Flux must use the toy cluster's provider");
        assert.ok(byName.has("toy-one-flux-instance"));
        // The endpoint came from the provider's own offline fixture for its provider call.
        assert.strictEqual(JSON.stringify(snapshot.outputs).includes("https://toy-one.moon-1.toycloud.test"), true);
    });
});
