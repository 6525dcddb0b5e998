/**
 * Azure Kubernetes Service: a resource group, a virtual network and node subnet, a user-assigned
 * control-plane identity, a Key Vault key for KMS encryption of Secrets, and the managed cluster
 * with Entra ID (AAD) RBAC, local accounts disabled, Azure CNI overlay with Cilium network policy, OIDC issuer and workload identity, an
 * auto-upgrade channel, an allow-listed or private API server, control-plane logs in Log
 * Analytics, and autoscaling system and user node pools.
 *
 * This file: the stack settings (schema, defaults, rules); cluster.ts builds the component.
 */
import { z } from "zod";
import { Environment } from "../../../core/environments";
import { ConfigProblem } from "../../../core/problems";
import { cidr, rule } from "../../../core/rules";
import { KUBERNETES_VERSIONS } from "../../../core/versions";
import { containedCidrProblems, machineTypeProblems, overlappingCidrProblems, patternProblems } from "../managed";
import { managedClusterFields, ManagedClusterConfig } from "../provider";

/** Checked 2026-11 against the AKS release calendar given in issue 3: 1.33 to 1.36 are supported. */
export const AKS_VERSIONS = KUBERNETES_VERSIONS.aks.supported;
/** What a cluster runs when the stack names no version. */
export const AKS_DEFAULT_VERSION = KUBERNETES_VERSIONS.aks.default;

export const AKS_MACHINE_TYPES = { dev: "Standard_D2as_v5", staging: "Standard_D2s_v5", prod: "Standard_D4s_v5", local: "Standard_D2as_v5" } as const;

export const AKS_UPGRADE_CHANNELS = ["patch", "stable", "rapid", "node-image", "none"] as const;

/**
 * Channels on which AKS moves the minor version itself. A pinned kubernetesVersion or
 * orchestratorVersion would then ask the next `up` to downgrade, which AKS refuses; as
 * Azure/terraform-azurerm-aks (precondition automatic_channel_upgrade_check) requires, the program
 * sets neither version under these channels and refuses a version named in the stack.
 */
export const AKS_CHANNELS_THAT_MOVE_THE_MINOR = ["stable", "rapid"] as const;

export function channelMovesMinor(channel: (typeof AKS_UPGRADE_CHANNELS)[number]): boolean {
    return (AKS_CHANNELS_THAT_MOVE_THE_MINOR as readonly string[]).includes(channel);
}

/**
 * How the kubeconfig's kubelogin exec plugin signs in (kubelogin docs, "Login Modes" and
 * "get-token"; https://azure.github.io/kubelogin/concepts/login-modes.html):
 * - azurecli: the Azure CLI's sign-in (`az login`); a person at a laptop.
 * - workloadidentity: a federated token read from AZURE_FEDERATED_TOKEN_FILE with AZURE_CLIENT_ID,
 *   AZURE_TENANT_ID and AZURE_AUTHORITY_HOST, read afresh on every call and never cached, so a
 *   pipeline that keeps that file current never presents an expired assertion (AADSTS700024).
 *   The GitHub workflows do that (docs/operations.md).
 * - spn: a service principal secret or certificate from AZURE_CLIENT_ID and AZURE_CLIENT_SECRET
 *   (or AZURE_CLIENT_CERTIFICATE_PATH); the tenant goes on the command line.
 * Interactive modes (devicecode, interactive) cannot run inside `pulumi up` and are not offered.
 */
export const AKS_KUBELOGIN_MODES = ["azurecli", "workloadidentity", "spn"] as const;
export type AksKubeloginMode = (typeof AKS_KUBELOGIN_MODES)[number];

const uuid = (what: string, example: string) =>
    z
        .string(rule("must be a string", `quote the ${what}`))
        .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, rule("is not a GUID", `use the ${what}, a GUID such as ${example}`));

export const aksSchema = z.strictObject({
    ...managedClusterFields,
    cloud: z.literal("azure"),
    /** Defaults to the subscription of the Azure credentials in use. */
    subscriptionId: uuid("subscription ID", "00000000-0000-0000-0000-000000000000").optional(),
    network: z
        .strictObject({
            vnetCidr: cidr.optional(),
            /** The node subnet, inside vnetCidr. */
            nodesCidr: cidr.optional(),
            /** Kubernetes Service addresses; outside the VNet. */
            serviceCidr: cidr.optional(),
            /** Pod addresses (Azure CNI overlay); outside the VNet. */
            podCidr: cidr.optional(),
        })
        .optional(),
    autoUpgradeChannel: z.enum(AKS_UPGRADE_CHANNELS, rule("is not an AKS upgrade channel", `use one of ${AKS_UPGRADE_CHANNELS.join(", ")}`)).optional(),
    /** Entra ID groups whose members are cluster admins. */
    adminGroupObjectIds: z.array(uuid("Entra ID group object ID", "3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b")).optional(),
    /** How the kubeconfig signs in: azurecli (default, a person), workloadidentity (CI with OIDC), spn. */
    kubeloginMode: z.enum(AKS_KUBELOGIN_MODES, rule("is not a kubelogin login mode the program can run unattended", `use one of ${AKS_KUBELOGIN_MODES.join(", ")}`)).optional(),
});

export type AksClusterRaw = z.infer<typeof aksSchema>;

export interface AksClusterConfig extends ManagedClusterConfig {
    cloud: "azure";
    subscriptionId?: string;
    network: { vnetCidr: string; nodesCidr: string; serviceCidr: string; podCidr: string };
    autoUpgradeChannel: (typeof AKS_UPGRADE_CHANNELS)[number];
    /** Whether the stack named kubernetesVersion (rather than taking the default). */
    kubernetesVersionPinned: boolean;
    adminGroupObjectIds: string[];
    kubeloginMode: AksKubeloginMode;
    /** Spread nodes over availability zones 1-3 and use the Standard (SLA) tier. */
    highlyAvailable: boolean;
}

/** Linux agent pool names: lowercase letters and digits, at most 12, starting with a letter. */
const AKS_POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;

export function validateAks(config: AksClusterConfig, key: string): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    problems.push(...patternProblems(`${key}.region`, config.region, /^[a-z]+[a-z0-9]*$/, "Azure location", "westeurope"));
    problems.push(...machineTypeProblems(config.nodePools, key, /^Standard_[A-Za-z0-9_]+$/, "Azure VM size", "Standard_D4s_v5"));
    config.nodePools.forEach((pool, index) => {
        problems.push(
            ...patternProblems(`${key}.nodePools[${index}].name`, pool.name, AKS_POOL_NAME, "AKS node pool name (1-12 lowercase letters and digits, no '-')", "system or apps2"),
        );
        if (pool.spot && index === 0) {
            problems.push({
                key: `${key}.nodePools[0].spot`,
                value: true,
                message: "makes the system pool Spot, which AKS does not allow",
                fix: "run Spot capacity in a second (user) pool",
            });
        }
    });
    if (config.nodePools[0] && config.nodePools[0].minNodes < 1) {
        problems.push({
            key: `${key}.nodePools[0].minNodes`,
            value: config.nodePools[0].minNodes,
            message: "lets the system pool scale to zero, which AKS does not allow",
            fix: "set minNodes to 1 or more for the first (system) pool",
        });
    }
    if (config.kubernetesVersionPinned && channelMovesMinor(config.autoUpgradeChannel)) {
        problems.push({
            key: `${key}.kubernetesVersion`,
            value: config.kubernetesVersion,
            message: `is pinned, but autoUpgradeChannel ${config.autoUpgradeChannel} moves the minor version itself, so the next up after an upgrade would ask AKS to downgrade`,
            fix: "remove kubernetesVersion to follow the channel, or use autoUpgradeChannel patch to keep this minor version",
        });
    }
    const n = config.network;
    const vnet = { key: `${key}.network.vnetCidr`, cidr: n.vnetCidr, what: "VNet range" };
    const nodes = { key: `${key}.network.nodesCidr`, cidr: n.nodesCidr, what: "node subnet" };
    const services = { key: `${key}.network.serviceCidr`, cidr: n.serviceCidr, what: "Service range" };
    const pods = { key: `${key}.network.podCidr`, cidr: n.podCidr, what: "pod range" };
    problems.push(...containedCidrProblems(vnet, [nodes]));
    // Overlay pod and Service ranges are virtual: they must not collide with the VNet or each other.
    problems.push(...overlappingCidrProblems([vnet, services, pods]));
    return problems;
}

/** Environments whose AKS clusters must name an Entra ID admin group. */
const ADMIN_GROUP_REQUIRED: readonly Environment[] = ["staging", "prod"];

/**
 * With local accounts disabled (CKV_AZURE_141) the only way in is Entra ID, and otherwise only
 * the deploying principal holds a cluster-admin role: lose it (or its CI secret) and nobody can
 * administer the cluster. Staging and prod must name a group of human admins.
 */
export function adminGroupProblems(config: AksClusterConfig, environment: Environment, key: string): ConfigProblem[] {
    if (!ADMIN_GROUP_REQUIRED.includes(environment) || config.adminGroupObjectIds.length > 0) return [];
    return [
        {
            key: `${key}.adminGroupObjectIds`,
            value: "[]",
            message: `is empty in ${environment}: with local accounts disabled, only the deploying identity could administer the cluster`,
            fix: 'list the object ID of the Entra ID group of cluster admins, e.g. adminGroupObjectIds: ["3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b"]',
        },
    ];
}
