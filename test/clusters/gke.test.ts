import * as assert from "assert";
import { gkeProvider, gkeNodeAccountId, gkeMaintenanceWindow, GKE_LOG_COMPONENTS, GKE_MAINTENANCE_WINDOWS, maintenanceWindowProblems } from "../../components/clusters/gke";
import { Environment } from "../../core/environments";
import { assertUrnSnapshot, build, Built, counts, ENVIRONMENTS, itHonoursTheContract, tagsFor } from "./support";

const ALLOWED = ["203.0.113.0/24"];

function gkeConfig(environment: Environment, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        name: `${environment}-gke`,
        cloud: "gcp",
        project: `fluxpilot-${environment}`,
        region: "europe-west1",
        ...(environment === "dev" ? {} : { endpoint: { publicAccess: true, allowedCidrs: ALLOWED } }),
        ...extra,
    };
}

describe("GKE cluster", () => {
    for (const environment of ENVIRONMENTS) {
        describe(`${environment} preset`, () => {
            let built: Built;
            before(async () => {
                built = await build(gkeProvider, gkeConfig(environment), environment);
            });
            const cluster = () => built.only("gcp:container/cluster:Cluster").inputs;
            const pools = () => built.ofType("gcp:container/nodePool:NodePool");

            itHonoursTheContract(environment, () => built, {
                componentType: "fluxpilot:clusters:GkeCluster",
                cloudProviderType: "pulumi:providers:gcp",
                execCommand: "gke-gcloud-auth-plugin",
                execArgs: [],
            });

            it("CKV_GCP_23: is VPC-native, with secondary ranges for pods and Services", () => {
                assert.strictEqual(cluster().networkingMode, "VPC_NATIVE");
                assert.deepStrictEqual(cluster().ipAllocationPolicy, { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" });
                const subnet = built.only("gcp:compute/subnetwork:Subnetwork").inputs;
                assert.deepStrictEqual(subnet.secondaryIpRanges, [
                    { rangeName: "pods", ipCidrRange: "10.16.0.0/14" },
                    { rangeName: "services", ipCidrRange: "10.20.0.0/20" },
                ]);
                assert.strictEqual(subnet.privateIpGoogleAccess, true);
                assert.strictEqual(built.only("gcp:compute/network:Network").inputs.autoCreateSubnetworks, false);
            });

            it("CKV_GCP_25 and CKV_GCP_64: runs private nodes, with Cloud NAT for egress", () => {
                assert.strictEqual(cluster().privateClusterConfig.enablePrivateNodes, true);
                assert.strictEqual(cluster().privateClusterConfig.masterIpv4CidrBlock, "172.16.0.0/28");
                assert.strictEqual(built.only("gcp:compute/routerNat:RouterNat").inputs.sourceSubnetworkIpRangesToNat, "ALL_SUBNETWORKS_ALL_IP_RANGES");
            });

            it("CKV_GCP_20: restricts the control plane to authorized networks", () => {
                const networks = cluster().masterAuthorizedNetworksConfig;
                const blocks = networks.cidrBlocks.map((b: any) => b.cidrBlock);
                assert.deepStrictEqual(blocks, environment === "dev" ? ["0.0.0.0/0"] : ALLOWED);
                assert.strictEqual(networks.gcpPublicCidrsAccessEnabled, false);
            });

            it("CKV_GCP_69: enables Workload Identity and the GKE metadata server on nodes", () => {
                assert.deepStrictEqual(cluster().workloadIdentityConfig, { workloadPool: `fluxpilot-${environment}.svc.id.goog` });
                for (const pool of pools()) {
                    assert.deepStrictEqual(pool.inputs.nodeConfig.workloadMetadataConfig, { mode: "GKE_METADATA" });
                }
            });

            it("CKV_GCP_70: follows a release channel (STABLE in prod, REGULAR before)", () => {
                assert.deepStrictEqual(cluster().releaseChannel, { channel: environment === "prod" ? "STABLE" : "REGULAR" });
                assert.strictEqual(cluster().minMasterVersion, "1.35");
            });

            it("CKV_GCP_71 and CKV_GCP_68: uses shielded nodes with secure boot and integrity monitoring", () => {
                assert.strictEqual(cluster().enableShieldedNodes, true);
                for (const config of [cluster().nodeConfig, ...pools().map((p) => p.inputs.nodeConfig)]) {
                    assert.deepStrictEqual(config.shieldedInstanceConfig, { enableSecureBoot: true, enableIntegrityMonitoring: true });
                }
            });

            it("CKV_GCP_12: enforces network policy with Dataplane V2", () => {
                assert.strictEqual(cluster().datapathProvider, "ADVANCED_DATAPATH");
            });

            it("CKV_GCP_22: runs Container-Optimized OS on every pool", () => {
                for (const pool of pools()) assert.strictEqual(pool.inputs.nodeConfig.imageType, "COS_CONTAINERD");
            });

            it("CKV_GCP_13 and CKV_GCP_7: issues no client certificate and disables legacy ABAC", () => {
                assert.deepStrictEqual(cluster().masterAuth, { clientCertificateConfig: { issueClientCertificate: false } });
                assert.strictEqual(cluster().enableLegacyAbac, false);
            });

            it("encrypts Secrets with a rotating Cloud KMS key the GKE service agent may use", () => {
                const key = built.named("gcp:kms/cryptoKey:CryptoKey", "secrets");
                assert.deepStrictEqual(cluster().databaseEncryption, { state: "ENCRYPTED", keyName: `${key.name}-id` });
                assert.strictEqual(key.inputs.rotationPeriod, "7776000s");
                const grant = built.named("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "secrets").inputs;
                assert.strictEqual(grant.role, "roles/cloudkms.cryptoKeyEncrypterDecrypter");
                assert.match(grant.member, /^serviceAccount:service-\d+@container-engine-robot\.iam\.gserviceaccount\.com$/);
                assert.ok(built.only("gcp:container/cluster:Cluster").dependencies.includes(built.named("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "secrets").urn));
            });

            it("CKV_GCP_1: sends control-plane and workload logs to Cloud Logging", () => {
                assert.deepStrictEqual(cluster().loggingConfig, { enableComponents: [...GKE_LOG_COMPONENTS] });
            });

            it("replaces the default node pool with autoscaling pools that run as their own service account", () => {
                assert.strictEqual(cluster().removeDefaultNodePool, true);
                const account = built.named("gcp:serviceaccount/account:Account", "nodes").inputs;
                assert.strictEqual(account.accountId, gkeNodeAccountId(`${environment}-gke`));
                const email = `${account.accountId}@fluxpilot-${environment}.iam.gserviceaccount.com`;
                assert.strictEqual(byName(built, `${environment}-gke-nodes`, "gcp:projects/iAMMember:IAMMember").inputs.role, "roles/container.defaultNodeServiceAccount");
                const preset = { dev: [1, 3], staging: [2, 5], prod: [3, 10] }[environment];
                for (const pool of pools()) {
                    assert.strictEqual(pool.inputs.nodeConfig.serviceAccount, email);
                    assert.deepStrictEqual([pool.inputs.autoscaling.totalMinNodeCount, pool.inputs.autoscaling.totalMaxNodeCount], preset);
                    assert.deepStrictEqual(pool.inputs.management, { autoRepair: true, autoUpgrade: true });
                }
            });

            it(environment === "dev" ? "places dev nodes in one zone (cheaper)" : "spreads nodes over the region's zones", () => {
                for (const pool of pools()) {
                    assert.deepStrictEqual(pool.inputs.nodeLocations, environment === "dev" ? ["europe-west1-b"] : undefined);
                }
                assert.strictEqual(cluster().location, "europe-west1");
            });

            it("labels resources with environment, cluster and managed-by", () => {
                const tags = tagsFor(environment, `${environment}-gke`);
                const provider = built.only("pulumi:providers:gcp").inputs;
                const defaultLabels = typeof provider.defaultLabels === "string" ? JSON.parse(provider.defaultLabels) : provider.defaultLabels;
                assert.deepStrictEqual(defaultLabels, tags);
                assert.strictEqual(provider.project, `fluxpilot-${environment}`);
                assert.deepStrictEqual(cluster().resourceLabels, tags);
                for (const pool of pools()) assert.deepStrictEqual(pool.inputs.nodeConfig.resourceLabels, tags);
            });

            it(environment === "prod" ? "sets deletionProtection in prod" : `leaves deletionProtection off in ${environment}`, () => {
                assert.strictEqual(cluster().deletionProtection, environment === "prod");
            });

            it("keeps node pools out of the cluster resource, so pool changes never replace it", () => {
                assert.strictEqual(cluster().nodePools, undefined);
                // The bootstrap pool's settings would otherwise diff against the removed pool and replace the cluster.
                assert.deepStrictEqual(built.only("gcp:container/cluster:Cluster").ignoreChanges, ["nodeConfig"]);
                for (const pool of pools()) assert.strictEqual(pool.deleteBeforeReplace, true, "fixed pool names need delete-before-replace");
                for (const pool of pools()) assert.strictEqual(pool.inputs.cluster, `${environment}-gke`);
            });

            it("opens tcp 8443, 9443 and 15017 from the control-plane range to the nodes, so admission webhooks (Kyverno on 9443) answer", () => {
                const rule = built.only("gcp:compute/firewall:Firewall");
                assert.deepStrictEqual(rule.inputs.sourceRanges, ["172.16.0.0/28"]);
                assert.deepStrictEqual(rule.inputs.allows, [{ protocol: "tcp", ports: ["8443", "9443", "15017"] }]);
                assert.strictEqual(rule.inputs.direction, "INGRESS");
                assert.strictEqual(rule.inputs.network, built.only("gcp:compute/subnetwork:Subnetwork").inputs.network);
                // Flux (and Kyverno with it) is installed only once the rule exists.
                assert.ok(built.only("pulumi:providers:kubernetes").dependencies.includes(rule.urn));
            });

            it("enables the compute, cloudkms, iam and container APIs in the project and creates every other cloud resource after them", () => {
                const apis = built.ofType("gcp:projects/service:Service");
                assert.deepStrictEqual(apis.map((a) => a.inputs.service).sort(), [
                    "cloudkms.googleapis.com",
                    "compute.googleapis.com",
                    "container.googleapis.com",
                    "iam.googleapis.com",
                ]);
                for (const api of apis) assert.strictEqual(api.inputs.disableOnDestroy, false, "destroying the stack must not switch off APIs other workloads use");
                const others = built.resources.filter((r) => r.custom && r.type.startsWith("gcp:") && r.type !== "gcp:projects/service:Service");
                assert.ok(others.length > 5);
                for (const resource of others) {
                    for (const api of apis) assert.ok(resource.dependencies.includes(api.urn), `${resource.name} must wait for ${api.inputs.service}`);
                }
            });

            it("grants the node account roles/artifactregistry.reader, so nodes pull from private Artifact Registry", () => {
                const grant = byName(built, `${environment}-gke-nodes-registry`, "gcp:projects/iAMMember:IAMMember").inputs;
                assert.strictEqual(grant.role, "roles/artifactregistry.reader");
                assert.strictEqual(grant.member, `serviceAccount:${gkeNodeAccountId(`${environment}-gke`)}@fluxpilot-${environment}.iam.gserviceaccount.com`);
            });

            it("lets auto-upgrades run only inside the environment's maintenance window", () => {
                const expected = {
                    dev: { startTime: "2026-01-01T02:00:00Z", endTime: "2026-01-01T06:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU" },
                    staging: { startTime: "2026-01-01T02:00:00Z", endTime: "2026-01-01T08:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=TU,WE,TH" },
                    prod: { startTime: "2026-01-01T01:00:00Z", endTime: "2026-01-01T09:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU" },
                }[environment];
                assert.deepStrictEqual(cluster().maintenancePolicy, { recurringWindow: expected });
            });

            it("keeps child names stable (URN snapshot)", () => {
                assertUrnSnapshot(`gke-${environment}`, built.resources);
            });
        });
    }

    describe("Autopilot", () => {
        let built: Built;
        before(async () => {
            built = await build(gkeProvider, gkeConfig("prod", { autopilot: true }), "prod");
        });

        it("lets GKE run the nodes: no node pools, node account for auto-provisioning", () => {
            const cluster = built.only("gcp:container/cluster:Cluster").inputs;
            assert.strictEqual(cluster.enableAutopilot, true);
            assert.strictEqual(cluster.removeDefaultNodePool, undefined);
            assert.strictEqual(built.ofType("gcp:container/nodePool:NodePool").length, 0);
            const email = `${gkeNodeAccountId("prod-gke")}@fluxpilot-prod.iam.gserviceaccount.com`;
            assert.strictEqual(cluster.clusterAutoscaling.autoProvisioningDefaults.serviceAccount, email);
        });

        it("keeps the private, Workload Identity, KMS and authorized-network settings", () => {
            const cluster = built.only("gcp:container/cluster:Cluster").inputs;
            assert.strictEqual(cluster.privateClusterConfig.enablePrivateNodes, true);
            assert.ok(cluster.workloadIdentityConfig.workloadPool);
            assert.strictEqual(cluster.databaseEncryption.state, "ENCRYPTED");
            assert.deepStrictEqual(
                cluster.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock),
                ALLOWED,
            );
        });
    });

    it("counts resources per type for dev and prod", async () => {
        const expected = {
            "fluxpilot:clusters:GkeCluster": 1,
            "gcp:compute/network:Network": 1,
            "gcp:compute/router:Router": 1,
            "gcp:compute/routerNat:RouterNat": 1,
            "gcp:compute/subnetwork:Subnetwork": 1,
            "gcp:container/cluster:Cluster": 1,
            "gcp:container/nodePool:NodePool": 1,
            // One of each for etcd encryption, one for SOPS (sops-key.ts).
            "gcp:kms/cryptoKey:CryptoKey": 2,
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": 2,
            "gcp:kms/keyRing:KeyRing": 2,
            "gcp:compute/firewall:Firewall": 1,
            "gcp:projects/iAMMember:IAMMember": 2,
            "gcp:projects/service:Service": 4,
            // The nodes' and kustomize-controller's, which only its Kubernetes service account may impersonate.
            "gcp:serviceaccount/account:Account": 2,
            "gcp:serviceaccount/iAMMember:IAMMember": 1,
            "pulumi:providers:gcp": 1,
            "pulumi:providers:kubernetes": 1,
        };
        assert.deepStrictEqual(counts((await build(gkeProvider, gkeConfig("dev"), "dev")).resources), expected);
        const twoPools = gkeConfig("prod", {
            nodePools: [
                { name: "system", machineType: "n2-standard-4", minNodes: 3, maxNodes: 6 },
                { name: "batch", machineType: "n2-standard-8", minNodes: 0, maxNodes: 12, spot: true },
            ],
        });
        assert.deepStrictEqual(counts((await build(gkeProvider, twoPools, "prod")).resources), { ...expected, "gcp:container/nodePool:NodePool": 2 });
    });

    it("takes a maintenance window from the stack, and refuses one GKE would reject, naming the key, the value and the fix", async () => {
        const built = await build(gkeProvider, gkeConfig("prod", { maintenanceWindow: { days: ["SU"], start: "22:00", hours: 12 } }), "prod");
        assert.deepStrictEqual(built.only("gcp:container/cluster:Cluster").inputs.maintenancePolicy.recurringWindow, {
            startTime: "2026-01-01T22:00:00Z",
            endTime: "2026-01-02T10:00:00Z",
            recurrence: "FREQ=WEEKLY;BYDAY=SU",
        });
        assert.deepStrictEqual(maintenanceWindowProblems({ days: ["SU"], start: "01:00", hours: 8 }, "fluxpilot:clusters[1]"), [
            {
                key: "fluxpilot:clusters[1].maintenanceWindow",
                value: "SU 01:00 for 8h",
                message: "allows 32 hours of maintenance in 32 days; GKE requires at least 48",
                fix: "add days or lengthen the window (e.g. days [SA, SU], hours 8)",
            },
        ]);
        for (const window of Object.values(GKE_MAINTENANCE_WINDOWS)) assert.deepStrictEqual(maintenanceWindowProblems(window, "k"), []);
        const short = gkeProvider.schema.safeParse(gkeConfig("prod", { maintenanceWindow: { days: ["SA"], start: "1am", hours: 2 } }));
        assert.ok(!short.success);
        assert.deepStrictEqual(short.error.issues.map((i) => i.path.join(".")).sort(), ["maintenanceWindow.hours", "maintenanceWindow.start"]);
        assert.deepStrictEqual(gkeMaintenanceWindow({ days: ["SA", "SU"], start: "23:30", hours: 4 }).endTime, "2026-01-02T03:30:00Z");
    });

    it("derives a valid service account ID from any cluster name", () => {
        assert.strictEqual(gkeNodeAccountId("prod-gke"), "prod-gke-nodes");
        assert.strictEqual(gkeNodeAccountId("a"), "a-nodes");
        const long = gkeNodeAccountId("a-very-long-cluster-name-for-gke");
        assert.ok(long.length <= 30 && /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(long), long);
    });
});

function byName(built: Built, name: string, type: string) {
    const found = built.ofType(type).filter((r) => r.name === name);
    assert.strictEqual(found.length, 1, `expected one ${type} named ${name}`);
    return found[0];
}
