import * as assert from "assert";
import { eksAmiType, eksDesiredSize, eksProvider, eksSubnetLayout, EKS_LOG_TYPES } from "../../components/clusters/eks";
import { FIXTURE_LIVE_NODE_GROUPS } from "../../components/clusters/eks/fixtures";
import { Environment } from "../../core/environments";
import { valueOf } from "../support/harness";
import { assertUrnSnapshot, build, Built, counts, ENVIRONMENTS, itHonoursTheContract, tagsFor } from "./support";

const ALLOWED = ["203.0.113.0/24", "198.51.100.16/28"];
const ADMIN_ROLE = "arn:aws:iam::111122223333:role/platform-admins";

function eksConfig(environment: Environment): Record<string, unknown> {
    return {
        name: `${environment}-eks`,
        cloud: "aws",
        region: "eu-west-1",
        // dev keeps its preset's public endpoint; staging and prod allow-list.
        ...(environment === "dev" ? {} : { endpoint: { publicAccess: true, allowedCidrs: ALLOWED } }),
        accessEntries: [{ principalArn: ADMIN_ROLE, accessPolicy: "cluster-admin" }],
        addons: { vpcCni: "v1.20.4-eksbuild.1" },
    };
}

describe("EKS cluster", () => {
    it("moves kube-proxy, vpc-cni, coredns and every unpinned add-on to the new Kubernetes version's add-on version when kubernetesVersion is bumped", async () => {
        const versions = async (kubernetesVersion: string) => {
            const built = await build(eksProvider, { ...eksConfig("staging"), addons: {}, kubernetesVersion }, "staging");
            return Object.fromEntries(built.ofType("aws:eks/addon:Addon").map((a) => [a.inputs.addonName, a.inputs.addonVersion]));
        };
        const before = await versions("1.34");
        const after = await versions("1.35");
        for (const name of ["kube-proxy", "vpc-cni", "coredns", "eks-pod-identity-agent", "metrics-server"]) {
            assert.strictEqual(before[name], "v1.34.0-eksbuild.1", name);
            assert.strictEqual(after[name], "v1.35.0-eksbuild.1", name);
        }
    });

    describe("node group size after the autoscaler has moved it (issue 11 item 12)", () => {
        const pools = (minNodes: number, maxNodes: number) => ({ ...eksConfig("prod"), nodePools: [{ name: "system", machineType: "m6i.xlarge", minNodes, maxNodes }] });
        const desiredWith = async (live: number, minNodes: number, maxNodes: number) => {
            FIXTURE_LIVE_NODE_GROUPS.set("prod-eks", [
                { name: "prod-eks-system-4f2a9c1", pool: "system", desiredSize: live, minSize: 1, maxSize: 12 },
                // Another pool whose name shares the prefix is not this pool's group.
                { name: "prod-eks-system-gpu-77a01b2", pool: "system-gpu", desiredSize: 40, minSize: 0, maxSize: 50 },
            ]);
            try {
                const built = await build(eksProvider, pools(minNodes, maxNodes), "prod");
                const group = built.only("aws:eks/nodeGroup:NodeGroup");
                assert.ok(!(group.ignoreChanges ?? []).includes("scalingConfig.desiredSize"), "desiredSize is sent, so EKS never sees min above the old desired");
                return group.inputs.scalingConfig.desiredSize;
            } finally {
                FIXTURE_LIVE_NODE_GROUPS.clear();
            }
        };

        it("raises the desired size with a raised minNodes, instead of sending min 4 with the old desired 2 that EKS refuses", async () => {
            assert.strictEqual(await desiredWith(2, 4, 9), 4);
        });

        it("keeps the size the autoscaler chose when it lies within the new bounds", async () => {
            assert.strictEqual(await desiredWith(7, 3, 9), 7);
        });

        it("lowers the desired size to a lowered maxNodes", async () => {
            assert.strictEqual(await desiredWith(11, 3, 9), 9);
        });

        it("clamps into [min, max], and starts a new pool at its minimum (one node at least)", () => {
            assert.strictEqual(eksDesiredSize({ minNodes: 0, maxNodes: 5 }, undefined), 1);
            assert.strictEqual(eksDesiredSize({ minNodes: 3, maxNodes: 5 }, undefined), 3);
            assert.strictEqual(eksDesiredSize({ minNodes: 0, maxNodes: 5 }, 0), 0);
            assert.strictEqual(eksDesiredSize({ minNodes: 2, maxNodes: 5 }, 1), 2);
            assert.strictEqual(eksDesiredSize({ minNodes: 2, maxNodes: 5 }, 8), 5);
        });
    });

    describe("control-plane log group across a destroy and a new up (issue 11 item 13)", () => {
        const logGroupOf = async (extra: Record<string, unknown>) => {
            const built = await build(eksProvider, { ...eksConfig("prod"), ...extra }, "prod");
            return { group: built.only("aws:cloudwatch/logGroup:LogGroup"), cluster: built.only("aws:eks/cluster:Cluster") };
        };

        it("creates /aws/eks/<name>/cluster with the audit retention before the cluster, which depends on it, and leaves it behind on destroy", async () => {
            const { group, cluster } = await logGroupOf({});
            assert.strictEqual(group.inputs.name, "/aws/eks/prod-eks/cluster");
            assert.strictEqual(group.inputs.retentionInDays, 365);
            assert.ok(cluster.dependencies.includes(group.urn), "the cluster is deleted before the log group is released");
            assert.strictEqual(group.retainOnDelete, true, "a destroy keeps the group EKS would re-create anyway");
            assert.strictEqual(group.importId, "");
        });

        it("adopts the group a destroyed cluster of the same name left behind, with the same inputs, instead of failing with ResourceAlreadyExistsException", async () => {
            const fresh = await logGroupOf({});
            const { group } = await logGroupOf({ controlPlaneLogGroup: "adopt" });
            assert.strictEqual(group.importId, "/aws/eks/prod-eks/cluster");
            assert.strictEqual(group.urn, fresh.group.urn);
            assert.deepStrictEqual(group.inputs, fresh.group.inputs);
            assert.strictEqual(group.retainOnDelete, true);
        });

        it("refuses an unknown log group mode, naming both", () => {
            const refused = eksProvider.schema.safeParse({ ...eksConfig("prod"), controlPlaneLogGroup: "reuse" });
            assert.ok(!refused.success);
            assert.match(refused.error.issues[0].message, /use create .* or adopt/);
        });
    });

    it("takes EXTENDED support when the stack asks for it, and refuses an unknown support type", async () => {
        const built = await build(eksProvider, { ...eksConfig("prod"), supportType: "EXTENDED" }, "prod");
        assert.deepStrictEqual(built.only("aws:eks/cluster:Cluster").inputs.upgradePolicy, { supportType: "EXTENDED" });
        const refused = eksProvider.schema.safeParse({ ...eksConfig("prod"), supportType: "LTS" });
        assert.ok(!refused.success);
        assert.deepStrictEqual(
            refused.error.issues.map((i) => [i.path.join("."), i.message]),
            [["supportType", "is not an EKS support type\nFix: use one of STANDARD, EXTENDED"]],
        );
    });

    for (const environment of ENVIRONMENTS) {
        describe(`${environment} preset`, () => {
            let built: Built;
            before(async () => {
                built = await build(eksProvider, eksConfig(environment), environment);
            });
            const cluster = () => built.only("aws:eks/cluster:Cluster").inputs;
            const launchTemplates = () => built.ofType("aws:ec2/launchTemplate:LaunchTemplate");

            itHonoursTheContract(environment, () => built, {
                componentType: "fluxpilot:clusters:EksCluster",
                cloudProviderType: "pulumi:providers:aws",
                execCommand: "aws",
                execArgs: ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", `${environment}-eks`, "--output", "json"],
            });

            it("CKV_AWS_58: encrypts Secrets with a KMS key", () => {
                const encryption = cluster().encryptionConfig;
                assert.deepStrictEqual(encryption.resources, ["secrets"]);
                assert.match(encryption.provider.keyArn, /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\//);
            });

            it("CKV_AWS_7: rotates the Secrets encryption key", () => {
                const key = built.named("aws:kms/key:Key", "secrets").inputs;
                assert.strictEqual(key.enableKeyRotation, true);
                assert.strictEqual(key.deletionWindowInDays, 30);
            });

            it("CKV_AWS_37: enables every control-plane log type", () => {
                assert.deepStrictEqual([...cluster().enabledClusterLogTypes].sort(), [...EKS_LOG_TYPES].sort());
                const logGroup = built.only("aws:cloudwatch/logGroup:LogGroup").inputs;
                assert.strictEqual(logGroup.name, `/aws/eks/${environment}-eks/cluster`);
                assert.strictEqual(logGroup.retentionInDays, { dev: 30, staging: 90, prod: 365 }[environment]);
            });

            it("CKV_AWS_38: keeps the private endpoint and never opens the public one to 0.0.0.0/0 outside dev", () => {
                const vpc = cluster().vpcConfig;
                assert.strictEqual(vpc.endpointPrivateAccess, true);
                if (environment === "dev") {
                    assert.strictEqual(vpc.endpointPublicAccess, true);
                } else {
                    assert.strictEqual(vpc.endpointPublicAccess, true);
                    assert.deepStrictEqual(vpc.publicAccessCidrs, ALLOWED);
                    assert.ok(!vpc.publicAccessCidrs.includes("0.0.0.0/0"));
                }
            });

            it("authenticates with the EKS API (access entries), bootstrapping the deployer as admin", () => {
                assert.deepStrictEqual(cluster().accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true });
                const entry = built.only("aws:eks/accessEntry:AccessEntry").inputs;
                assert.strictEqual(entry.principalArn, ADMIN_ROLE);
                assert.strictEqual(entry.type, "STANDARD");
                const association = built.only("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").inputs;
                assert.strictEqual(association.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
                assert.deepStrictEqual(association.accessScope, { type: "cluster" });
            });

            it("CKV_AWS_79 and CKV_AWS_341: requires IMDSv2 with a hop limit of 1 on every node", () => {
                assert.ok(launchTemplates().length > 0);
                for (const template of launchTemplates()) {
                    assert.deepStrictEqual(template.inputs.metadataOptions, {
                        httpEndpoint: "enabled",
                        httpTokens: "required",
                        httpPutResponseHopLimit: 1,
                        instanceMetadataTags: "disabled",
                    });
                }
                for (const group of built.ofType("aws:eks/nodeGroup:NodeGroup")) {
                    assert.ok(
                        launchTemplates().some((t) => group.dependencies.includes(t.urn)),
                        `${group.name} does not use a launch template`,
                    );
                }
            });

            it("CKV_AWS_8: encrypts node root volumes", () => {
                for (const template of launchTemplates()) {
                    assert.strictEqual(template.inputs.blockDeviceMappings[0].ebs.encrypted, "true");
                }
            });

            it("scales managed node groups within the configured range, on private subnets", () => {
                const groups = built.ofType("aws:eks/nodeGroup:NodeGroup");
                assert.strictEqual(groups.length, 1);
                const preset = { dev: [1, 3], staging: [2, 5], prod: [3, 10] }[environment];
                assert.deepStrictEqual([groups[0].inputs.scalingConfig.minSize, groups[0].inputs.scalingConfig.maxSize], preset);
                // A new group starts at its minimum; afterwards the live size is kept (see the sizing tests).
                assert.strictEqual(groups[0].inputs.scalingConfig.desiredSize, preset[0]);
                assert.deepStrictEqual(groups[0].ignoreChanges, []);
                const privateIds = built
                    .ofType("aws:ec2/subnet:Subnet")
                    .filter((s) => s.name.includes("-private-"))
                    .map((s) => `${s.name}-id`);
                assert.deepStrictEqual([...groups[0].inputs.subnetIds].sort(), privateIds.sort());
            });

            it("spreads subnets over three looked-up zones, tagged for load balancers", () => {
                const subnets = built.ofType("aws:ec2/subnet:Subnet");
                assert.strictEqual(subnets.length, 6);
                const zones = new Set(subnets.map((s) => s.inputs.availabilityZone));
                assert.deepStrictEqual([...zones].sort(), ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
                for (const subnet of subnets) {
                    const role = subnet.name.includes("-public-") ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb";
                    assert.strictEqual(subnet.inputs.tags[role], "1", `${subnet.name} lacks ${role}`);
                    assert.strictEqual(subnet.inputs.tags[`kubernetes.io/cluster/${environment}-eks`], "shared");
                }
            });

            it("CKV_AWS_130: gives no subnet public IPs on launch", () => {
                for (const subnet of built.ofType("aws:ec2/subnet:Subnet")) {
                    assert.strictEqual(subnet.inputs.mapPublicIpOnLaunch, false);
                }
            });

            it(environment === "dev" ? "shares one NAT gateway (dev)" : "runs one NAT gateway per zone", () => {
                assert.strictEqual(built.ofType("aws:ec2/natGateway:NatGateway").length, environment === "dev" ? 1 : 3);
            });

            it("creates an OIDC provider for the cluster's issuer", async () => {
                const oidc = built.only("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs;
                assert.strictEqual(oidc.url, await valueOf(built.cluster.oidcIssuerUrl));
                assert.deepStrictEqual(oidc.clientIdLists, ["sts.amazonaws.com"]);
            });

            it("installs the Pod Identity agent and the core add-ons as managed add-ons, pins honoured", () => {
                const addons = built.ofType("aws:eks/addon:Addon");
                assert.deepStrictEqual(addons.map((a) => a.inputs.addonName).sort(), ["coredns", "eks-pod-identity-agent", "kube-proxy", "metrics-server", "vpc-cni"]);
                assert.strictEqual(addons.find((a) => a.inputs.addonName === "vpc-cni")!.inputs.addonVersion, "v1.20.4-eksbuild.1");
                // Unpinned add-ons follow the newest version for the cluster's Kubernetes version (fixture: v1.<minor>.0-eksbuild.1).
                assert.strictEqual(addons.find((a) => a.inputs.addonName === "coredns")!.inputs.addonVersion, "v1.35.0-eksbuild.1");
                assert.strictEqual(cluster().bootstrapSelfManagedAddons, false);
                const group = built.only("aws:eks/nodeGroup:NodeGroup");
                const coredns = addons.find((a) => a.inputs.addonName === "coredns")!;
                assert.ok(coredns.dependencies.includes(group.urn), "CoreDNS must wait for nodes");
                const cni = addons.find((a) => a.inputs.addonName === "vpc-cni")!;
                assert.ok(group.dependencies.includes(cni.urn), "nodes must wait for the CNI");
            });

            it("states the upgrade support policy: STANDARD unless the stack chooses the billed EXTENDED support", () => {
                assert.deepStrictEqual(cluster().upgradePolicy, { supportType: "STANDARD" });
            });

            it("tags every AWS resource with environment, cluster and managed-by (provider default tags)", () => {
                const provider = built.only("pulumi:providers:aws").inputs;
                const defaultTags = typeof provider.defaultTags === "string" ? JSON.parse(provider.defaultTags) : provider.defaultTags;
                assert.deepStrictEqual(defaultTags.tags, tagsFor(environment, `${environment}-eks`));
                assert.strictEqual(provider.region, "eu-west-1");
                for (const template of launchTemplates()) {
                    for (const spec of template.inputs.tagSpecifications) {
                        assert.strictEqual(spec.tags["managed-by"], "fluxpilot");
                    }
                }
            });

            it(environment === "prod" ? "turns on EKS deletion protection in prod" : `leaves EKS deletion protection off in ${environment}`, () => {
                assert.strictEqual(cluster().deletionProtection, environment === "prod");
            });

            it("keeps node pools out of the cluster resource, so pool changes never replace it", () => {
                const group = built.only("aws:eks/nodeGroup:NodeGroup");
                assert.strictEqual(cluster().nodePools, undefined);
                assert.ok(group.dependencies.includes(built.only("aws:eks/cluster:Cluster").urn));
            });

            it("keeps child names stable (URN snapshot)", () => {
                assertUrnSnapshot(`eks-${environment}`, built.resources);
            });
        });
    }

    it("counts resources per type: dev (one NAT) against prod (NAT per zone)", async () => {
        const shared = {
            "aws:cloudwatch/logGroup:LogGroup": 1,
            "aws:ec2/internetGateway:InternetGateway": 1,
            "aws:ec2/launchTemplate:LaunchTemplate": 1,
            "aws:ec2/routeTable:RouteTable": 4,
            "aws:ec2/routeTableAssociation:RouteTableAssociation": 6,
            "aws:ec2/subnet:Subnet": 6,
            "aws:ec2/vpc:Vpc": 1,
            "aws:eks/accessEntry:AccessEntry": 1,
            "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 1,
            "aws:eks/addon:Addon": 5,
            "aws:eks/cluster:Cluster": 1,
            "aws:eks/nodeGroup:NodeGroup": 1,
            // cluster-autoscaler's and kustomize-controller's (for the SOPS key, sops-key.ts) Pod Identities.
            "aws:eks/podIdentityAssociation:PodIdentityAssociation": 2,
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
            // cluster, nodes, the built-in cluster-autoscaler identity (with its inline policy) and kustomize-controller's
            "aws:iam/role:Role": 4,
            "aws:iam/rolePolicy:RolePolicy": 1,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4,
            "aws:kms/alias:Alias": 1,
            "aws:kms/key:Key": 2,
            "fluxpilot:clusters:EksCluster": 1,
            "pulumi:providers:aws": 1,
            "pulumi:providers:kubernetes": 1,
        };
        const dev = await build(eksProvider, eksConfig("dev"), "dev");
        assert.deepStrictEqual(counts(dev.resources), sortKeys({ ...shared, "aws:ec2/eip:Eip": 1, "aws:ec2/natGateway:NatGateway": 1 }));
        const prod = await build(eksProvider, eksConfig("prod"), "prod");
        assert.deepStrictEqual(counts(prod.resources), sortKeys({ ...shared, "aws:ec2/eip:Eip": 3, "aws:ec2/natGateway:NatGateway": 3 }));
    });

    it("reuses the first zone for the third subnet pair in a two-zone region", async () => {
        const built = await build(eksProvider, { ...eksConfig("dev"), region: "us-west-1" }, "dev");
        const zones = built
            .ofType("aws:ec2/subnet:Subnet")
            .filter((s) => s.name.includes("-private-"))
            .map((s) => s.inputs.availabilityZone);
        assert.deepStrictEqual(zones, ["us-west-1b", "us-west-1c", "us-west-1b"]);
    });

    it("lays subnets out inside the VPC without overlap", () => {
        assert.deepStrictEqual(eksSubnetLayout("10.0.0.0/16"), {
            privateSubnets: ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"],
            publicSubnets: ["10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20"],
        });
        assert.deepStrictEqual(eksSubnetLayout("10.1.0.0/20").publicSubnets, ["10.1.12.0/24", "10.1.13.0/24", "10.1.14.0/24"]);
    });

    it("picks the ARM AMI for Graviton instance types only", () => {
        assert.strictEqual(eksAmiType("m7g.large"), "AL2023_ARM_64_STANDARD");
        assert.strictEqual(eksAmiType("c6gn.xlarge"), "AL2023_ARM_64_STANDARD");
        assert.strictEqual(eksAmiType("m6i.large"), "AL2023_x86_64_STANDARD");
        assert.strictEqual(eksAmiType("t3.large"), "AL2023_x86_64_STANDARD");
    });
});

function sortKeys(record: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
