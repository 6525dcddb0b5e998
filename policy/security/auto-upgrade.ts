/** AKS picks up Kubernetes patches on its own: CKV_AZURE_171, an upgrade channel other than "none". */
import * as containerservice from "@pulumi/azure-native/containerservice";
import { check, forTypes, resourcePolicy } from "../define";

export const aksAutoUpgrade = resourcePolicy({
    name: "aks-auto-upgrade",
    description: "AKS clusters have an automatic upgrade channel.",
    severity: "medium",
    checkov: ["CKV_AZURE_171"],
    remediationSteps: "Set the cluster's `autoUpgradeChannel` in the stack file to patch (the default), stable, rapid or node-image.",
    validateResource: forTypes(
        check(containerservice.ManagedCluster, ({ autoUpgradeProfile }, _, report) => {
            const channel = autoUpgradeProfile?.upgradeChannel;
            if (channel === undefined || channel === "none")
                report(`autoUpgradeProfile.upgradeChannel is ${JSON.stringify(channel ?? "unset")}: the cluster never upgrades on its own`);
        }),
    ),
});
