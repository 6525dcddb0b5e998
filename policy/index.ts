/**
 * The FluxPilot policy pack, as `pulumi preview --policy-pack policy` and `pulumi policy publish`
 * run it. Constructing the PolicyPack starts the analyzer's gRPC server, so this is the only
 * module that does; everything else imports policy/policies.ts. Enforcement levels come from the
 * pack config per environment (policy/config/<env>.json); without one every policy is mandatory.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, {
    description: "FluxPilot guardrails: security baseline and operability lessons for EKS, GKE and AKS clusters and their Flux installs.",
    enforcementLevel: "mandatory",
    policies: [...policies],
});
