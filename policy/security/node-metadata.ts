/**
 * EKS nodes answer only IMDSv2 (session tokens) with a hop limit of 1, so a pod cannot reach the
 * node role's credentials through the instance metadata service: CKV_AWS_79 (httpTokens
 * "required") and CKV_AWS_341 (hop limit at most 1) on the launch template; a managed node group
 * without a launch template gets the AMI's defaults, so it must name one.
 */
import * as ec2 from "@pulumi/aws/ec2";
import * as eks from "@pulumi/aws/eks";
import { check, forTypes, resourcePolicy } from "../define";

export const imdsv2 = resourcePolicy({
    name: "imdsv2-hop-limit-1",
    description: "EKS nodes require IMDSv2 tokens with a response hop limit of 1.",
    severity: "high",
    checkov: ["CKV_AWS_79", "CKV_AWS_341"],
    remediationSteps: 'Give every node group a launch template with metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 }.',
    validateResource: forTypes(
        check(ec2.LaunchTemplate, ({ metadataOptions }, _, report) => {
            if (metadataOptions?.httpEndpoint === "disabled") return;
            if (metadataOptions?.httpTokens !== "required") {
                report(`metadataOptions.httpTokens is ${JSON.stringify(metadataOptions?.httpTokens ?? "unset")}, not "required": IMDSv1 answers without a token`);
            }
            const hops = metadataOptions?.httpPutResponseHopLimit;
            if (hops === undefined || hops > 1) {
                report(`metadataOptions.httpPutResponseHopLimit is ${hops ?? "unset"}, not 1: pods can reach the node's credentials`);
            }
        }),
        check(eks.NodeGroup, ({ launchTemplate }, _, report) => {
            if (launchTemplate === undefined) report("the node group has no launch template, so its metadata options are the AMI's defaults");
        }),
    ),
});
