/**
 * Workload identities on AKS with Microsoft Entra Workload ID: per identity a user-assigned
 * managed identity in the cluster's resource group, a federated credential that trusts only this
 * cluster's OIDC issuer for `system:serviceaccount:<namespace>:<serviceAccount>`, and the role
 * assignments the stack file lists, scoped to the cluster's resource group. The cluster has
 * oidcIssuerProfile and securityProfile.workloadIdentity enabled (cluster.ts). The Kubernetes
 * service account is annotated `azure.workload.identity/client-id: ${identity_<ns>_<sa>}` in the
 * GitOps content, from the cluster facts.
 *
 * Sources: AKS docs, "Deploy and configure workload identity on an AKS cluster"
 * (https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster: issuer = the
 * cluster's OIDC issuer URL, subject system:serviceaccount:ns:sa, audience
 * api://AzureADTokenExchange); Azure/terraform-azurerm-aks (oidc_issuer_enabled,
 * workload_identity_enabled).
 */
import * as pulumi from "@pulumi/pulumi";
import * as azure from "@pulumi/azure-native/provider";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { identityFactName, identitySuffix, PermissionForm, WorkloadIdentityConfig } from "../workload-identity";

/** Azure role definition IDs (the GUIDs of built-in or custom roles). */
export const AKS_PERMISSION_FORM: PermissionForm = {
    pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    what: "an Azure role definition ID (a GUID)",
    example: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1 (Storage Blob Data Reader)",
};

/** The audience Entra ID expects in a federated token from Kubernetes. */
export const AZURE_TOKEN_AUDIENCE = "api://AzureADTokenExchange";

export interface AksWorkloadIdentityArgs {
    name: string;
    clusterName: string;
    region: string;
    resourceGroupName: pulumi.Output<string>;
    resourceGroupId: pulumi.Output<string>;
    oidcIssuerUrl: pulumi.Output<string | undefined>;
    /** `/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<guid>`. */
    roleDefinition: (id: string) => pulumi.Input<string>;
    tags: Record<string, string>;
    identities: readonly WorkloadIdentityConfig[];
    parent: pulumi.Resource;
    provider: azure.Provider;
}

/** Creates the identities, federated credentials and role assignments; returns each client ID by cluster fact name. */
export function createAksWorkloadIdentities(args: AksWorkloadIdentityArgs): Record<string, pulumi.Output<string>> {
    const facts: Record<string, pulumi.Output<string>> = {};
    for (const identity of args.identities) {
        facts[identityFactName(identity)] = createAksWorkloadIdentity(args, identity).clientId;
    }
    return facts;
}

/** One identity: the managed identity, its federated credential and its role assignments. */
export function createAksWorkloadIdentity(args: Omit<AksWorkloadIdentityArgs, "identities">, identity: WorkloadIdentityConfig): managedidentity.UserAssignedIdentity {
    const o = { parent: args.parent, provider: args.provider };
    const id = `${args.name}-wi-${identity.namespace}-${identity.serviceAccount}`;
    const managed = new managedidentity.UserAssignedIdentity(
        id,
        {
            resourceName: `${args.clusterName}-wi-${identitySuffix(args.clusterName, identity)}`,
            resourceGroupName: args.resourceGroupName,
            location: args.region,
            tags: { ...args.tags, "kubernetes-service-account": `${identity.namespace}/${identity.serviceAccount}` },
        },
        o,
    );
    new managedidentity.FederatedIdentityCredential(
        id,
        {
            resourceGroupName: args.resourceGroupName,
            resourceName: managed.name,
            federatedIdentityCredentialResourceName: `${identity.namespace}-${identity.serviceAccount}`.slice(0, 120),
            issuer: args.oidcIssuerUrl.apply((url) => {
                // A preview of a new cluster has no issuer yet (the offline plan sees none at all);
                // the up that creates the credential checks it.
                if (!url && pulumi.runtime.isDryRun()) return "";
                if (!url) throw new Error(`AKS cluster ${args.clusterName} has no OIDC issuer URL: workload identity needs oidcIssuerProfile.enabled`);
                return url;
            }),
            subject: `system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`,
            audiences: [AZURE_TOKEN_AUDIENCE],
        },
        o,
    );
    identity.permissions.forEach((role, index) => {
        new authorization.RoleAssignment(
            `${id}-${index}`,
            {
                principalId: managed.principalId,
                principalType: "ServicePrincipal",
                roleDefinitionId: args.roleDefinition(role),
                scope: args.resourceGroupId,
            },
            o,
        );
    });
    return managed;
}
