import * as fs from "fs";
import * as path from "path";
import * as assert from "assert";
import {
    AKS_AAD_SERVER_APP_ID,
    AKS_LOG_CATEGORIES,
    AKS_RBAC_PROPAGATION,
    AksCluster,
    aksKeyVaultName,
    aksProvider,
    aksServerAndCa,
    deployerPrincipalType,
} from "../../components/clusters/aks";
import { parse as parseYaml } from "yaml";
import { valueOf } from "../support/harness";
import { FIXTURE_TENANT_ID } from "../../components/clusters/aks/fixtures";
import { Environment } from "../../core/environments";
import { assertUrnSnapshot, build, Built, counts, ENVIRONMENTS, itHonoursTheContract, tagsFor } from "./support";

const ALLOWED = ["203.0.113.0/24"];
const ADMINS = "3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b";

function aksConfig(environment: Environment, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        name: `${environment}-aks`,
        cloud: "azure",
        region: "westeurope",
        adminGroupObjectIds: [ADMINS],
        ...(environment === "dev" ? {} : { endpoint: { publicAccess: true, allowedCidrs: ALLOWED } }),
        ...extra,
    };
}

const twoPools = (environment: Environment) =>
    aksConfig(environment, {
        nodePools: [
            { name: "system", machineType: "Standard_D4s_v5", minNodes: 2, maxNodes: 4 },
            { name: "apps", machineType: "Standard_D8s_v5", minNodes: 0, maxNodes: 20, spot: true },
        ],
    });

describe("AKS cluster", () => {
    for (const environment of ENVIRONMENTS) {
        describe(`${environment} preset`, () => {
            let built: Built;
            before(async () => {
                built = await build(aksProvider, twoPools(environment), environment);
            });
            const cluster = () => built.only("azure-native:containerservice:ManagedCluster").inputs;
            const userPools = () => built.ofType("azure-native:containerservice:AgentPool");

            itHonoursTheContract(environment, () => built, {
                componentType: "fluxpilot:clusters:AksCluster",
                cloudProviderType: "pulumi:providers:azure-native",
                execCommand: "kubelogin",
                execArgs: ["get-token", "--login", "azurecli", "--server-id", AKS_AAD_SERVER_APP_ID],
            });

            it("CKV_AZURE_5: uses Entra ID with Azure RBAC for Kubernetes authorization", () => {
                assert.strictEqual(cluster().enableRBAC, true);
                assert.deepStrictEqual(cluster().aadProfile, { managed: true, enableAzureRBAC: true, tenantID: FIXTURE_TENANT_ID, adminGroupObjectIDs: [ADMINS] });
            });

            it("CKV_AZURE_141: disables local accounts", () => {
                assert.strictEqual(cluster().disableLocalAccounts, true);
            });

            it("CKV_AZURE_6: limits the API server to authorized IP ranges", () => {
                const access = cluster().apiServerAccessProfile;
                assert.strictEqual(access.enablePrivateCluster, false);
                // dev's preset is open to all, which AKS expresses as no restriction (an empty list).
                assert.deepStrictEqual(access.authorizedIPRanges, environment === "dev" ? [] : ALLOWED);
            });

            it("CKV_AZURE_7: enforces network policy (Cilium on Azure CNI overlay)", () => {
                const networkProfile = cluster().networkProfile;
                assert.strictEqual(networkProfile.networkPolicy, "cilium");
                assert.strictEqual(networkProfile.networkDataplane, "cilium");
                assert.strictEqual(networkProfile.networkPluginMode, "overlay");
                assert.strictEqual(networkProfile.serviceCidr, "10.31.0.0/16");
                assert.strictEqual(networkProfile.dnsServiceIP, "10.31.0.10");
                assert.strictEqual(networkProfile.podCidr, "192.168.0.0/16");
            });

            it("KMS etcd encryption: envelope-encrypts Secrets with a Key Vault key the control plane may use", () => {
                const vault = built.named("azure-native:keyvault:Vault", "kms");
                const key = built.named("azure-native:keyvault:Key", "etcd");
                const kms = cluster().securityProfile.azureKeyVaultKms;
                assert.strictEqual(kms.enabled, true);
                assert.strictEqual(kms.keyVaultResourceId, `${vault.name}-id`);
                assert.match(kms.keyId, new RegExp(`^https://${vault.inputs.vaultName}\\.vault\\.azure\\.net/keys/etcd-encryption/[0-9a-f]{32}$`));
                assert.strictEqual(key.inputs.properties.kty, "RSA");
                assert.strictEqual(vault.inputs.properties.enableRbacAuthorization, true);
                assert.strictEqual(vault.inputs.properties.enablePurgeProtection, environment === "prod" ? true : undefined);
                assert.match(vault.inputs.vaultName, /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/);
                const grant = built.ofType("azure-native:authorization:RoleAssignment").find((r) => r.name.endsWith("-identity-kms"))!;
                assert.match(grant.inputs.roleDefinitionId, /\/roleDefinitions\/12338af0-0e69-4776-bea7-57ae8d297424$/);
                assert.strictEqual(grant.inputs.scope, `${vault.name}-id`);
                assert.ok(built.only("azure-native:containerservice:ManagedCluster").dependencies.includes(grant.urn), "the cluster must wait for its key access");
            });

            it("enables the OIDC issuer and workload identity", () => {
                assert.deepStrictEqual(cluster().oidcIssuerProfile, { enabled: true });
                assert.deepStrictEqual(cluster().securityProfile.workloadIdentity, { enabled: true });
            });

            it("CKV_AZURE_171: follows an auto-upgrade channel", () => {
                assert.deepStrictEqual(cluster().autoUpgradeProfile, { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" });
                assert.strictEqual(cluster().kubernetesVersion, "1.35");
            });

            it("runs the control plane as a user-assigned identity allowed to manage the node subnet", () => {
                const identity = built.named("azure-native:managedidentity:UserAssignedIdentity", "identity");
                assert.deepStrictEqual(cluster().identity, { type: "UserAssigned", userAssignedIdentities: [`${identity.name}-id`] });
                const grant = built.ofType("azure-native:authorization:RoleAssignment").find((r) => r.name.endsWith("-identity-network"))!;
                assert.match(grant.inputs.roleDefinitionId, /\/roleDefinitions\/4d97b98b-1d4f-4787-a291-c67834d212e7$/);
                assert.strictEqual(grant.inputs.scope, `${built.only("azure-native:network:Subnet").name}-id`);
            });

            it("makes the deploying identity a cluster admin through Azure RBAC", () => {
                const grant = built.ofType("azure-native:authorization:RoleAssignment").find((r) => r.name.endsWith("-deployer-admin"))!;
                assert.match(grant.inputs.roleDefinitionId, /\/roleDefinitions\/b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b$/);
                // The fixture signs in through the Azure CLI, so the deployer is a user.
                assert.strictEqual(grant.inputs.principalType, "User");
                assert.strictEqual(grant.inputs.scope, `${built.only("azure-native:containerservice:ManagedCluster").name}-id`);
            });

            it("CKV_AZURE_4: sends control-plane logs, audit included, to Log Analytics", () => {
                const workspace = built.only("azure-native:operationalinsights:Workspace");
                const diagnostics = built.only("azure-native:monitor:DiagnosticSetting").inputs;
                assert.deepStrictEqual(
                    diagnostics.logs.map((l: any) => l.category),
                    [...AKS_LOG_CATEGORIES],
                );
                assert.ok(diagnostics.logs.every((l: any) => l.enabled === true));
                assert.strictEqual(diagnostics.workspaceId, `${workspace.name}-id`);
                assert.strictEqual(cluster().addonProfiles.omsagent.enabled, true);
                assert.strictEqual(workspace.inputs.retentionInDays, { dev: 30, staging: 90, prod: 365 }[environment]);
            });

            it("collects Container Insights through a Data Collection Rule associated with the cluster, since AAD-auth monitoring collects nothing without one", () => {
                const workspace = built.only("azure-native:operationalinsights:Workspace");
                const rule = built.only("azure-native:monitor:DataCollectionRule");
                assert.deepStrictEqual(
                    rule.inputs.dataSources.extensions.map((e: any) => [e.extensionName, e.streams]),
                    [["ContainerInsights", ["Microsoft-ContainerInsights-Group-Default"]]],
                );
                assert.deepStrictEqual(rule.inputs.destinations.logAnalytics, [{ name: "workspace", workspaceResourceId: `${workspace.name}-id` }]);
                assert.deepStrictEqual(rule.inputs.dataFlows, [{ streams: ["Microsoft-ContainerInsights-Group-Default"], destinations: ["workspace"] }]);
                const association = built.only("azure-native:monitor:DataCollectionRuleAssociation");
                assert.strictEqual(association.inputs.associationName, "ContainerInsightsExtension");
                assert.strictEqual(association.inputs.dataCollectionRuleId, `${rule.name}-id`);
                assert.ok(association.dependencies.includes(built.only("azure-native:containerservice:ManagedCluster").urn));
            });

            it("CKV_AZURE_116: enables Azure Policy for Kubernetes", () => {
                assert.deepStrictEqual(cluster().addonProfiles.azurepolicy, { enabled: true });
            });

            it("autoscales a system pool and separate user pools within their ranges", () => {
                const [system] = cluster().agentPoolProfiles;
                assert.strictEqual(system.mode, "System");
                assert.deepStrictEqual([system.enableAutoScaling, system.minCount, system.maxCount], [true, 2, 4]);
                // CKV_AZURE_232: with user pools present, only critical add-ons run on system nodes.
                assert.deepStrictEqual(system.nodeTaints, ["CriticalAddonsOnly=true:NoSchedule"]);
                assert.strictEqual(userPools().length, 1);
                const apps = userPools()[0].inputs;
                assert.deepStrictEqual([apps.agentPoolName, apps.mode, apps.enableAutoScaling, apps.minCount, apps.maxCount], ["apps", "User", true, 0, 20]);
                assert.strictEqual(apps.scaleSetPriority, "Spot");
                for (const pool of [system, apps]) {
                    assert.strictEqual(pool.enableNodePublicIP, false);
                    assert.ok(pool.maxPods >= 50, "CKV_AZURE_168");
                    assert.deepStrictEqual(pool.availabilityZones, environment === "dev" ? undefined : ["1", "2", "3"]);
                }
            });

            it(environment === "dev" ? "uses the Free tier in dev" : "CKV_AZURE_170: uses the Standard (SLA) tier", () => {
                assert.deepStrictEqual(cluster().sku, { name: "Base", tier: environment === "dev" ? "Free" : "Standard" });
            });

            it("tags every Azure resource that takes tags with environment, cluster and managed-by", () => {
                const tags = tagsFor(environment, `${environment}-aks`);
                for (const type of [
                    "azure-native:resources:ResourceGroup",
                    "azure-native:network:VirtualNetwork",
                    "azure-native:managedidentity:UserAssignedIdentity",
                    "azure-native:operationalinsights:Workspace",
                    "azure-native:keyvault:Vault",
                    "azure-native:keyvault:Key",
                    "azure-native:containerservice:ManagedCluster",
                ]) {
                    const tagged = built.ofType(type);
                    assert.ok(tagged.length > 0, type);
                    for (const r of tagged) {
                        // Workload identities add the service account they belong to.
                        const { "kubernetes-service-account": _account, ...rest } = r.inputs.tags ?? {};
                        assert.deepStrictEqual(rest, tags, `${type} ${r.name}`);
                    }
                }
                for (const pool of [...cluster().agentPoolProfiles, ...userPools().map((p) => p.inputs)]) {
                    assert.deepStrictEqual(pool.tags, { ...tags, pool: pool.name ?? pool.agentPoolName });
                }
            });

            it("leaves the current node count to the autoscaler", () => {
                assert.deepStrictEqual(built.only("azure-native:containerservice:ManagedCluster").ignoreChanges, ["agentPoolProfiles[0].count"]);
                for (const pool of userPools()) {
                    assert.deepStrictEqual(pool.ignoreChanges, ["count"]);
                }
            });

            it("adds user pools as their own resources, so pool changes never replace the cluster", () => {
                const managed = built.only("azure-native:containerservice:ManagedCluster");
                assert.strictEqual(cluster().agentPoolProfiles.length, 1);
                for (const pool of userPools()) {
                    assert.strictEqual(pool.deleteBeforeReplace, true, "fixed pool names need delete-before-replace");
                    assert.strictEqual(pool.inputs.resourceName, `${environment}-aks`);
                    assert.ok(pool.dependencies.includes(managed.urn));
                }
            });

            it("exposes its ARM coordinates and provider for what is installed through Azure", async () => {
                const aksCluster = built.cluster as AksCluster;
                assert.strictEqual(await valueOf(aksCluster.azure.resourceGroupName), `${environment}-aks-rg`);
                assert.strictEqual(await valueOf(aksCluster.azure.clusterName), `${environment}-aks`);
                const provider = built.only("pulumi:providers:azure-native");
                assert.strictEqual(await valueOf((aksCluster.azure.provider as any).urn), provider.urn);
            });

            it("keeps child names stable (URN snapshot)", () => {
                assertUrnSnapshot(`aks-${environment}`, built.resources);
            });
        });
    }

    it("leaves the API server open when 0.0.0.0/0 is among the allowed ranges (dev), rather than keeping only the others", async () => {
        const built = await build(aksProvider, aksConfig("dev", { endpoint: { publicAccess: true, allowedCidrs: ["0.0.0.0/0", "203.0.113.0/24"] } }), "dev");
        const access = built.only("azure-native:containerservice:ManagedCluster").inputs.apiServerAccessProfile;
        assert.deepStrictEqual(access, { enablePrivateCluster: false, authorizedIPRanges: [] });
    });

    for (const channel of ["stable", "rapid"] as const) {
        it(`pins no Kubernetes version on the cluster or its pools under the ${channel} channel, so AKS's own minor upgrades are never undone`, async () => {
            const built = await build(aksProvider, { ...twoPools("staging"), autoUpgradeChannel: channel }, "staging");
            const cluster = built.only("azure-native:containerservice:ManagedCluster").inputs;
            assert.strictEqual(cluster.kubernetesVersion, undefined);
            assert.strictEqual(cluster.agentPoolProfiles[0].orchestratorVersion, undefined);
            assert.strictEqual(built.only("azure-native:containerservice:AgentPool").inputs.orchestratorVersion, undefined);
            assert.strictEqual(cluster.autoUpgradeProfile.upgradeChannel, channel);
        });
    }

    it("pins the Kubernetes version on the cluster and its pools under the patch channel", async () => {
        const built = await build(aksProvider, twoPools("staging"), "staging");
        assert.strictEqual(built.only("azure-native:containerservice:ManagedCluster").inputs.agentPoolProfiles[0].orchestratorVersion, "1.35");
        assert.strictEqual(built.only("azure-native:containerservice:AgentPool").inputs.orchestratorVersion, "1.35");
    });

    it("becomes a private cluster when the endpoint is not public (CKV_AZURE_115)", async () => {
        const built = await build(aksProvider, aksConfig("prod", { endpoint: { publicAccess: false } }), "prod");
        const access = built.only("azure-native:containerservice:ManagedCluster").inputs.apiServerAccessProfile;
        assert.deepStrictEqual(access, { enablePrivateCluster: true });
    });

    it("counts resources per type for dev (one pool) and prod (two pools)", async () => {
        const base = {
            // The etcd key, vault and control-plane identity, and the SOPS ones (sops-key.ts).
            "azure-native:authorization:RoleAssignment": 4,
            "azure-native:containerservice:ManagedCluster": 1,
            "azure-native:keyvault:Key": 2,
            "azure-native:keyvault:Vault": 2,
            "azure-native:managedidentity:FederatedIdentityCredential": 1,
            "azure-native:managedidentity:UserAssignedIdentity": 2,
            "azure-native:monitor:DataCollectionRule": 1,
            "azure-native:monitor:DataCollectionRuleAssociation": 1,
            "azure-native:monitor:DiagnosticSetting": 1,
            "azure-native:network:Subnet": 1,
            "azure-native:network:VirtualNetwork": 1,
            "azure-native:operationalinsights:Workspace": 1,
            "azure-native:resources:ResourceGroup": 1,
            "fluxpilot:clusters:AksCluster": 1,
            "pulumi:providers:azure-native": 1,
            "pulumi:providers:kubernetes": 1,
            "time:index/sleep:Sleep": 1,
        };
        assert.deepStrictEqual(counts((await build(aksProvider, aksConfig("dev"), "dev")).resources), base);
        const prod = counts((await build(aksProvider, twoPools("prod"), "prod")).resources);
        assert.deepStrictEqual(prod, Object.fromEntries(Object.entries({ ...base, "azure-native:containerservice:AgentPool": 1 }).sort(([a], [b]) => a.localeCompare(b))));
    });

    it("documents that the read-only preview identity needs the AKS Cluster User Role, since Reader cannot call listClusterUserCredential (every preview would get a 403)", () => {
        const source = fs.readFileSync(path.join(__dirname, "..", "..", "components", "clusters", "aks", "cluster.ts"), "utf8");
        assert.match(source, /listManagedClusterUserCredentialsOutput\(/);
        const operations = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "operations.md"), "utf8").replace(/\s+/g, " ");
        assert.match(operations, /Reader for the preview identity\)\. The preview identity also needs "Azure Kubernetes Service Cluster User Role"/);
    });

    it("signs the kubeconfig in with the kubelogin mode the stack chooses: workloadidentity reads its federated token from the environment, spn names the tenant (issue 11 item 5)", async () => {
        const execOf = async (mode: string) => {
            const built = await build(aksProvider, aksConfig("staging", { kubeloginMode: mode }), "staging");
            return parseYaml(await valueOf(built.cluster.kubeconfig)).users[0].user.exec;
        };
        const workload = await execOf("workloadidentity");
        assert.deepStrictEqual(workload.args, ["get-token", "--login", "workloadidentity", "--server-id", AKS_AAD_SERVER_APP_ID]);
        assert.match(workload.installHint, /AZURE_FEDERATED_TOKEN_FILE/);
        assert.deepStrictEqual((await execOf("spn")).args, ["get-token", "--login", "spn", "--server-id", AKS_AAD_SERVER_APP_ID, "--tenant-id", FIXTURE_TENANT_ID]);
        // No credential ever lands in the kubeconfig, whatever the mode.
        for (const mode of ["azurecli", "workloadidentity", "spn"]) {
            assert.ok(!(await execOf(mode)).args.some((arg: string) => /secret|token-file|federated-token/.test(arg)), mode);
        }
    });

    it("refuses a kubelogin mode that needs a person at the keyboard (devicecode), naming the modes that run unattended", () => {
        const parsed = aksProvider.schema.safeParse(aksConfig("prod", { kubeloginMode: "devicecode" }));
        assert.ok(!parsed.success);
        assert.match(parsed.error.issues[0].message, /azurecli, workloadidentity, spn/);
    });

    it("installs nothing into a new cluster until the deployer's cluster-admin assignment has had the documented five minutes to propagate (issue 11 item 7)", async () => {
        const built = await build(aksProvider, aksConfig("prod"), "prod");
        const admin = built.resources.find((r) => r.type === "azure-native:authorization:RoleAssignment" && r.name.endsWith("-deployer-admin"));
        const sleep = built.only("time:index/sleep:Sleep");
        const k8s = built.only("pulumi:providers:kubernetes");
        assert.ok(admin);
        assert.strictEqual(AKS_RBAC_PROPAGATION, "5m");
        assert.strictEqual(sleep.inputs.createDuration, "5m");
        // Re-created (and so waits again) when the assignment is replaced.
        assert.ok(sleep.dependencies.includes(admin.urn), "the wait starts after the assignment exists");
        assert.ok(k8s.dependencies.includes(sleep.urn), "the Kubernetes provider (and so Flux) waits for the propagation");
    });

    it("tells a person at the Azure CLI from a pipeline's service principal", () => {
        assert.strictEqual(deployerPrincipalType("04b07795-8ddb-461a-bbee-02f9e1bf7b46"), "User");
        assert.strictEqual(deployerPrincipalType("1950A258-227B-4E31-A9CF-717495945FC2"), "User");
        assert.strictEqual(deployerPrincipalType("9c1b2f4e-3d5a-4e6b-8f7c-0a1b2c3d4e5f"), "ServicePrincipal");
    });

    it("names Key Vaults within Azure's limits, distinct per subscription", () => {
        const a = aksKeyVaultName("a-rather-long-cluster-name-x", "5b2c7e14-9a3d-4f1e-8c6b-2a7d9e0f1c34");
        const b = aksKeyVaultName("a-rather-long-cluster-name-x", "0f1c3e14-9a3d-4f1e-8c6b-2a7d9e5b2c7e");
        for (const name of [a, b, aksKeyVaultName("x", "s")]) {
            assert.ok(name.length >= 3 && name.length <= 24 && /^[a-z][a-z0-9-]*[a-z0-9]$/.test(name) && !name.includes("--"), name);
        }
        assert.notStrictEqual(a, b);
    });

    it("reads the server and CA from AKS's kubeconfig, and fails clearly without them", () => {
        const encoded = Buffer.from(
            "clusters:\n  - name: c\n    cluster:\n      server: https://c.hcp.westeurope.azmk8s.io:443\n      certificate-authority-data: Q0E=\n",
        ).toString("base64");
        assert.deepStrictEqual(aksServerAndCa(encoded), { server: "https://c.hcp.westeurope.azmk8s.io:443", ca: "Q0E=" });
        assert.throws(() => aksServerAndCa(Buffer.from("clusters: []").toString("base64")), /has no server or certificate-authority-data/);
    });
});
