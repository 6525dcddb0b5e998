/**
 * Amazon EKS: a dedicated VPC across three availability zones, the cluster with API-mode access
 * entries, KMS envelope encryption of Secrets and every control-plane log, an OIDC provider and
 * the Pod Identity agent, managed node groups on an IMDSv2-only launch template, and the core
 * add-ons as EKS managed add-ons.
 *
 * This file: the stack settings (schema, defaults, rules); cluster.ts builds the component.
 */
import { z } from "zod";
import { subdivideCidr } from "../../../core/cidr";
import { ConfigProblem } from "../../../core/problems";
import { cidr, rule } from "../../../core/rules";
import { KUBERNETES_VERSIONS } from "../../../core/versions";
import { cidrSizeProblems, machineTypeProblems, overlappingCidrProblems, patternProblems } from "../managed";
import { managedClusterFields, ManagedClusterConfig } from "../provider";

/** Checked 2026-11 against the EKS release calendar given in issue 3: 1.33 to 1.36 have support. */
export const EKS_VERSIONS = KUBERNETES_VERSIONS.eks.supported;
/** What a cluster runs when the stack names no version: one behind the newest, for add-on support. */
export const EKS_DEFAULT_VERSION = KUBERNETES_VERSIONS.eks.default;

/** Default instance type per environment: burstable in dev, general purpose elsewhere. */
export const EKS_MACHINE_TYPES = { dev: "t3.large", staging: "m6i.large", prod: "m6i.xlarge", local: "t3.large" } as const;

/** EKS access policies by the short name used in the stack config. */
export const EKS_ACCESS_POLICIES = {
    "cluster-admin": "AmazonEKSClusterAdminPolicy",
    admin: "AmazonEKSAdminPolicy",
    edit: "AmazonEKSEditPolicy",
    view: "AmazonEKSViewPolicy",
} as const;

/**
 * EKS upgrade policy (UpgradePolicy.supportType in the EKS API). Left unset, EKS puts a cluster
 * on EXTENDED support, which is billed extra once standard support ends (EKS docs, "Understand
 * the Kubernetes version lifecycle on EKS"; terraform-aws-eks exposes it as upgrade_policy).
 * Stated explicitly here; STANDARD by default so the extra charge is a choice.
 */
export const EKS_SUPPORT_TYPES = ["STANDARD", "EXTENDED"] as const;

/**
 * How the program treats the control-plane log group `/aws/eks/<name>/cluster` (see
 * EksCluster): `create` it (a new cluster name), or `adopt` the one a previous incarnation of the
 * cluster left behind. EKS writes late control-plane logs while a cluster is being deleted and
 * re-creates the group after `pulumi destroy` deleted it (terraform-aws-eks#2763, #2486, #920;
 * cloudposse/terraform-aws-eks-cluster#67), so the next `up` would fail with
 * ResourceAlreadyExistsException; `adopt` imports it instead.
 */
export const EKS_LOG_GROUP_MODES = ["create", "adopt"] as const;

/** Every control-plane log type EKS offers (CKV_AWS_37). */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

const addonVersion = z
    .string(rule("must be a string", 'quote the add-on version, e.g. "v1.20.4-eksbuild.1"'))
    .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, rule("is not an EKS add-on version", "use a version from 'aws eks describe-addon-versions', e.g. v1.20.4-eksbuild.1"));

export const eksSchema = z.strictObject({
    ...managedClusterFields,
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
                accessPolicy: z.enum(
                    Object.keys(EKS_ACCESS_POLICIES) as [keyof typeof EKS_ACCESS_POLICIES],
                    rule("is not an access policy", `use one of ${Object.keys(EKS_ACCESS_POLICIES).join(", ")}`),
                ),
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
    /**
     * What happens at the end of standard support: STANDARD has AWS upgrade the control plane then;
     * EXTENDED keeps the version for 12 more months, billed per cluster-hour at the extended rate.
     */
    supportType: z.enum(EKS_SUPPORT_TYPES, rule("is not an EKS support type", `use one of ${EKS_SUPPORT_TYPES.join(", ")}`)).optional(),
    /** `adopt` after a destroy, when EKS has re-created /aws/eks/<name>/cluster (see EKS_LOG_GROUP_MODES). */
    controlPlaneLogGroup: z
        .enum(EKS_LOG_GROUP_MODES, rule("is not a log group mode", "use create (a new cluster) or adopt (the group a destroyed cluster of this name left behind)"))
        .optional(),
});

export type EksClusterRaw = z.infer<typeof eksSchema>;
export type EksAccessEntry = NonNullable<EksClusterRaw["accessEntries"]>[number];
export type AddonKey = keyof NonNullable<EksClusterRaw["addons"]>;

export interface EksClusterConfig extends ManagedClusterConfig {
    cloud: "aws";
    network: { vpcCidr: string; serviceCidr: string };
    accessEntries: EksAccessEntry[];
    /** Pinned add-on versions; a missing one follows the newest for the cluster's Kubernetes version. */
    addons: Partial<Record<AddonKey, string>>;
    supportType: (typeof EKS_SUPPORT_TYPES)[number];
    controlPlaneLogGroup: (typeof EKS_LOG_GROUP_MODES)[number];
    /** One NAT gateway per zone (true) or a single shared one (cheaper, not zone-redundant). */
    natPerZone: boolean;
}

export const EKS_ADDONS: readonly { key: AddonKey; name: string; beforeNodes: boolean }[] = [
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

/**
 * The desiredSize to send for a managed node group. The autoscaler owns the current size, but
 * EKS refuses a scaling config whose desired size lies outside [min, max] ("Minimum capacity 4
 * can't be greater than desired size 3"), so ignoring desiredSize (terraform-aws-eks does, and
 * issues #944, #2030, #2508, #3306 hit exactly this on a raise of min_size) breaks every raise of
 * minNodes above the current size. Instead the live size is read and kept, moved only as far as
 * the new bounds require: the autoscaler's choice survives, and a raise of minNodes (or a cut of
 * maxNodes) becomes one valid update. A new pool starts at its minimum (at least one node).
 */
export function eksDesiredSize(pool: { minNodes: number; maxNodes: number }, liveDesired: number | undefined): number {
    const wanted = liveDesired ?? Math.max(pool.minNodes, 1);
    return Math.min(Math.max(wanted, pool.minNodes), pool.maxNodes);
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
