import * as assert from "assert";
import { setStackConfig } from "../../mock-runtime/runtime";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { parseStackModel } from "../../stacks/model";
import { Environment } from "../../core/environments";
import { captured, clearRegisteredResources } from "../support/harness";
import { tempRepoRoot } from "./support";

const repoRoot = tempRepoRoot(["dev", "staging", "prod"]);
const K = "fluxpilot:clusters[0]";

function stack(environment: Environment, cluster: Record<string, unknown>): Record<string, unknown> {
    return {
        "fluxpilot:environment": environment,
        "fluxpilot:gitops": { repository: "https://github.com/fluxpilot/fluxpilot" },
        "fluxpilot:clusters": [cluster],
    };
}

function problemsOf(config: Record<string, unknown>): string[] {
    try {
        parseStackModel("test", config, { repoRoot });
    } catch (error) {
        assert.ok(isStackConfigError(error), `expected a StackConfigError, got ${String(error)}`);
        return error.problems.map(formatProblem);
    }
    return [];
}

const eks = () => ({ name: "prod-eks", cloud: "aws", region: "eu-west-1", endpoint: { publicAccess: true, allowedCidrs: ["203.0.113.0/24"] } });
const gke = () => ({ name: "prod-gke", cloud: "gcp", project: "acme-prod", region: "europe-west1", endpoint: { publicAccess: false } });
const aks = () => ({ name: "prod-aks", cloud: "azure", region: "westeurope", endpoint: { publicAccess: false }, adminGroupObjectIds: ["3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b"] });
const pool = (extra: Record<string, unknown> = {}) => [{ name: "system", machineType: "m6i.large", minNodes: 3, maxNodes: 6, ...extra }];

interface Case {
    name: string;
    cluster: Record<string, unknown>;
    expected: string[];
}

const cases: Case[] = [
    // ---- rules every managed kind shares ----
    {
        name: "EKS: unsupported Kubernetes version",
        cluster: { ...eks(), kubernetesVersion: "1.29" },
        expected: [`${K}.kubernetesVersion: is not a Kubernetes version Amazon EKS supports (given: "1.29"). Fix: use one of 1.36, 1.35, 1.34, 1.33`],
    },
    {
        name: "GKE: unsupported Kubernetes version",
        cluster: { ...gke(), kubernetesVersion: "1.40" },
        expected: [`${K}.kubernetesVersion: is not a Kubernetes version Google GKE supports (given: "1.40"). Fix: use one of 1.36, 1.35, 1.34, 1.33`],
    },
    {
        name: "AKS: unsupported Kubernetes version",
        cluster: { ...aks(), kubernetesVersion: "1.30" },
        expected: [`${K}.kubernetesVersion: is not a Kubernetes version Azure AKS supports (given: "1.30"). Fix: use one of 1.36, 1.35, 1.34, 1.33`],
    },
    {
        name: "AKS: a pinned kubernetesVersion under an upgrade channel that moves the minor version",
        cluster: { ...aks(), autoUpgradeChannel: "stable", kubernetesVersion: "1.35" },
        expected: [
            `${K}.kubernetesVersion: is pinned, but autoUpgradeChannel stable moves the minor version itself, so the next up after an upgrade would ask AKS to downgrade (given: "1.35"). Fix: remove kubernetesVersion to follow the channel, or use autoUpgradeChannel patch to keep this minor version`,
        ],
    },
    {
        name: "GKE: a maintenance window shorter than GKE's 48 hours in 32 days",
        cluster: { ...gke(), maintenanceWindow: { days: ["SU"], start: "01:00", hours: 8 } },
        expected: [
            `${K}.maintenanceWindow: allows 32 hours of maintenance in 32 days; GKE requires at least 48 (given: "SU 01:00 for 8h"). Fix: add days or lengthen the window (e.g. days [SA, SU], hours 8)`,
        ],
    },
    {
        name: "min > max nodes",
        cluster: { ...eks(), nodePools: pool({ minNodes: 5, maxNodes: 3 }) },
        expected: [`${K}.nodePools[0].minNodes: is greater than maxNodes (3) (given: 5). Fix: set minNodes to at most maxNodes, or raise maxNodes`],
    },
    {
        name: "max above the sane bound",
        cluster: { ...eks(), nodePools: pool({ maxNodes: 500 }) },
        expected: [`${K}.nodePools[0].maxNodes: is above the limit of 100 (given: 500). Fix: set maxNodes to 100 or less`],
    },
    {
        name: "empty machine type",
        cluster: { ...eks(), nodePools: pool({ machineType: " " }) },
        expected: [`${K}.nodePools[0].machineType: is empty (given: ""). Fix: set the instance/VM size for this cloud, e.g. m6i.large, e2-standard-4, Standard_D4s_v5`],
    },
    {
        name: "missing region",
        cluster: { name: "prod-gke", cloud: "gcp", project: "acme-prod" },
        expected: [`${K}.region: is missing. Fix: set the region, e.g. eu-west-1`],
    },
    {
        name: "API server open to the internet in prod",
        cluster: { ...gke(), endpoint: { publicAccess: true, allowedCidrs: ["0.0.0.0/0"] } },
        expected: [
            `${K}.endpoint.allowedCidrs: opens the API server to the whole internet, which prod does not allow (given: ["0.0.0.0/0"]). Fix: list only your office/VPN/CI egress ranges, or set publicAccess: false`,
        ],
    },
    {
        name: "invalid CIDR",
        cluster: { ...aks(), network: { vnetCidr: "10.30.0.0/33" } },
        expected: [`${K}.network.vnetCidr: is not an IPv4 CIDR block (given: "10.30.0.0/33"). Fix: write it as a.b.c.d/n with n between 0 and 32, e.g. 10.0.0.0/16`],
    },
    // ---- EKS ----
    {
        name: "EKS: region that is not an AWS region",
        cluster: { ...eks(), region: "westeurope" },
        expected: [`${K}.region: is not a valid AWS region (given: "westeurope"). Fix: write it like eu-west-1`],
    },
    {
        name: "EKS: another cloud's machine type",
        cluster: { ...eks(), nodePools: pool({ machineType: "Standard_D4s_v5" }) },
        expected: [`${K}.nodePools[0].machineType: is not a valid EC2 instance type (given: "Standard_D4s_v5"). Fix: write it like m6i.large`],
    },
    {
        name: "EKS: VPC larger than AWS allows",
        cluster: { ...eks(), network: { vpcCidr: "10.0.0.0/12" } },
        expected: [
            `${K}.network.vpcCidr: is a /12, but the VPC range must be between /16 and /20 (AWS allows at most a /16, and the VPC CNI gives every pod a VPC address) (given: "10.0.0.0/12"). Fix: use a block between /16 and /20, e.g. 10.0.0.0/16`,
        ],
    },
    {
        name: "EKS: Service range overlapping the VPC",
        cluster: { ...eks(), network: { vpcCidr: "172.20.0.0/16" } },
        expected: [
            `${K}.network.serviceCidr: overlaps the VPC range (${K}.network.vpcCidr = 172.20.0.0/16) (given: "172.20.0.0/16"). Fix: choose a Service range that shares no address with 172.20.0.0/16`,
        ],
    },
    {
        name: "EKS: sts assumed-role ARN as principal",
        cluster: { ...eks(), accessEntries: [{ principalArn: "arn:aws:sts::111122223333:assumed-role/admin/jane", accessPolicy: "view" }] },
        expected: [
            `${K}.accessEntries[0].principalArn: is not an IAM role or user ARN (given: "arn:aws:sts::111122223333:assumed-role/admin/jane"). Fix: use arn:aws:iam::<account>:role/<name> (not an sts assumed-role ARN)`,
        ],
    },
    {
        name: "EKS: the same principal twice",
        cluster: {
            ...eks(),
            accessEntries: [
                { principalArn: "arn:aws:iam::111122223333:role/ops", accessPolicy: "view" },
                { principalArn: "arn:aws:iam::111122223333:role/ops", accessPolicy: "admin" },
            ],
        },
        expected: [
            `${K}.accessEntries[1].principalArn: is listed twice; a principal has one access entry (given: "arn:aws:iam::111122223333:role/ops"). Fix: keep one entry per principal with the widest policy it needs`,
        ],
    },
    {
        name: "EKS: add-on version that is not pinned",
        cluster: { ...eks(), addons: { coreDns: "latest" } },
        expected: [`${K}.addons.coreDns: is not an EKS add-on version (given: "latest"). Fix: use a version from 'aws eks describe-addon-versions', e.g. v1.20.4-eksbuild.1`],
    },
    // ---- GKE ----
    {
        name: "GKE: pod range overlapping the node range",
        cluster: { ...gke(), network: { nodesCidr: "10.16.0.0/20" } },
        expected: [
            `${K}.network.podsCidr: overlaps the node range (${K}.network.nodesCidr = 10.16.0.0/20) (given: "10.16.0.0/14"). Fix: choose a pod range that shares no address with 10.16.0.0/20`,
        ],
    },
    {
        name: "GKE: control-plane range that is not a /28",
        cluster: { ...gke(), network: { masterCidr: "172.16.0.0/24" } },
        expected: [
            `${K}.network.masterCidr: is a /24, but the control-plane range must be a /28 (GKE requires a /28 for a private control plane) (given: "172.16.0.0/24"). Fix: use a /28, e.g. 172.16.0.0/28`,
        ],
    },
    {
        name: "GKE: project name instead of project ID",
        cluster: { ...gke(), project: "Acme Prod" },
        expected: [`${K}.project: is not a GCP project ID (given: "Acme Prod"). Fix: use the project ID (6-30 lowercase letters, digits, '-'), not its name or number`],
    },
    {
        name: "GKE: node pools with Autopilot",
        cluster: { ...gke(), autopilot: true, nodePools: pool({ machineType: "n2-standard-4" }) },
        expected: [
            `${K}.nodePools: lists node pools, but Google GKE provisions nodes itself in this mode (given: ["system"]). Fix: remove nodePools, or turn the mode off to manage node pools yourself`,
        ],
    },
    {
        name: "GKE: tag that is not a valid label",
        cluster: { ...gke(), tags: { Team: "platform" } },
        expected: [
            `${K}.tags.Team: is not a valid GCP label (given: "platform"). Fix: use lowercase letters, digits, '_' and '-' (keys start with a letter, both at most 63 characters)`,
        ],
    },
    // ---- AKS ----
    {
        name: "AKS: node subnet outside the VNet",
        cluster: { ...aks(), network: { nodesCidr: "10.40.0.0/20" } },
        expected: [
            `${K}.network.nodesCidr: is not inside the VNet range (${K}.network.vnetCidr = 10.30.0.0/16) (given: "10.40.0.0/20"). Fix: choose a node subnet within 10.30.0.0/16, or widen ${K}.network.vnetCidr`,
        ],
    },
    {
        name: "AKS: Service and pod ranges overlapping",
        cluster: { ...aks(), network: { serviceCidr: "192.168.0.0/20" } },
        expected: [
            `${K}.network.podCidr: overlaps the Service range (${K}.network.serviceCidr = 192.168.0.0/20) (given: "192.168.0.0/16"). Fix: choose a pod range that shares no address with 192.168.0.0/20`,
        ],
    },
    {
        name: "AKS: pool name AKS refuses",
        cluster: { ...aks(), nodePools: pool({ name: "system-pool", machineType: "Standard_D4s_v5" }) },
        expected: [
            `${K}.nodePools[0].name: is not a valid AKS node pool name (1-12 lowercase letters and digits, no '-') (given: "system-pool"). Fix: write it like system or apps2`,
        ],
    },
    {
        name: "AKS: system pool that may scale to zero",
        cluster: { ...aks(), nodePools: pool({ minNodes: 0, machineType: "Standard_D4s_v5" }) },
        expected: [
            `${K}.nodePools[0].minNodes: lets the system pool scale to zero, which AKS does not allow (given: 0). Fix: set minNodes to 1 or more for the first (system) pool`,
        ],
    },
    {
        name: "AKS: subscription that is not a GUID",
        cluster: { ...aks(), subscriptionId: "prod-subscription" },
        expected: [`${K}.subscriptionId: is not a GUID (given: "prod-subscription"). Fix: use the subscription ID, a GUID such as 00000000-0000-0000-0000-000000000000`],
    },
];

describe("cluster config validation", () => {
    for (const c of cases) {
        it(`${c.name}: names the key, the value and the fix`, () => {
            assert.deepStrictEqual(problemsOf(stack("prod", c.cluster)), c.expected);
        });
    }

    it("refuses an AKS cluster without an admin group in staging and prod (local accounts are off), and accepts it in dev", () => {
        const { adminGroupObjectIds: _, ...noAdmins } = aks();
        for (const environment of ["staging", "prod"] as const) {
            assert.deepStrictEqual(problemsOf(stack(environment, noAdmins)), [
                `${K}.adminGroupObjectIds: is empty in ${environment}: with local accounts disabled, only the deploying identity could administer the cluster (given: "[]"). Fix: list the object ID of the Entra ID group of cluster admins, e.g. adminGroupObjectIds: ["3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b"]`,
            ]);
        }
        assert.deepStrictEqual(problemsOf(stack("dev", noAdmins)), []);
    });

    it("accepts each provider's minimal config in every environment", () => {
        for (const environment of ["dev", "staging", "prod"] as const) {
            for (const cluster of [eks(), gke(), aks()]) {
                assert.deepStrictEqual(problemsOf(stack(environment, cluster)), [], `${cluster.cloud} in ${environment}`);
            }
        }
    });

    it("reports every problem of a cluster together, not one per run", () => {
        const problems = problemsOf(
            stack("prod", {
                ...aks(),
                region: "West Europe",
                kubernetesVersion: "1.29",
                endpoint: { publicAccess: true, allowedCidrs: ["0.0.0.0/0"] },
                network: { nodesCidr: "10.40.0.0/20", serviceCidr: "10.30.0.0/16" },
                nodePools: [
                    { name: "system-pool", machineType: "m6i.large", minNodes: 5, maxNodes: 3 },
                    { name: "system-pool", machineType: "Standard_D4s_v5", minNodes: 1, maxNodes: 3 },
                ],
            }),
        );
        assert.deepStrictEqual(
            problems.map((p) => p.split(":").slice(0, 2).join(":").replace(/ .*/, "")),
            [
                `${K}.kubernetesVersion`,
                `${K}.nodePools[0].minNodes`,
                `${K}.nodePools[1].name`,
                `${K}.endpoint.allowedCidrs`,
                `${K}.region`,
                `${K}.nodePools[0].machineType`,
                `${K}.nodePools[0].name`,
                `${K}.nodePools[1].name`,
                `${K}.network.nodesCidr`,
                `${K}.network.serviceCidr`,
            ],
        );
    });

    it("reports problems of clusters on different clouds in one error", () => {
        const config = stack("prod", { ...eks(), kubernetesVersion: "1.20" });
        (config["fluxpilot:clusters"] as unknown[]).push({ ...gke(), network: { masterCidr: "172.16.0.0/24" } }, { ...aks(), nodePools: pool() });
        const problems = problemsOf(config);
        assert.strictEqual(problems.length, 3);
        assert.match(problems[0], /^fluxpilot:clusters\[0\]\.kubernetesVersion: /);
        assert.match(problems[1], /^fluxpilot:clusters\[1\]\.network\.masterCidr: /);
        assert.match(problems[2], /^fluxpilot:clusters\[2\]\.nodePools\[0\]\.machineType: /);
    });

    it("GKE: two clusters in one project whose node service accounts would collide", () => {
        const config = stack("prod", { ...gke(), name: "platform-europe-west1-a-blue" });
        (config["fluxpilot:clusters"] as unknown[]).push(
            { ...gke(), name: "platform-europe-west1-a-green", network: { nodesCidr: "10.12.0.0/20", masterCidr: "172.16.2.0/28" } },
            // Another project: its account lives elsewhere, so no collision.
            { ...gke(), name: "platform-europe-west1-a-gray", project: "acme-other" },
        );
        assert.deepStrictEqual(problemsOf(config), [
            "fluxpilot:clusters[1].name: gives the same node service account (platform-europe-west1-a-nodes) as fluxpilot:clusters[0].name (platform-europe-west1-a-blue) in project acme-prod, " +
                'because account IDs keep only the first 23 characters of the name (given: "platform-europe-west1-a-green"). Fix: rename one of the two clusters so that their first 23 characters differ',
        ]);
    });

    it("registers no resource when a cluster is invalid", async () => {
        setStackConfig(stack("prod", { ...eks(), kubernetesVersion: "1.20", nodePools: pool({ minNodes: 9 }) }));
        clearRegisteredResources();
        delete require.cache[require.resolve("../../index")];
        assert.throws(
            () => require("../../index"),
            (error: unknown) =>
                isStackConfigError(error) && error.problems.some((p) => p.key === `${K}.kubernetesVersion`) && error.problems.some((p) => p.key === `${K}.nodePools[0].minNodes`),
        );
        assert.deepStrictEqual(await captured(), []);
    });
});
