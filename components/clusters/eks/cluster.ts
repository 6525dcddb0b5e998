/**
 * Amazon EKS: a dedicated VPC across three availability zones, the cluster with API-mode access
 * entries, KMS envelope encryption of Secrets and every control-plane log, an OIDC provider and
 * the Pod Identity agent, managed node groups on an IMDSv2-only launch template, and the core
 * add-ons as EKS managed add-ons.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws/provider";
import { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import { auditLogRetentionDays, clusterKubernetesProvider, execKubeconfig } from "../managed";
import { ClusterArgs, KubernetesCluster, NodePoolConfig } from "../provider";
import { createEksPodIdentity, createEksWorkloadIdentities } from "./workload-identity";
import { CLUSTER_AUTOSCALER_ACCOUNT, clusterAutoscalerPolicyOutput } from "./cluster-autoscaler";
import { identityFactName } from "../workload-identity";
import { createEksSopsKey } from "./sops-key";
import type { ClusterSopsKey } from "../kubernetes-cluster";
import { EKS_ACCESS_POLICIES, EKS_ADDONS, EKS_LOG_TYPES, EksClusterConfig, eksAmiType, eksDesiredSize, eksSubnetLayout, ZONES } from "./config";

/** The node label that names a node group's pool; also how the live group of a pool is found. */
export const POOL_LABEL = "fluxpilot.dev/pool";

/** A name suffix that stays put when the list of principals is reordered. */
function principalSuffix(principalArn: string): string {
    return createHash("sha256").update(principalArn).digest("hex").slice(0, 8);
}

function assumeRolePolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    });
}

export type EksClusterArgs = ClusterArgs<EksClusterConfig>;

export class EksCluster extends pulumi.ComponentResource implements KubernetesCluster {
    public readonly clusterName: pulumi.Output<string>;
    public readonly cloud = "aws";
    public readonly region: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly kubernetesVersion: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string | undefined>;
    public readonly provider: k8s.Provider;
    public readonly vpcId: pulumi.Output<string>;
    public readonly oidcProviderArn: pulumi.Output<string>;
    public readonly cloudAccount: pulumi.Output<string>;
    public readonly identityFacts: Record<string, pulumi.Output<string>>;
    public readonly sopsKey: ClusterSopsKey;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("fluxpilot:clusters:EksCluster", name, {}, opts);

        // Every AWS resource below gets the stack's tags through the provider's default tags.
        const provider = new aws.Provider(`${name}-aws`, { region: args.region, defaultTags: { tags: args.tags } }, { parent: this });
        const o = { parent: this, provider };
        const partition = getPartitionOutput({}, { parent: this, provider }).partition;
        const zones = getAvailabilityZonesOutput(
            { region: args.region, state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
            { parent: this, provider },
        ).names;

        // ---- Network ----
        // Three subnets of each kind; in a region with two usable zones the third shares the first zone.
        const zoneAt = (i: number) => zones.apply((names) => names[i % names.length]);
        const layout = eksSubnetLayout(args.network.vpcCidr);
        const clusterTag = `kubernetes.io/cluster/${args.name}`;
        const vpc = new ec2.Vpc(`${name}-vpc`, { cidrBlock: args.network.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${args.name}-vpc` } }, o);
        const igw = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${args.name}-igw` } }, o);
        const publicRoutes = new ec2.RouteTable(
            `${name}-public`,
            { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { Name: `${args.name}-public` } },
            o,
        );
        const publicSubnets = layout.publicSubnets.map((block, i) => {
            const subnet = new ec2.Subnet(
                `${name}-public-${i}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: block,
                    availabilityZone: zoneAt(i),
                    // Only load balancers and NAT live here; nothing gets a public IP by accident.
                    mapPublicIpOnLaunch: false,
                    tags: { Name: `${args.name}-public-${i}`, "kubernetes.io/role/elb": "1", [clusterTag]: "shared" },
                },
                o,
            );
            new ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, o);
            return subnet;
        });
        const natCount = args.natPerZone ? ZONES : 1;
        const natGateways = publicSubnets.slice(0, natCount).map((subnet, i) => {
            const eip = new ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: { Name: `${args.name}-nat-${i}` } }, { ...o, dependsOn: [igw] });
            return new ec2.NatGateway(`${name}-nat-${i}`, { allocationId: eip.id, subnetId: subnet.id, tags: { Name: `${args.name}-nat-${i}` } }, o);
        });
        const privateSubnets = layout.privateSubnets.map((block, i) => {
            const subnet = new ec2.Subnet(
                `${name}-private-${i}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: block,
                    availabilityZone: zoneAt(i),
                    mapPublicIpOnLaunch: false,
                    tags: { Name: `${args.name}-private-${i}`, "kubernetes.io/role/internal-elb": "1", [clusterTag]: "shared" },
                },
                o,
            );
            const routes = new ec2.RouteTable(
                `${name}-private-${i}`,
                {
                    vpcId: vpc.id,
                    routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[i % natCount].id }],
                    tags: { Name: `${args.name}-private-${i}` },
                },
                o,
            );
            new ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, o);
            return subnet;
        });

        // ---- Control plane ----
        const clusterRole = new iam.Role(`${name}-cluster`, { assumeRolePolicy: assumeRolePolicy("eks.amazonaws.com") }, o);
        const clusterPolicy = new iam.RolePolicyAttachment(
            `${name}-cluster`,
            {
                role: clusterRole.name,
                policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonEKSClusterPolicy`,
            },
            o,
        );
        const secretsKey = new kms.Key(
            `${name}-secrets`,
            {
                description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${args.name}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
            },
            o,
        );
        // Created here, before the cluster, so the retention is ours; EKS would create it with no
        // expiry. The cluster depends on it, so a destroy deletes the cluster first. EKS still
        // writes late logs while the cluster is deleted and re-creates the group, which made the
        // next up fail with ResourceAlreadyExistsException (terraform-aws-eks#2763, #2486, #920).
        // So a destroy leaves the group in place on purpose (its logs keep their retention: the
        // audit trail outlives the cluster), and an up after a destroy adopts it
        // (controlPlaneLogGroup: adopt imports it by name; Pulumi then applies the retention:
        // https://www.pulumi.com/docs/iac/concepts/resources/options/import/). docs/clusters.md.
        const logGroupName = `/aws/eks/${args.name}/cluster`;
        const controlPlaneLogs = new cloudwatch.LogGroup(
            `${name}-control-plane`,
            {
                name: logGroupName,
                retentionInDays: auditLogRetentionDays(args.environment),
            },
            { ...o, retainOnDelete: true, ...(args.controlPlaneLogGroup === "adopt" ? { import: logGroupName } : {}) },
        );
        const cluster = new eks.Cluster(
            `${name}-cluster`,
            {
                name: args.name,
                version: args.kubernetesVersion,
                roleArn: clusterRole.arn,
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
                // The add-ons are managed below, so EKS does not install unmanaged copies.
                bootstrapSelfManagedAddons: false,
                encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
                enabledClusterLogTypes: [...EKS_LOG_TYPES],
                kubernetesNetworkConfig: { serviceIpv4Cidr: args.network.serviceCidr, ipFamily: "ipv4" },
                vpcConfig: {
                    subnetIds: privateSubnets.map((s) => s.id),
                    endpointPrivateAccess: true,
                    endpointPublicAccess: args.endpoint.publicAccess,
                    publicAccessCidrs: args.endpoint.publicAccess ? args.endpoint.allowedCidrs : undefined,
                },
                deletionProtection: args.protect,
                upgradePolicy: { supportType: args.supportType },
            },
            { ...o, dependsOn: [clusterPolicy, controlPlaneLogs] },
        );

        const issuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
        const oidcProvider = new iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"] }, o);

        // ---- Access entries for further principals (the deployer is bootstrapped as admin) ----
        for (const entry of args.accessEntries) {
            const suffix = principalSuffix(entry.principalArn);
            const access = new eks.AccessEntry(`${name}-access-${suffix}`, { clusterName: cluster.name, principalArn: entry.principalArn, type: "STANDARD" }, o);
            new eks.AccessPolicyAssociation(
                `${name}-access-${suffix}`,
                {
                    clusterName: cluster.name,
                    principalArn: access.principalArn,
                    policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${EKS_ACCESS_POLICIES[entry.accessPolicy]}`,
                    accessScope: { type: "cluster" },
                },
                o,
            );
        }

        // ---- Add-ons needed before nodes can become Ready ----
        // Without a version an add-on keeps the one chosen at creation, so after a Kubernetes
        // upgrade kube-proxy, vpc-cni and coredns would lag behind the control plane. An unpinned
        // add-on follows the newest version for the cluster's Kubernetes version, as pulumi-eks
        // does (nodejs/eks/cluster.ts: getAddonVersionOutput with mostRecent: true).
        const addonVersion = (spec: (typeof EKS_ADDONS)[number]): pulumi.Input<string> =>
            args.addons[spec.key] ?? eks.getAddonVersionOutput({ addonName: spec.name, kubernetesVersion: cluster.version, mostRecent: true }, { parent: this, provider }).version;
        const addon = (spec: (typeof EKS_ADDONS)[number], dependsOn: pulumi.Resource[]) =>
            new eks.Addon(
                `${name}-${spec.name}`,
                {
                    clusterName: cluster.name,
                    addonName: spec.name,
                    addonVersion: addonVersion(spec),
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                },
                { ...o, dependsOn },
            );
        const earlyAddons = EKS_ADDONS.filter((a) => a.beforeNodes).map((spec) => addon(spec, []));

        // ---- Nodes ----
        const nodeRole = new iam.Role(`${name}-nodes`, { assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com") }, o);
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"].map(
            (policy) =>
                new iam.RolePolicyAttachment(`${name}-nodes-${policy}`, { role: nodeRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` }, o),
        );
        const nodeGroups = args.nodePools.map((pool) => this.nodeGroup(name, args, pool, cluster, nodeRole, privateSubnets, [...nodePolicies, ...earlyAddons], o));
        const lateAddons = EKS_ADDONS.filter((a) => !a.beforeNodes).map((spec) => addon(spec, nodeGroups));

        this.clusterName = cluster.name;
        this.region = pulumi.output(args.region);
        this.endpoint = cluster.endpoint;
        this.kubernetesVersion = cluster.version;
        this.oidcIssuerUrl = issuer;
        this.oidcProviderArn = oidcProvider.arn;
        // The deploying account, as terraform-aws-eks reads it (data "aws_caller_identity"): known
        // before the cluster exists, so a preview already shows it.
        this.cloudAccount = getCallerIdentityOutput({}, { parent: this, provider }).accountId;
        const identityArgs = { name, clusterName: args.name, cluster, parent: this, provider };
        // cluster-autoscaler owns the node groups' size (Flux installs it); its identity may touch
        // only this cluster's groups (cluster-autoscaler.ts).
        const autoscaler = createEksPodIdentity(
            identityArgs,
            { ...CLUSTER_AUTOSCALER_ACCOUNT, permissions: [] },
            clusterAutoscalerPolicyOutput(
                args.name,
                nodeGroups.map((g) => g.arn),
            ),
        );
        this.identityFacts = {
            ...createEksWorkloadIdentities({ ...identityArgs, identities: args.workloadIdentities }),
            // The ARN IAM will give the role (its name is ours), so a preview and the offline
            // render already show it; the role's own arn output is only known once it exists.
            [identityFactName(CLUSTER_AUTOSCALER_ACCOUNT)]: pulumi.interpolate`arn:${partition}:iam::${this.cloudAccount}:role/${autoscaler.name}`,
        };
        this.sopsKey = createEksSopsKey({ name, clusterName: args.name, cluster, partition, account: this.cloudAccount, parent: this, provider });
        this.vpcId = vpc.id;
        this.kubeconfig = execKubeconfig({
            name: cluster.name,
            server: cluster.endpoint,
            certificateAuthorityData: cluster.certificateAuthority.apply((ca) => ca?.data ?? ""),
            exec: {
                command: "aws",
                args: ["--region", args.region, "eks", "get-token", "--cluster-name", args.name, "--output", "json"],
                installHint: "Install the AWS CLI v2 (https://docs.aws.amazon.com/cli/) and sign in with an identity that has an access entry on this cluster.",
            },
        });
        this.provider = clusterKubernetesProvider(name, this.kubeconfig, this, [...nodeGroups, ...lateAddons]);

        this.registerOutputs({
            clusterName: this.clusterName,
            region: this.region,
            endpoint: this.endpoint,
            kubernetesVersion: this.kubernetesVersion,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
            oidcProviderArn: this.oidcProviderArn,
            vpcId: this.vpcId,
            cloudAccount: this.cloudAccount,
            identityFacts: this.identityFacts,
            sopsKey: this.sopsKey.key,
        });
    }

    private nodeGroup(
        name: string,
        args: EksClusterArgs,
        pool: NodePoolConfig,
        cluster: eks.Cluster,
        nodeRole: iam.Role,
        subnets: ec2.Subnet[],
        dependsOn: pulumi.Resource[],
        o: { parent: pulumi.Resource; provider: pulumi.ProviderResource },
    ): eks.NodeGroup {
        const template = new ec2.LaunchTemplate(
            `${name}-${pool.name}`,
            {
                description: `Nodes of pool ${pool.name} in EKS cluster ${args.name}`,
                // IMDSv2 only, and one hop: pods cannot borrow the node's role (CKV_AWS_79, CKV_AWS_341).
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: { volumeSize: pool.diskSizeGb ?? 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
                    },
                ],
                // Default tags do not reach instances an Auto Scaling group launches; these do.
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: { ...args.tags, Name: `${args.name}-${pool.name}` } })),
                updateDefaultVersion: true,
            },
            o,
        );
        // The live desired size of this pool's group (none before it exists), kept within the new
        // bounds: see eksDesiredSize. Found by its pool label among the cluster's node groups.
        const invokeOpts = { parent: this, provider: o.provider };
        const groupPrefix = `${name}-${pool.name}-`;
        const liveDesired = pulumi.all([cluster.name, eks.getNodeGroupsOutput({ clusterName: cluster.name }, invokeOpts).names]).apply(async ([clusterName, names]) => {
            const candidates = names.filter((n) => n.startsWith(groupPrefix));
            const groups = await Promise.all(candidates.map((nodeGroupName) => eks.getNodeGroup({ clusterName, nodeGroupName }, invokeOpts)));
            const sizes = groups.filter((g) => g.labels?.[POOL_LABEL] === pool.name).map((g) => g.scalingConfigs[0]?.desiredSize ?? 0);
            return eksDesiredSize(pool, sizes.length > 0 ? Math.max(...sizes) : undefined);
        });
        return new eks.NodeGroup(
            `${name}-${pool.name}`,
            {
                clusterName: cluster.name,
                nodeRoleArn: nodeRole.arn,
                subnetIds: subnets.map((s) => s.id),
                instanceTypes: [pool.machineType],
                amiType: eksAmiType(pool.machineType),
                capacityType: pool.spot ? "SPOT" : "ON_DEMAND",
                scalingConfig: { minSize: pool.minNodes, maxSize: pool.maxNodes, desiredSize: liveDesired },
                updateConfig: { maxUnavailablePercentage: 33 },
                launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
                labels: { ...pool.labels, [POOL_LABEL]: pool.name },
                version: cluster.version,
            },
            { ...o, dependsOn },
        );
    }
}
