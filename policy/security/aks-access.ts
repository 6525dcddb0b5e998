/**
 * AKS has no local accounts and authorises with Microsoft Entra ID and Azure RBAC:
 * CKV_AZURE_141 (disableLocalAccounts) and CKV_AZURE_5 (Kubernetes RBAC on).
 */
import * as containerservice from "@pulumi/azure-native/containerservice";
import { check, forTypes, resourcePolicy } from "../define";

export const aksLocalAccountsDisabled = resourcePolicy({
    name: "aks-local-accounts-disabled",
    description: "AKS clusters have local accounts disabled, Kubernetes RBAC on, and Azure RBAC through Microsoft Entra ID.",
    severity: "high",
    checkov: ["CKV_AZURE_141", "CKV_AZURE_5"],
    remediationSteps: "Keep disableLocalAccounts: true, enableRBAC: true and aadProfile { managed: true, enableAzureRBAC: true }; name the admins in `adminGroupObjectIds`.",
    validateResource: forTypes(
        check(containerservice.ManagedCluster, ({ disableLocalAccounts, enableRBAC, aadProfile }, _, report) => {
            if (disableLocalAccounts !== true) report("disableLocalAccounts is not true: the static clusterAdmin credential can be downloaded");
            // Azure turns Kubernetes RBAC on unless it is switched off.
            if (enableRBAC === false) report("enableRBAC is false");
            if (aadProfile?.enableAzureRBAC !== true) report("aadProfile.enableAzureRBAC is not true");
        }),
    ),
});
