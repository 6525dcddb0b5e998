/**
 * The cluster facts Pulumi hands to Flux: the ConfigMap each cluster gets (under mocks, on every
 * cloud of the prod stack and on an adopted cluster), and the Kustomizations of clusters/<env>
 * that read it.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { readStackConfig } from "../../cli/shared/stack-file";
import { FIXTURE_SUBSCRIPTION_ID } from "../../components/clusters/aks/fixtures";
import { FIXTURE_ACCOUNT_ID } from "../../components/clusters/eks/fixtures";
import { clusterFactsData } from "../../core/cluster-facts";
import { REPOSITORY_ROOT } from "../../core/repository";
import { composeStack } from "../../stacks/compose";
import { parseStackModel } from "../../stacks/model";
import { captured, clearRegisteredResources, plainInput, valueOf } from "../support/harness";
import { byName, model } from "./support";

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";

async function composedStack(stack: string) {
    clearRegisteredResources();
    const { config, secretKeys } = readStackConfig(REPOSITORY_ROOT, stack);
    const composed = composeStack(parseStackModel(stack, config, { secretKeys }));
    return { composed, resources: await captured() };
}

describe("flux: cluster facts", () => {
    it("prod: one cluster-facts ConfigMap in flux-system per cluster, with its name, cloud, region, environment and account", async () => {
        const { composed, resources } = await composedStack("prod");
        const facts = resources.filter((r) => r.type === CONFIGMAP && r.name.endsWith("-cluster-facts"));
        assert.deepStrictEqual(facts.map((r) => r.name).sort(), ["prod-aks-flux-cluster-facts", "prod-eks-flux-cluster-facts", "prod-gke-flux-cluster-facts"]);
        const data = (cluster: string) => plainInput<Record<string, string>>(byName(resources, `${cluster}-flux-cluster-facts`).inputs.data);
        // Every EKS cluster has the built-in cluster-autoscaler identity (docs/clusters.md, "Node autoscaling").
        const { identity_kube_system_cluster_autoscaler: autoscalerRole, ...eksFacts } = data("prod-eks");
        assert.match(autoscalerRole, new RegExp(`^arn:aws:iam::${FIXTURE_ACCOUNT_ID}:role/prod-eks-wi-[0-9a-f]{8}$`));
        assert.deepStrictEqual(eksFacts, {
            cluster_name: "prod-eks",
            cluster_cloud: "aws",
            cluster_region: "eu-west-1",
            cluster_environment: "prod",
            cloud_account: FIXTURE_ACCOUNT_ID,
        });
        assert.deepStrictEqual(data("prod-gke"), {
            cluster_name: "prod-gke",
            cluster_cloud: "gcp",
            cluster_region: "europe-west1",
            cluster_environment: "prod",
            cloud_account: "fluxpilot-prod",
        });
        assert.deepStrictEqual(data("prod-aks"), {
            cluster_name: "prod-aks",
            cluster_cloud: "azure",
            cluster_region: "westeurope",
            cluster_environment: "prod",
            cloud_account: FIXTURE_SUBSCRIPTION_ID,
        });
        for (const r of facts) {
            assert.deepStrictEqual([r.inputs.metadata.name, r.inputs.metadata.namespace], ["cluster-facts", "flux-system"]);
            // Written through the cluster's own Kubernetes provider, inherited from the Flux component.
            assert.match(String(r.provider), new RegExp(`pulumi:providers:kubernetes::${r.name.replace(/-flux-cluster-facts$/, "")}-k8s`));
        }
        // The same facts are a stack output, for the .sops.yaml command and for people.
        assert.strictEqual((await valueOf(composed.outputs["prod-gke"].facts)).cluster_region, "europe-west1");
        // Each cluster's SOPS key is a stack output, not a fact (core/sops.ts).
        const sops = async (cluster: string) => {
            const key = composed.outputs[cluster].sops;
            return key ? `${key.kind} ${await valueOf(key.key)}` : undefined;
        };
        assert.match((await sops("prod-eks")) ?? "", /^kms arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/);
        assert.strictEqual(await sops("prod-gke"), "gcp_kms projects/fluxpilot-prod/locations/europe-west1/keyRings/prod-gke-sops/cryptoKeys/sops");
        assert.match((await sops("prod-aks")) ?? "", /^azure_keyvault https:\/\/prod-aks-sk-[0-9a-f]{6}\.vault\.azure\.net\/keys\/sops\/[0-9a-f]{32}$/);
    });

    it("an adopted cluster has no cloud account, and Flux syncs only once its facts exist", async () => {
        clearRegisteredResources();
        const composed = composeStack(model("dev"));
        const resources = await captured();
        // No SOPS key either: an adopted cluster has no cloud of ours (docs/secrets.md).
        assert.strictEqual(composed.outputs["dev-one"].sops, undefined);
        const facts = byName(resources, "dev-one-flux-cluster-facts");
        assert.deepStrictEqual(plainInput(facts.inputs.data), { cluster_name: "dev-one", cluster_cloud: "existing", cluster_region: "local", cluster_environment: "dev" });
        const instance = byName(resources, "dev-one-flux-instance");
        assert.ok(instance.dependencies.includes(facts.urn), "the FluxInstance waits for the facts");
    });

    it("refuses an extra fact that is no Flux variable name or that shadows a cluster fact", () => {
        const base = { name: "a", cloud: "aws", region: "r", environment: "dev" as const };
        assert.throws(() => clusterFactsData({ ...base, extra: { "bad-name": "x" } }), /cluster fact "bad-name" is not a valid Flux variable name/);
        assert.throws(() => clusterFactsData({ ...base, extra: { cluster_name: "x" } }), /cluster fact "cluster_name" is set twice/);
    });

    it("every Flux Kustomization of clusters/<env> reads the facts through postBuild.substituteFrom, not optionally", () => {
        for (const env of ["dev", "staging", "prod", "local"]) {
            for (const file of ["infrastructure.yaml", "apps.yaml"]) {
                const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(REPOSITORY_ROOT, "clusters", env, file), "utf8")).map((d) => d.toJS());
                assert.ok(docs.length > 0);
                for (const doc of docs) {
                    assert.deepStrictEqual(doc.spec.postBuild?.substituteFrom, [{ kind: "ConfigMap", name: "cluster-facts" }], `${env}/${file} ${doc.metadata.name}`);
                }
            }
        }
    });
});
