import * as assert from "assert";
import { readStackConfig } from "../../cli/shared/stack-file";
import { composeStack } from "../../stacks/compose";
import { REPOSITORY_ROOT } from "../../core/repository";
import { parseStackModel, StackModel } from "../../stacks/model";
import { captured, clearRegisteredResources } from "../support/harness";
import { counts, inPreview } from "./support";

const STACKS = ["dev", "staging", "prod", "local"] as const;

function model(stack: string): StackModel {
    // The stack's config as the Pulumi CLI assembles it (Pulumi.yaml defaults, then the stack
    // file), checked against the real repository: its clusters/<env> must sync every listed app.
    const { config, secretKeys } = readStackConfig(REPOSITORY_ROOT, stack);
    return parseStackModel(stack, config, { secretKeys });
}

describe("stack files", () => {
    const expectedClouds: Record<(typeof STACKS)[number], string[]> = {
        dev: ["aws"],
        staging: ["aws", "gcp"],
        prod: ["aws", "gcp", "azure"],
        local: ["existing"],
    };

    for (const stack of STACKS) {
        it(`Pulumi.${stack}.yaml parses into a valid ${stack} model`, () => {
            const m = model(stack);
            assert.strictEqual(m.environment, stack);
            assert.deepStrictEqual(
                m.clusters.map((c) => c.cloud),
                expectedClouds[stack],
            );
            assert.strictEqual(m.gitops.repository, "https://github.com/fluxpilot/fluxpilot");
            assert.deepStrictEqual(m.gitops.ref, { branch: "main" });
            assert.strictEqual(m.gitops.path, `clusters/${stack}`);
            assert.deepStrictEqual(m.apps, ["sample-app"]);
            for (const cluster of m.clusters) {
                assert.ok(cluster.name.startsWith(stack), `${cluster.name} should say which environment it belongs to`);
                assert.strictEqual(cluster.protect, stack === "prod");
            }
        });
    }

    it("keeps prod highly available: at least three nodes per pool, no public API for everyone", () => {
        for (const cluster of model("prod").clusters as any[]) {
            for (const pool of cluster.nodePools) assert.ok(pool.minNodes >= 3, `${cluster.name}/${pool.name}`);
            assert.ok(!cluster.endpoint.allowedCidrs.includes("0.0.0.0/0"), cluster.name);
        }
    });

    it("sizes staging below prod on every cloud they share", () => {
        const prod = new Map((model("prod").clusters as any[]).map((c) => [c.cloud, c]));
        for (const cluster of model("staging").clusters as any[]) {
            const counterpart = prod.get(cluster.cloud);
            const maxOf = (c: any) => Math.max(...c.nodePools.map((p: any) => p.maxNodes));
            assert.ok(maxOf(cluster) < maxOf(counterpart), `${cluster.name} should be smaller than ${counterpart.name}`);
        }
    });

    it("installs Flux on AKS through Azure, on the cluster the AKS provider created, when the cluster asks for the extension", async () => {
        const { config } = readStackConfig(REPOSITORY_ROOT, "prod");
        const clusters = (config["fluxpilot:clusters"] as any[]).map((c) => (c.cloud === "azure" ? { ...c, flux: { installer: "aks-extension" } } : c));
        clearRegisteredResources();
        composeStack(parseStackModel("prod", { ...config, "fluxpilot:clusters": clusters }));
        const resources = await captured();
        const extension = resources.find((r) => r.type === "azure-native:kubernetesconfiguration:Extension")!;
        assert.ok(extension, "no microsoft.flux extension was planned");
        assert.deepStrictEqual([extension.inputs.resourceGroupName, extension.inputs.clusterName], ["prod-aks-rg", "prod-aks"]);
        const aksProvider = resources.find((r) => r.type === "pulumi:providers:azure-native")!;
        assert.ok(extension.provider.startsWith(`${aksProvider.urn}::`), "the extension must use the AKS component's Azure provider");
    });

    describe("offline plan (preview under the mock runtime)", () => {
        it("prod shows an EKS, a GKE and an AKS cluster with their networks, node pools and providers", async () => {
            const m = model("prod");
            const resources = await inPreview("prod", () => composeStack(m));
            const c = counts(resources);
            for (const type of [
                "fluxpilot:clusters:EksCluster",
                "aws:eks/cluster:Cluster",
                "aws:ec2/vpc:Vpc",
                "fluxpilot:clusters:GkeCluster",
                "gcp:container/cluster:Cluster",
                "gcp:compute/network:Network",
                "fluxpilot:clusters:AksCluster",
                "azure-native:containerservice:ManagedCluster",
                "azure-native:network:VirtualNetwork",
            ]) {
                assert.strictEqual(c[type], 1, type);
            }
            // prod-eks and prod-aks list two pools each; prod-gke one.
            assert.strictEqual(c["aws:eks/nodeGroup:NodeGroup"], 2);
            assert.strictEqual(c["gcp:container/nodePool:NodePool"], 1);
            assert.strictEqual(c["azure-native:containerservice:AgentPool"], 1);
            assert.strictEqual(c["pulumi:providers:kubernetes"], 3);
            const clusterResources = resources.filter((r) => r.urn.includes("fluxpilot:clusters:"));
            assert.ok(clusterResources.length > 0 && clusterResources.every((r) => r.protect), "every prod cluster resource is protected");
            // Provider functions run in a preview too; their fixtures must answer.
            const zones = resources.filter((r) => r.type === "aws:ec2/subnet:Subnet").map((r) => r.inputs.availabilityZone);
            assert.deepStrictEqual([...new Set(zones)].sort(), ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
            const keyGrant = resources.find((r) => r.type === "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")!;
            assert.match(keyGrant.inputs.member, /^serviceAccount:service-\d{12}@container-engine-robot/);
            const aks = resources.find((r) => r.type === "azure-native:containerservice:ManagedCluster")!;
            assert.match(aks.inputs.aadProfile.tenantID, /^[0-9a-f-]{36}$/);
        });

        it("staging and dev plan their clusters", async () => {
            const staging = counts(await inPreview("staging", () => composeStack(model("staging"))));
            assert.deepStrictEqual(
                [staging["aws:eks/cluster:Cluster"], staging["gcp:container/cluster:Cluster"], staging["azure-native:containerservice:ManagedCluster"]],
                [1, 1, undefined],
            );
            const dev = counts(await inPreview("dev", () => composeStack(model("dev"))));
            assert.strictEqual(dev["aws:eks/cluster:Cluster"], 1);
            assert.strictEqual(dev["aws:ec2/natGateway:NatGateway"], 1);
        });

        it("local adopts its cluster and creates nothing in any cloud", async () => {
            const resources = await inPreview("local", () => composeStack(model("local")));
            const cluster = resources.filter((r) => r.urn.includes("fluxpilot:clusters:"));
            assert.deepStrictEqual(cluster.map((r) => r.type).sort(), ["fluxpilot:clusters:ExistingCluster", "pulumi:providers:kubernetes"]);
            // What else there is goes into the adopted cluster (Flux), through its Kubernetes provider.
            const cloud = resources.filter((r) => /^(aws|gcp|azure-native):/.test(r.type) || /^pulumi:providers:(aws|gcp|azure-native)$/.test(r.type));
            assert.deepStrictEqual(cloud, []);
        });
    });
});
