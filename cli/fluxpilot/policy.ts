/**
 * The policy pack on `pulumi preview` and `pulumi up`: the Automation API's `policyPacks` and
 * `policyPackConfigs` options are the CLI's `--policy-pack` and `--policy-pack-config`. Each stack
 * runs the pack at its environment's levels (policy/config/<environment>.json).
 */
import type { PreviewOptions } from "@pulumi/pulumi/automation";
import { isEnvironment } from "../../core/environments";
import { packConfigFile, POLICY_DIR } from "../../policy/offline/config";
import { readStackConfig } from "../shared/stack-file";

export type PolicyPackOptions = Pick<PreviewOptions, "policyPacks" | "policyPackConfigs">;

/** The pack and its config for one stack; a stack whose environment cannot be read runs the pack at its default (mandatory). */
export function policyPackOptions(projectDir: string, stack: string): PolicyPackOptions {
    let environment: unknown;
    try {
        // "org/prod" in Pulumi Cloud is Pulumi.prod.yaml here.
        environment = readStackConfig(projectDir, stack.slice(stack.lastIndexOf("/") + 1)).config["fluxpilot:environment"];
    } catch {
        environment = undefined;
    }
    return isEnvironment(environment) ? { policyPacks: [POLICY_DIR], policyPackConfigs: [packConfigFile(environment)] } : { policyPacks: [POLICY_DIR] };
}
