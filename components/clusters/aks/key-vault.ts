/**
 * The properties both of a cluster's Key Vaults share (the etcd-encryption vault in cluster.ts, the
 * SOPS vault in sops-key.ts): standard SKU, Azure RBAC instead of access policies, 90 days of soft
 * delete, and purge protection in prod only, since it can never be turned off again
 * (learn.microsoft.com/azure/key-vault/general/soft-delete-overview).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Environment } from "../../../core/environments";

export function rbacVaultProperties(tenantId: pulumi.Input<string>, environment: Environment) {
    return {
        tenantId,
        sku: { family: "A" as const, name: "standard" as const },
        enableRbacAuthorization: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: environment === "prod" ? true : undefined,
        publicNetworkAccess: "Enabled",
    };
}
