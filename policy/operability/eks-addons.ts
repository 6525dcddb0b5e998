/**
 * EKS add-ons installed without a version keep the one chosen at creation and lag behind after a
 * Kubernetes version bump (issue 11, item 11). Each add-on must name its version; the EKS
 * component resolves it for the cluster's version with getAddonVersion, as pulumi-eks does.
 */
import * as eks from "@pulumi/aws/eks";
import { check, forTypes, resourcePolicy } from "../define";

export const eksAddonsVersioned = resourcePolicy({
    name: "eks-addons-follow-cluster-version",
    description: "Every EKS add-on names its version, resolved for the cluster's Kubernetes version.",
    severity: "medium",
    checkov: [],
    remediationSteps:
        "Set addonVersion from aws.eks.getAddonVersionOutput({ addonName, kubernetesVersion: cluster.version, mostRecent: true }), or pin it in the stack file's `addons`.",
    validateResource: forTypes(
        check(eks.Addon, (props, _, report) => {
            // `in`, not a read: in a preview the resolved version is still unknown, and that is fine.
            if (!("addonVersion" in props)) {
                report(`add-on ${props.addonName} has no addonVersion: it keeps the version of its creation when the cluster's Kubernetes version moves`);
            }
        }),
    ),
});
