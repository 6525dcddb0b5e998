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
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import { z } from "zod";
import { ConfigProblem } from "../../../core/problems";
import { cidr, rule, subdivideCidr } from "../../../core/rules";
import { ClusterContext, ClusterKind, commonClusterFields, KubernetesCluster, ManagedClusterConfig, NodePoolConfig } from "../provider";
import {
    auditLogRetentionDays,
    cidrSizeProblems,
    clusterKubernetesProvider,
    execKubeconfig,
    machineTypeProblems,
    managedClusterDefaults,
    overlappingCidrProblems,
    patternProblems,
    validateManagedCluster,
} from "../managed";

/** Checked 2026-11 against the EKS release calendar given in issue 3: 1.33 to 1.36 have support. */
export const EKS_VERSIONS = ["1.35", "1.36", "1.34", "1.33"] as const;

/** Default instance type per environment: burstable in dev, general purpose elsewhere. */
export const EKS_MACHINE_TYPES = { dev: "t3.large", staging: "m6i.large", prod: "m6i.xlarge", local: "t3.large" } as const;

/** EKS access policies by the short name used in the stack config. */
export const EKS_ACCESS_POLICIES = {
    "cluster-admin": "AmazonEKSClusterAdminPolicy",
    admin: "AmazonEKSAdminPolicy",
    edit: "AmazonEKSEditPolicy",
    view: "AmazonEKSViewPolicy",
} as const;

/** Every control-plane log type EKS offers (CKV_AWS_37). */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

const addonVersion = z
    .string(rule("must be a string", "quote the add-on version, e.g. \"v1.20.4-eksbuild.1\""))
    .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, rule("is not an EKS add-on version", "use a version from 'aws eks describe-addon-versions', e.g. v1.20.4-eksbuild.1"));

const eksSchema = z.strictObject({
    ...commonClusterFields,
    cloud: z.literal("aws"),
    network: z
        .strictObject({
            /** The VPC; private and public subnets in three zones are carved from it. */
            vpcCidr: cidr.optional(),
            /** Kubernetes Service addresses; must not overlap the VPC. */
            serviceCidr: cidr.optional(),
        })
        .optional(),
    accessEntries: z
        .array(
            z.strictObject({
                principalArn: z
                    .string(rule("must be a string", "set the IAM role or user ARN"))
                    .regex(
                        /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/,
                        rule("is not an IAM role or user ARN", "use arn:aws:iam::<account>:role/<name> (not an sts assumed-role ARN)"),
                    ),
                accessPolicy: z.enum(Object.keys(EKS_ACCESS_POLICIES) as [keyof typeof EKS_ACCESS_POLICIES], rule("is not an access policy", `use one of ${Object.keys(EKS_ACCESS_POLICIES).join(", ")}`)),
            }),
        )
        .optional(),
    addons: z
        .strictObject({
            vpcCni: addonVersion.optional(),
            coreDns: addonVersion.optional(),
            kubeProxy: addonVersion.optional(),
            podIdentityAgent: addonVersion.optional(),
            metricsServer: addonVersion.optional(),
        })
        .optional(),
});

export type EksClusterRaw = z.infer<typeof eksSchema>;
export type EksAccessEntry = NonNullable<EksClusterRaw["accessEntries"]>[number];
type AddonKey = keyof NonNullable<EksClusterRaw["addons"]>;

export interface EksClusterConfig extends ManagedClusterConfig {
    cloud: "aws";
    network: { vpcCidr: string; serviceCidr: string };
    accessEntries: EksAccessEntry[];
    /** Pinned add-on versions; a missing one takes EKS's default for the cluster version. */
    addons: Partial<Record<AddonKey, string>>;
    /** One NAT gateway per zone (true) or a single shared one (cheaper, not zone-redundant). */
    natPerZone: boolean;
}

const EKS_ADDONS: readonly { key: AddonKey; name: string; beforeNodes: boolean }[] = [
    // Nodes only become Ready with the CNI and kube-proxy; the agent serves Pod Identity on each node.
    { key: "vpcCni", name: "vpc-cni", beforeNodes: true },
    { key: "kubeProxy", name: "kube-proxy", beforeNodes: true },
    { key: "podIdentityAgent", name: "eks-pod-identity-agent", beforeNodes: true },
    // CoreDNS pods need nodes to run on, or the add-on stays degraded.
    { key: "coreDns", name: "coredns", beforeNodes: false },
    // EKS ships no resource metrics; without them every HorizontalPodAutoscaler (the sample app's
    // included) holds at its minimum. GKE and AKS run metrics-server themselves.
    { key: "metricsServer", name: "metrics-server", beforeNodes: false },
];

export const ZONES = 3;

/**
 * Subnet layout: the VPC is split in four; three quarters are the private (node and pod)
 * subnets, the last quarter holds the three public subnets for load balancers and NAT.
 */
export function eksSubnetLayout(vpcCidr: string): { privateSubnets: string[]; publicSubnets: string[] } {
    const prefix = Number(vpcCidr.split("/")[1]);
    const quarters = subdivideCidr(vpcCidr, prefix + 2, 4);
    return { privateSubnets: quarters.slice(0, ZONES), publicSubnets: subdivideCidr(quarters[3], prefix + 4, ZONES) };
}

/** Graviton families (m7g, c6gn, ...) need the ARM AMI. */
export function eksAmiType(instanceType: string): string {
    return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

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

    constructor(name: string, args: EksClusterConfig, context: ClusterContext, opts?: pulumi.ComponentResourceOptions) {
        super("fluxpilot:clusters:EksCluster", name, {}, opts);

        // Every AWS resource below gets the stack's tags through the provider's default tags.
        const provider = new aws.Provider(`${name}-aws`, { region: args.region, defaultTags: { tags: context.tags } }, { parent: this });
        const o = { parent: this, provider };
        const partition = getPartitionOutput({}, { parent: this, provider }).partition;
        const zones = getAvailabilityZonesOutput({ region: args.region, state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }, { parent: this, provider }).names;

        // ---- Network ----
        // Three subnets of each kind; in a region with two usable zones the third shares the first zone.
        const zoneAt = (i: number) => zones.apply((names) => names[i % names.length]);
        const layout = eksSubnetLayout(args.network.vpcCidr);
        const clusterTag = `kubernetes.io/cluster/${args.name}`;
        const vpc = new ec2.Vpc(`${name}-vpc`, { cidrBlock: args.network.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${args.name}-vpc` } }, o);
        const igw = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${args.name}-igw` } }, o);
        const publicRoutes = new ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { Name: `${args.name}-public` } }, o);
        const publicSubnets = layout.publicSubnets.map((block, i) => {
            const subnet = new ec2.Subnet(`${name}-public-${i}`, {
                vpcId: vpc.id,
                cidrBlock: block,
                availabilityZone: zoneAt(i),
                // Only load balancers and NAT live here; nothing gets a public IP by accident.
                mapPublicIpOnLaunch: false,
                tags: { Name: `${args.name}-public-${i}`, "kubernetes.io/role/elb": "1", [clusterTag]: "shared" },
            }, o);
            new ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, o);
            return subnet;
        });
        const natCount = args.natPerZone ? ZONES : 1;
        const natGateways = publicSubnets.slice(0, natCount).map((subnet, i) => {
            const eip = new ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: { Name: `${args.name}-nat-${i}` } }, { ...o, dependsOn: [igw] });
            return new ec2.NatGateway(`${name}-nat-${i}`, { allocationId: eip.id, subnetId: subnet.id, tags: { Name: `${args.name}-nat-${i}` } }, o);
        });
        const privateSubnets = layout.privateSubnets.map((block, i) => {
            const subnet = new ec2.Subnet(`${name}-private-${i}`, {
                vpcId: vpc.id,
                cidrBlock: block,
                availabilityZone: zoneAt(i),
                mapPublicIpOnLaunch: false,
                tags: { Name: `${args.name}-private-${i}`, "kubernetes.io/role/internal-elb": "1", [clusterTag]: "shared" },
            }, o);
            const routes = new ec2.RouteTable(`${name}-private-${i}`, {
                vpcId: vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[i % natCount].id }],
                tags: { Name: `${args.name}-private-${i}` },
            }, o);
            new ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, o);
            return subnet;
        });

        // ---- Control plane ----
        const clusterRole = new iam.Role(`${name}-cluster`, { assumeRolePolicy: assumeRolePolicy("eks.amazonaws.com") }, o);
        const clusterPolicy = new iam.RolePolicyAttachment(`${name}-cluster`, {
            role: clusterRole.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonEKSClusterPolicy`,
        }, o);
        const secretsKey = new kms.Key(`${name}-secrets`, {
            description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${args.name}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
        }, o);
        // Created here so the retention is ours; EKS would create it with no expiry.
        const controlPlaneLogs = new cloudwatch.LogGroup(`${name}-control-plane`, {
            name: `/aws/eks/${args.name}/cluster`,
            retentionInDays: auditLogRetentionDays(context.environment),
        }, o);
        const cluster = new eks.Cluster(`${name}-cluster`, {
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
        }, { ...o, dependsOn: [clusterPolicy, controlPlaneLogs] });

        const issuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
        const oidcProvider = new iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"] }, o);

        // ---- Access entries for further principals (the deployer is bootstrapped as admin) ----
        for (const entry of args.accessEntries) {
            const suffix = principalSuffix(entry.principalArn);
            const access = new eks.AccessEntry(`${name}-access-${suffix}`, { clusterName: cluster.name, principalArn: entry.principalArn, type: "STANDARD" }, o);
            new eks.AccessPolicyAssociation(`${name}-access-${suffix}`, {
                clusterName: cluster.name,
                principalArn: access.principalArn,
                policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${EKS_ACCESS_POLICIES[entry.accessPolicy]}`,
                accessScope: { type: "cluster" },
            }, o);
        }

        // ---- Add-ons needed before nodes can become Ready ----
        const addon = (spec: (typeof EKS_ADDONS)[number], dependsOn: pulumi.Resource[]) =>
            new eks.Addon(`${name}-${spec.name}`, {
                clusterName: cluster.name,
                addonName: spec.name,
                addonVersion: args.addons[spec.key],
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
            }, { ...o, dependsOn });
        const earlyAddons = EKS_ADDONS.filter((a) => a.beforeNodes).map((spec) => addon(spec, []));

        // ---- Nodes ----
        const nodeRole = new iam.Role(`${name}-nodes`, { assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com") }, o);
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly"].map(
            (policy) => new iam.RolePolicyAttachment(`${name}-nodes-${policy}`, { role: nodeRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` }, o),
        );
        const nodeGroups = args.nodePools.map((pool) => this.nodeGroup(name, args, pool, cluster, nodeRole, privateSubnets, context, [...nodePolicies, ...earlyAddons], o));
        const lateAddons = EKS_ADDONS.filter((a) => !a.beforeNodes).map((spec) => addon(spec, nodeGroups));

        this.clusterName = cluster.name;
        this.region = pulumi.output(args.region);
        this.endpoint = cluster.endpoint;
        this.kubernetesVersion = cluster.version;
        this.oidcIssuerUrl = issuer;
        this.oidcProviderArn = oidcProvider.arn;
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
            endpoint: this.endpoint,
            kubernetesVersion: this.kubernetesVersion,
            kubeconfig: this.kubeconfig,
            oidcIssuerUrl: this.oidcIssuerUrl,
            oidcProviderArn: this.oidcProviderArn,
            vpcId: this.vpcId,
        });
    }

    private nodeGroup(
        name: string,
        args: EksClusterConfig,
        pool: NodePoolConfig,
        cluster: eks.Cluster,
        nodeRole: iam.Role,
        subnets: ec2.Subnet[],
        context: ClusterContext,
        dependsOn: pulumi.Resource[],
        o: { parent: pulumi.Resource; provider: pulumi.ProviderResource },
    ): eks.NodeGroup {
        const template = new ec2.LaunchTemplate(`${name}-${pool.name}`, {
            description: `Nodes of pool ${pool.name} in EKS cluster ${args.name}`,
            // IMDSv2 only, and one hop: pods cannot borrow the node's role (CKV_AWS_79, CKV_AWS_341).
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
            blockDeviceMappings: [{
                deviceName: "/dev/xvda",
                ebs: { volumeSize: pool.diskSizeGb ?? 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            }],
            // Default tags do not reach instances an Auto Scaling group launches; these do.
            tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: { ...context.tags, Name: `${args.name}-${pool.name}` } })),
            updateDefaultVersion: true,
        }, o);
        return new eks.NodeGroup(`${name}-${pool.name}`, {
            clusterName: cluster.name,
            nodeRoleArn: nodeRole.arn,
            subnetIds: subnets.map((s) => s.id),
            instanceTypes: [pool.machineType],
            amiType: eksAmiType(pool.machineType),
            capacityType: pool.spot ? "SPOT" : "ON_DEMAND",
            scalingConfig: { minSize: pool.minNodes, maxSize: pool.maxNodes, desiredSize: Math.max(pool.minNodes, 1) },
            updateConfig: { maxUnavailablePercentage: 33 },
            launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
            labels: { ...pool.labels, "fluxpilot.dev/pool": pool.name },
            version: cluster.version,
        }, {
            ...o,
            dependsOn,
            // The cluster autoscaler owns the current size; Pulumi owns the bounds.
            ignoreChanges: ["scalingConfig.desiredSize"],
        });
    }
}

/** Rules specific to EKS; the shared managed-cluster rules run first. */
export function validateEks(config: EksClusterConfig, key: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    problems.push(...patternProblems(`${key}.region`, config.region, /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/, "AWS region", "eu-west-1"));
    problems.push(...machineTypeProblems(config.nodePools, key, /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "EC2 instance type", "m6i.large"));
    const vpc = { key: `${key}.network.vpcCidr`, cidr: config.network.vpcCidr, what: "VPC range" };
    // /16 is the largest VPC AWS allows; below /20 the subnets leave too few addresses for pods (VPC CNI).
    problems.push(...cidrSizeProblems(vpc, 16, 20, "AWS allows at most a /16, and the VPC CNI gives every pod a VPC address"));
    problems.push(...overlappingCidrProblems([vpc, { key: `${key}.network.serviceCidr`, cidr: config.network.serviceCidr, what: "Service range" }]));
    const seen = new Set<string>();
    config.accessEntries.forEach((entry, index) => {
        if (seen.has(entry.principalArn)) {
            problems.push({
                key: `${key}.accessEntries[${index}].principalArn`,
                value: entry.principalArn,
                message: "is listed twice; a principal has one access entry",
                fix: "keep one entry per principal with the widest policy it needs",
            });
        }
        seen.add(entry.principalArn);
    });
    return problems;
}

export const eksKind: ClusterKind<EksClusterRaw, EksClusterConfig> = {
    cloud: "aws",
    title: "Amazon EKS",
    schema: eksSchema,
    supportedVersions: EKS_VERSIONS,
    withDefaults(raw, preset) {
        return {
            ...managedClusterDefaults(raw, preset, { machineType: EKS_MACHINE_TYPES[preset.environment], supportedVersions: EKS_VERSIONS }),
            cloud: "aws",
            network: { vpcCidr: raw.network?.vpcCidr ?? "10.0.0.0/16", serviceCidr: raw.network?.serviceCidr ?? "172.20.0.0/16" },
            accessEntries: raw.accessEntries ?? [],
            addons: raw.addons ?? {},
            natPerZone: preset.highlyAvailable,
        };
    },
    validate(config, preset, key) {
        return [...validateManagedCluster(config, preset, key, this.title, EKS_VERSIONS), ...validateEks(config, key)];
    },
    create(config, context, opts) {
        return new EksCluster(config.name, config, context, opts);
    },
};
