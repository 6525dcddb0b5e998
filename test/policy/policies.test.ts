/**
 * Each policy on its own: the compliant stack passes it, and every way of breaking it is reported
 * with its message (and nothing else is).
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FluxPilotPolicy } from "../../policy/define";
import { policies } from "../../policy/policies";
import { compliantStack, run, setInput, Stack, violationsOf } from "./support";

interface Case {
    /** What the case breaks. */
    breaks: string;
    mutate: (stack: Stack) => void;
    /** Every violation expected, as "<policy>: <message>" patterns. */
    expect: RegExp[];
}

/** A value as the runtime records a secret input; policies see it unwrapped, as under the engine. */
const secret = (value: string) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });

const set = (key: string, path: string, value: unknown) => (stack: Stack) => setInput(stack[key], path, value);

const cases: Record<string, Case[]> = {
    "api-endpoint-restricted": [
        { breaks: "EKS allow-list with 0.0.0.0/0", mutate: set("eksCluster", "vpcConfig.publicAccessCidrs", ["0.0.0.0/0"]), expect: [/publicAccessCidrs contains 0\.0\.0\.0\/0/] },
        {
            breaks: "EKS public endpoint without a list (AWS opens it to 0.0.0.0/0)",
            mutate: set("eksCluster", "vpcConfig.publicAccessCidrs", undefined),
            expect: [/publicAccessCidrs contains 0\.0\.0\.0\/0/],
        },
        {
            breaks: "GKE public control plane without authorized networks",
            mutate: set("gkeCluster", "masterAuthorizedNetworksConfig", undefined),
            expect: [/masterAuthorizedNetworksConfig is not set/],
        },
        {
            breaks: "GKE authorized networks with 0.0.0.0/0",
            mutate: set("gkeCluster", "masterAuthorizedNetworksConfig.cidrBlocks", [{ cidrBlock: "0.0.0.0/0" }]),
            expect: [/cidrBlocks contains 0\.0\.0\.0\/0/],
        },
        {
            breaks: "GKE open to Google Cloud public IPs",
            mutate: set("gkeCluster", "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled", true),
            expect: [/gcpPublicCidrsAccessEnabled is true/],
        },
        {
            breaks: "AKS public API server without authorized ranges",
            mutate: set("aksCluster", "apiServerAccessProfile.authorizedIPRanges", []),
            expect: [/authorizedIPRanges is empty/],
        },
        // Stricter than CKV_AZURE_6, which accepts any non-empty list, 0.0.0.0/0 included.
        {
            breaks: "AKS authorized ranges with 0.0.0.0/0",
            mutate: set("aksCluster", "apiServerAccessProfile.authorizedIPRanges", ["203.0.113.0/24", "0.0.0.0/0"]),
            expect: [/authorizedIPRanges contains 0\.0\.0\.0\/0/],
        },
    ],
    "secrets-encrypted-with-kms": [
        { breaks: "EKS without encryptionConfig", mutate: set("eksCluster", "encryptionConfig", undefined), expect: [/does not encrypt `secrets`/] },
        { breaks: "GKE databaseEncryption DECRYPTED", mutate: set("gkeCluster", "databaseEncryption.state", "DECRYPTED"), expect: [/state is "DECRYPTED"/] },
        { breaks: "AKS KMS off", mutate: set("aksCluster", "securityProfile.azureKeyVaultKms.enabled", false), expect: [/azureKeyVaultKms is not enabled/] },
    ],
    "control-plane-logging": [
        { breaks: "EKS without audit logs", mutate: set("eksCluster", "enabledClusterLogTypes", ["api"]), expect: [/lacks audit, authenticator, controllerManager, scheduler/] },
        { breaks: "GKE logging service none", mutate: set("gkeCluster", "loggingService", "none"), expect: [/loggingService is "none"/] },
        { breaks: "GKE without API server logs", mutate: set("gkeCluster", "loggingConfig.enableComponents", ["SYSTEM_COMPONENTS"]), expect: [/lacks APISERVER/] },
        { breaks: "AKS monitoring add-on off", mutate: set("aksCluster", "addonProfiles.omsagent.enabled", false), expect: [/omsagent is not enabled/] },
    ],
    "aks-logs-collected": [
        { breaks: "no Data Collection Rule association", mutate: (s) => delete s["dcra"], expect: [/no DataCollectionRuleAssociation/] },
        {
            breaks: "audit category off",
            mutate: set("diagnostics", "logs", [
                { category: "kube-apiserver", enabled: true },
                { category: "kube-audit-admin", enabled: false },
            ]),
            expect: [/collecting kube-audit-admin/],
        },
    ],
    "workload-identity": [
        {
            breaks: "GKE node pool exposing node metadata",
            mutate: set("nodePool", "nodeConfig.workloadMetadataConfig.mode", "GCE_METADATA"),
            expect: [/NodePool|not "GKE_METADATA": pods can read/],
        },
        { breaks: "GKE without a workload pool", mutate: set("gkeCluster", "workloadIdentityConfig", undefined), expect: [/workloadPool is not set/] },
        { breaks: "AKS without the OIDC issuer", mutate: set("aksCluster", "oidcIssuerProfile.enabled", false), expect: [/oidcIssuerProfile.enabled is not true/] },
        { breaks: "AKS without Workload ID", mutate: set("aksCluster", "securityProfile.workloadIdentity", undefined), expect: [/workloadIdentity.enabled is not true/] },
    ],
    "eks-workload-identity": [
        {
            breaks: "neither OIDC provider nor pod identity agent",
            mutate: (s) => delete s["oidc"],
            expect: [/neither an IAM OIDC provider nor the eks-pod-identity-agent/],
        },
    ],
    "imdsv2-hop-limit-1": [
        { breaks: "IMDSv1 allowed", mutate: set("launchTemplate", "metadataOptions.httpTokens", "optional"), expect: [/httpTokens is "optional"/] },
        { breaks: "hop limit 2", mutate: set("launchTemplate", "metadataOptions.httpPutResponseHopLimit", 2), expect: [/HopLimit is 2, not 1/] },
        // Stricter than CKV_AWS_341, which passes an unset hop limit (missing_block_result PASSED).
        { breaks: "hop limit unset", mutate: set("launchTemplate", "metadataOptions.httpPutResponseHopLimit", undefined), expect: [/HopLimit is unset, not 1/] },
        { breaks: "node group without a launch template", mutate: set("nodeGroup", "launchTemplate", undefined), expect: [/no launch template/] },
    ],
    "gke-shielded-nodes": [
        { breaks: "shielded nodes off", mutate: set("gkeCluster", "enableShieldedNodes", false), expect: [/enableShieldedNodes is false/] },
        { breaks: "no release channel", mutate: set("gkeCluster", "releaseChannel", undefined), expect: [/follows no release channel/] },
        // Stricter than CKV_GCP_70, which accepts any channel value, UNSPECIFIED (no channel) included.
        { breaks: "release channel UNSPECIFIED", mutate: set("gkeCluster", "releaseChannel.channel", "UNSPECIFIED"), expect: [/releaseChannel is "UNSPECIFIED"/] },
        { breaks: "secure boot off on a pool", mutate: set("nodePool", "nodeConfig.shieldedInstanceConfig.enableSecureBoot", false), expect: [/enableSecureBoot is not true/] },
        {
            breaks: "integrity monitoring off",
            mutate: set("gkeCluster", "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring", false),
            expect: [/enableIntegrityMonitoring is false/],
        },
    ],
    "aks-local-accounts-disabled": [
        { breaks: "local accounts on", mutate: set("aksCluster", "disableLocalAccounts", false), expect: [/disableLocalAccounts is not true/] },
        { breaks: "RBAC off", mutate: set("aksCluster", "enableRBAC", false), expect: [/enableRBAC is false/] },
        { breaks: "no Azure RBAC", mutate: set("aksCluster", "aadProfile.enableAzureRBAC", false), expect: [/enableAzureRBAC is not true/] },
    ],
    "network-policy-enforced": [
        {
            breaks: "GKE legacy datapath without network policy",
            mutate: set("gkeCluster", "datapathProvider", "LEGACY_DATAPATH"),
            expect: [/NetworkPolicy objects are not enforced/],
        },
        { breaks: "AKS without a policy engine", mutate: set("aksCluster", "networkProfile.networkPolicy", "none"), expect: [/networkPolicy is "none"/] },
    ],
    "aks-auto-upgrade": [{ breaks: "channel none", mutate: set("aksCluster", "autoUpgradeProfile.upgradeChannel", "none"), expect: [/upgradeChannel is "none"/] }],
    "required-tags": [
        {
            breaks: "AWS provider without default tags",
            mutate: set("awsProvider", "defaultTags", undefined),
            expect: [/missing tags environment, managed-by, cluster/, /missing tags environment, managed-by, cluster/],
        },
        {
            breaks: "GKE cluster label emptied",
            mutate: set("gcpProvider", "defaultLabels", JSON.stringify({ environment: "prod", "managed-by": "fluxpilot" })),
            expect: [/missing tag cluster/],
        },
        { breaks: "AKS pool without tags", mutate: set("agentPool", "tags", undefined), expect: [/missing tags environment, managed-by, cluster/] },
    ],
    "gke-private-webhook-firewall": [
        { breaks: "no firewall rule", mutate: (s) => delete s["firewall"], expect: [/no firewall rule opens tcp 8443, 9443, 15017 from the master range 172\.16\.0\.0\/28/] },
        { breaks: "rule from another range", mutate: set("firewall", "sourceRanges", ["10.0.0.0/8"]), expect: [/opens tcp 8443, 9443, 15017/] },
        { breaks: "Kyverno's port missing", mutate: set("firewall", "allows", [{ protocol: "tcp", ports: ["8443", "15017"] }]), expect: [/opens tcp 9443 from/] },
    ],
    "aks-channel-version-unpinned": [
        {
            breaks: "stable channel with pinned versions",
            mutate: set("aksCluster", "autoUpgradeProfile.upgradeChannel", "stable"),
            expect: [/on the stable channel but pins kubernetesVersion 1\.35, pool system orchestratorVersion 1\.35, pool c-aks-apps orchestratorVersion 1\.35/],
        },
    ],
    "eks-addons-follow-cluster-version": [{ breaks: "add-on without a version", mutate: set("addon", "addonVersion", undefined), expect: [/add-on coredns has no addonVersion/] }],
    "kubernetes-version-supported": [
        { breaks: "EKS 1.29", mutate: set("eksCluster", "version", "1.29"), expect: [/version 1\.29 is not a Kubernetes version FluxPilot supports on EKS/] },
        { breaks: "GKE pool 1.30 patch", mutate: set("nodePool", "version", "1.30.1-gke.1"), expect: [/version 1\.30\.1-gke\.1 is not .* on GKE/] },
        {
            breaks: "AKS pool profile 1.28",
            mutate: set("aksCluster", "agentPoolProfiles", [{ name: "system", orchestratorVersion: "1.28" }]),
            expect: [/agentPoolProfiles\[system\]\.orchestratorVersion 1\.28/],
        },
    ],
    "prod-clusters-protected": [
        { breaks: "cluster unprotected", mutate: (s) => (s["gke"].protect = false), expect: [/cluster c-gke is not protected/] },
        { breaks: "Flux unprotected", mutate: (s) => (s["eksFlux"].protect = false), expect: [/Flux install c-eks-flux of cluster c-eks is not protected/] },
    ],
    "every-cluster-has-flux": [{ breaks: "AKS without Flux", mutate: (s) => delete s["aksFlux"], expect: [/cluster c-aks has no Flux install/] }],
    "kubernetes-provider-no-static-token": [
        {
            breaks: "bearer token in the kubeconfig",
            mutate: set("eksK8s", "kubeconfig", "users:\n- name: admin\n  user:\n    token: abc\n"),
            expect: [/provider c-eks-k8s: kubeconfig user admin authenticates with a static token/],
        },
        {
            breaks: "password in a secret kubeconfig",
            mutate: set("aksK8s", "kubeconfig", secret(JSON.stringify({ users: [{ name: "basic", user: { username: "u", password: "p" } }] }))),
            expect: [/provider c-aks-k8s: kubeconfig user basic/],
        },
    ],
};

/** The pack config the protection policy needs to apply (prod's). */
const PROD = { all: "mandatory" as const, "prod-clusters-protected": { requireProtection: true } };

describe("policy pack: each policy", function () {
    this.timeout(120_000);

    it("every policy has cases here, and every case names a policy of the pack", () => {
        assert.deepStrictEqual(Object.keys(cases).sort(), policies.map((p) => p.name).sort());
    });

    it("the compliant stack passes every policy", async () => {
        assert.deepStrictEqual(await violationsOf(compliantStack(), policies, PROD), []);
    });

    for (const policy of policies) {
        describe(policy.name, () => {
            it("states a description, severity and remediation", () => {
                assert.ok(policy.description.length > 20 && policy.remediationSteps.length > 20, "describe the rule and the fix");
                assert.ok(["low", "medium", "high", "critical"].includes(policy.severity));
                for (const id of policy.checkov) assert.ok(policy.tags?.includes(`checkov:${id}`), `${id} is not among the tags`);
            });
            for (const c of cases[policy.name] ?? []) {
                it(`reports ${c.breaks}`, async () => {
                    const stack = compliantStack();
                    c.mutate(stack);
                    const found = await violationsOf(stack, policies, PROD);
                    assert.strictEqual(found.length, c.expect.length, `expected ${c.expect.length} violation(s), got:\n${found.join("\n")}`);
                    c.expect.forEach((pattern, i) => {
                        assert.ok(found[i].startsWith(`${policy.name}: `), `reported by another policy: ${found[i]}`);
                        assert.match(found[i], pattern);
                    });
                });
            }
        });
    }
});

/** Where the pack passes what checkov reports, on purpose (docs/policy.md, "How each policy compares with checkov"). */
const acceptedThoughCheckovReports: { accepts: string; mutate: (stack: Stack) => void }[] = [
    {
        accepts: "a private GKE endpoint without authorized networks (CKV_GCP_20)",
        mutate: (s) => {
            setInput(s["gkeCluster"], "privateClusterConfig.enablePrivateEndpoint", true);
            setInput(s["gkeCluster"], "masterAuthorizedNetworksConfig", undefined);
        },
    },
    { accepts: "a GKE cluster without nodeConfig, its pools checked instead (CKV_GCP_69)", mutate: set("gkeCluster", "nodeConfig", undefined) },
    { accepts: "integrity monitoring left at its default, true (CKV_GCP_72)", mutate: set("nodePool", "nodeConfig.shieldedInstanceConfig.enableIntegrityMonitoring", undefined) },
];

describe("policy pack: passes what checkov reports, where docs/policy.md says why", function () {
    this.timeout(120_000);
    for (const c of acceptedThoughCheckovReports) {
        it(`accepts ${c.accepts}`, async () => {
            const stack = compliantStack();
            c.mutate(stack);
            assert.deepStrictEqual(await violationsOf(stack, policies, PROD), []);
        });
    }
});

describe("policy pack: enforcement", () => {
    const endpoint = policies.find((p) => p.name === "api-endpoint-restricted") as FluxPilotPolicy;
    const open = () => {
        const stack = compliantStack();
        setInput(stack["eksCluster"], "vpcConfig.publicAccessCidrs", ["0.0.0.0/0"]);
        return stack;
    };

    it("reports at the level of `all`, overridden by the policy's own entry", async () => {
        assert.strictEqual((await run(open(), [endpoint], { all: "advisory" })).violations[0].level, "advisory");
        assert.strictEqual((await run(open(), [endpoint], { all: "advisory", "api-endpoint-restricted": "mandatory" })).violations[0].level, "mandatory");
        assert.strictEqual((await run(open(), [endpoint], { all: "mandatory", "api-endpoint-restricted": { enforcementLevel: "disabled" } })).violations.length, 0);
    });

    it("without config every policy is mandatory, as the pack declares", async () => {
        assert.strictEqual((await run(open(), [endpoint], {})).violations[0].level, "mandatory");
    });

    it("protection applies only where the config asks for it (prod)", async () => {
        const stack = compliantStack();
        stack["eks"].protect = false;
        const protection = policies.filter((p) => p.name === "prod-clusters-protected");
        assert.deepStrictEqual(await violationsOf(stack, protection, { all: "mandatory" }), []);
        assert.strictEqual((await violationsOf(stack, protection, PROD)).length, 1);
    });

    it("a value unknown until the update leaves the check to the real preview, as CrossGuard does", async () => {
        const stack = compliantStack();
        setInput(stack["aksCluster"], "securityProfile", undefined);
        stack["aksCluster"].inputs["securityProfile"] = compliantStack()["addon"].inputs["addonVersion"];
        const report = await run(stack, policies, PROD);
        assert.deepStrictEqual(report.violations, []);
        assert.deepStrictEqual(report.notRun.map((n) => n.policy).sort(), ["secrets-encrypted-with-kms", "workload-identity"]);
        assert.match(report.notRun[0].reason, /securityProfile is only known after the update/);
    });
});
