/**
 * `npm run plan -- <stack> --policy`: the pack's policies over the offline plan, at the levels of
 * the stack's environment (policy/config/<environment>.json, or --policy-config).
 */
import { isEnvironment } from "../../core/environments";
import { registeredResources } from "../../mock-runtime/runtime";
import { evaluatePolicies, PolicyReport } from "../../policy/offline/evaluate";
import { packConfigFile, readPackConfig } from "../../policy/offline/config";
import { policies } from "../../policy/policies";
import { readStackConfig } from "../shared/stack-file";
import { UsageError } from "../shared/usage";

import { PackConfig } from "../../policy/offline/config";

export interface PolicySetup {
    configFile: string;
    config: PackConfig;
}

export interface PolicyRun extends PolicySetup {
    report: PolicyReport;
}

/**
 * The pack config a stack's plan runs with, read and checked before the program runs: the file
 * given, else its environment's.
 */
export function preparePolicies(projectDir: string, stack: string, given: string | undefined): PolicySetup {
    const configFile = given ?? environmentConfig(projectDir, stack);
    return { configFile, config: readPackConfig(configFile, policies) };
}

function environmentConfig(projectDir: string, stack: string): string {
    const environment = readStackConfig(projectDir, stack).config["fluxpilot:environment"];
    if (!isEnvironment(environment)) {
        throw new UsageError(`stack ${stack} has no valid fluxpilot:environment (${JSON.stringify(environment)}), so its policy levels are unknown; pass --policy-config <file>`);
    }
    return packConfigFile(environment);
}

/** Runs after runPlan, over what the offline runtime recorded in this process. */
export async function checkPlanPolicies(setup: PolicySetup): Promise<PolicyRun> {
    return { ...setup, report: await evaluatePolicies(registeredResources(), policies, setup.config) };
}
