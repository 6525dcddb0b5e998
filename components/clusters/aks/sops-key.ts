/**
 * The cluster's SOPS key on Azure: a Key Vault of its own (RBAC authorisation, soft delete) with
 * one RSA key `sops`, a user-assigned identity federated with flux-system/kustomize-controller on
 * this cluster's OIDC issuer, and "Key Vault Crypto User" for that identity on the key alone.
 * A vault of its own, because the cluster's control-plane identity holds Crypto User on the
 * whole etcd-encryption vault and could otherwise decrypt with this key too.
 *
 * Why Crypto User and not the narrower "Key Vault Crypto Service Encryption User": sops calls the
 * key's encrypt and decrypt operations (getsops/sops azkv/keysource.go: azkeys Decrypt with
 * RSA-OAEP-256), not wrapKey/unwrapKey, and only Crypto User carries keys/decrypt/action among the
 * built-in roles (Azure built-in roles, Security: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security).
 *
 * kustomize-controller's service account carries `azure.workload.identity/client-id` and its pods
 * the label `azure.workload.identity/use: "true"`, so the AKS workload identity webhook injects
 * the token that sops' DefaultAzureCredential reads (AKS, "Deploy and configure workload
 * identity": https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster; Flux,
 * "Microsoft Azure" integration: https://fluxcd.io/flux/integrations/azure).
 */
import * as pulumi from "@pulumi/pulumi";
import * as azure from "@pulumi/azure-native/provider";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { FLUX_NAMESPACE, KUSTOMIZE_CONTROLLER_SA } from "../../../core/flux";
import type { Environment } from "../../../core/environments";
import type { ClusterSopsKey } from "../kubernetes-cluster";
import { AksWorkloadIdentityArgs, createAksWorkloadIdentity } from "./workload-identity";
import { rbacVaultProperties } from "./key-vault";

export const AZURE_CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const AZURE_USE_LABEL = "azure.workload.identity/use";
const SOPS_KEY_NAME = "sops";

export interface AksSopsKeyArgs extends Omit<AksWorkloadIdentityArgs, "identities"> {
    environment: Environment;
    vaultName: pulumi.Input<string>;
    tenantId: pulumi.Input<string>;
    /** The role definition ID of "Key Vault Crypto User" in this subscription. */
    cryptoUserRole: pulumi.Input<string>;
    provider: azure.Provider;
}

export function createAksSopsKey(args: AksSopsKeyArgs): ClusterSopsKey {
    const o = { parent: args.parent, provider: args.provider };
    const vault = new keyvault.Vault(
        `${args.name}-sops`,
        {
            vaultName: args.vaultName,
            resourceGroupName: args.resourceGroupName,
            location: args.region,
            properties: rbacVaultProperties(args.tenantId, args.environment),
            tags: args.tags,
        },
        o,
    );
    const key = new keyvault.Key(
        `${args.name}-sops`,
        {
            keyName: SOPS_KEY_NAME,
            vaultName: vault.name,
            resourceGroupName: args.resourceGroupName,
            properties: { kty: "RSA", keySize: 4096, keyOps: ["encrypt", "decrypt"] },
            tags: args.tags,
        },
        o,
    );
    const identity = createAksWorkloadIdentity(args, { namespace: FLUX_NAMESPACE, serviceAccount: KUSTOMIZE_CONTROLLER_SA, permissions: [] });
    new authorization.RoleAssignment(
        `${args.name}-sops-decrypter`,
        {
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: args.cryptoUserRole,
            // The key's ARM ID: the vault's ID plus /keys/<name>.
            scope: pulumi.interpolate`${vault.id}/keys/${SOPS_KEY_NAME}`,
        },
        { ...o, dependsOn: [key] },
    );
    return {
        kind: "azure_keyvault",
        key: key.keyUriWithVersion,
        serviceAccountAnnotations: { [AZURE_CLIENT_ID_ANNOTATION]: identity.clientId },
        podLabels: { [AZURE_USE_LABEL]: "true" },
    };
}
