/**
 * The cloud side of cluster-autoscaler on EKS, under mocks: the built-in Pod Identity role of
 * kube-system/cluster-autoscaler, its trust, its inline policy scoped to this cluster's node
 * groups, the association, the fact, and the stack file refusing to declare it again.
 */
import * as assert from "assert";
import { eksProvider } from "../../components/clusters/eks";
import { clusterAutoscalerPolicy, CLUSTER_AUTOSCALER_SCALE_ACTIONS } from "../../components/clusters/eks/cluster-autoscaler";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { parseStackModel } from "../../stacks/model";
import { build, tempRepoRoot } from "./support";
import { valueOf } from "../support/harness";

const ROLE = "prod-eks-wi-kube-system-cluster-autoscaler";

interface Statement {
    Sid: string;
    Action: string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, string>>;
}

describe("cluster-autoscaler identity on EKS (issue 12 item 4)", () => {
    const prodEks = {
        name: "prod-eks",
        cloud: "aws",
        region: "eu-west-1",
        endpoint: { publicAccess: false },
        nodePools: [
            { name: "system", machineType: "m6i.xlarge", minNodes: 3, maxNodes: 6 },
            { name: "batch", machineType: "m6i.xlarge", minNodes: 0, maxNodes: 10, spot: true },
        ],
    };

    it("a role only Pod Identity may assume, for this cluster and kube-system/cluster-autoscaler, with the session tags", async () => {
        const built = await build(eksProvider, prodEks, "prod");
        const role = built.ofType("aws:iam/role:Role").find((r) => r.name === ROLE);
        assert.ok(role, "the autoscaler's role");
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
        assert.strictEqual(trust.Statement.length, 1);
        assert.deepStrictEqual(trust.Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
        assert.deepStrictEqual(trust.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
        assert.deepStrictEqual(trust.Statement[0].Condition, {
            StringEquals: {
                "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eks",
                "aws:RequestTag/kubernetes-namespace": "kube-system",
                "aws:RequestTag/kubernetes-service-account": "cluster-autoscaler",
            },
        });
        const association = built.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.name === ROLE);
        assert.ok(association);
        assert.deepStrictEqual(
            [association.inputs.clusterName, association.inputs.namespace, association.inputs.serviceAccount],
            ["prod-eks", "kube-system", "cluster-autoscaler"],
        );
        assert.match(String(association.inputs.roleArn), /^arn:aws:iam::123456789012:role\/prod-eks-wi-[0-9a-f]{8}$/);
        // No managed policy is attached: the inline one below is all it may do.
        assert.deepStrictEqual(
            built.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith(ROLE)),
            [],
        );
    });

    it("an inline policy: scaling only groups tagged for this cluster's auto-discovery, DescribeNodegroup only on its node groups", async () => {
        const built = await build(eksProvider, prodEks, "prod");
        const inline = built.only("aws:iam/rolePolicy:RolePolicy");
        assert.strictEqual(inline.name, ROLE);
        const statements = (JSON.parse(String(inline.inputs.policy)) as { Statement: Statement[] }).Statement;
        const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
        assert.deepStrictEqual(Object.keys(bySid), ["DiscoverGroupsAndInstanceTypes", "ScaleThisClustersNodeGroups", "ReadThisClustersNodeGroups"]);
        const scale = bySid.ScaleThisClustersNodeGroups;
        assert.deepStrictEqual(scale.Action, [...CLUSTER_AUTOSCALER_SCALE_ACTIONS]);
        assert.deepStrictEqual(scale.Condition, {
            StringEquals: {
                "autoscaling:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                "autoscaling:ResourceTag/k8s.io/cluster-autoscaler/prod-eks": "owned",
            },
        });
        const node = bySid.ReadThisClustersNodeGroups;
        assert.deepStrictEqual(node.Action, ["eks:DescribeNodegroup"]);
        // One ARN per node group of this cluster (the mock ARN is the group's name), none with a wildcard.
        const groups = built.ofType("aws:eks/nodeGroup:NodeGroup");
        assert.strictEqual(groups.length, 2);
        assert.ok(Array.isArray(node.Resource));
        assert.deepStrictEqual(
            node.Resource.map((arn) => arn.split("/")[2].replace(/-[0-9a-f]{7}$/, "")),
            groups.map((g) => g.name),
        );
        for (const arn of node.Resource) assert.match(arn, /^arn:aws:eks:eu-west-1:123456789012:nodegroup\/prod-eks\/prod-eks-(system|batch)-[0-9a-f]{7}\/[0-9a-f]{8}$/);
        // Only the Describe calls, which take no resource-level permission, are on "*", and none of them writes.
        for (const s of statements.filter((s) => s.Resource === "*" && !s.Condition)) {
            for (const action of s.Action) assert.match(action, /:(Describe|Get)[A-Za-z]+$/, `${action} may not be granted on every resource without a condition`);
        }
    });

    it("the policy names the cluster it was made for, so another cluster's groups are out of reach", () => {
        const a = JSON.stringify(JSON.parse(clusterAutoscalerPolicy("prod-eks", ["arn:aws:eks:eu-west-1:1:nodegroup/prod-eks/system-1/x"])));
        assert.match(a, /k8s\.io\/cluster-autoscaler\/prod-eks/);
        assert.doesNotMatch(clusterAutoscalerPolicy("staging-eks", []), /prod-eks/);
        // Without node groups there is nothing to describe: no statement with an empty Resource (invalid IAM).
        const empty = JSON.parse(clusterAutoscalerPolicy("staging-eks", [])) as { Statement: Statement[] };
        assert.deepStrictEqual(
            empty.Statement.map((s) => s.Sid),
            ["DiscoverGroupsAndInstanceTypes", "ScaleThisClustersNodeGroups"],
        );
    });

    it("its role ARN is the cluster fact identity_kube_system_cluster_autoscaler", async () => {
        const built = await build(eksProvider, prodEks, "prod");
        const facts = built.cluster.identityFacts ?? {};
        const role = built.ofType("aws:iam/role:Role").find((r) => r.name === ROLE)!;
        assert.strictEqual(await valueOf(facts.identity_kube_system_cluster_autoscaler), `arn:aws:iam::123456789012:role/${String(role.inputs.name)}`);
    });

    it("the stack file may not declare kube-system/cluster-autoscaler on EKS again: setting, value and fix", () => {
        let error: unknown;
        try {
            parseStackModel(
                "test",
                {
                    "fluxpilot:environment": "prod",
                    "fluxpilot:gitops": { repository: "https://github.com/fluxpilot/fluxpilot" },
                    "fluxpilot:clusters": [
                        {
                            ...prodEks,
                            workloadIdentities: [
                                { namespace: "kube-system", serviceAccount: "cluster-autoscaler", permissions: ["arn:aws:iam::aws:policy/AutoScalingFullAccess"] },
                            ],
                        },
                    ],
                },
                { repoRoot: tempRepoRoot(["prod"]) },
            );
        } catch (e) {
            error = e;
        }
        assert.ok(isStackConfigError(error), "refused before anything is created");
        assert.deepStrictEqual(error.problems.map(formatProblem), [
            `fluxpilot:clusters[0].workloadIdentities[0]: is created on every EKS cluster by the program already, scoped to the cluster's own node groups (docs/clusters.md, Node autoscaling) (given: "kube-system/cluster-autoscaler"). Fix: remove this entry; its role ARN is the cluster fact identity_kube_system_cluster_autoscaler`,
        ]);
    });
});
