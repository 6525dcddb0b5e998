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

export interface PolicyRun {
    report: PolicyReport;
    configFile: string;
}

/** Which pack config a stack uses: the one given, else its environment's. */
export function policyConfigFor(projectDir: string, stack: string, given: string | undefined): string {
    if (given !== undefined) return given;
    const environment = readStackConfig(projectDir, stack).config["fluxpilot:environment"];
    if (!isEnvironment(environment)) {
        throw new UsageError(`stack ${stack} has no valid fluxpilot:environment (${JSON.stringify(environment)}), so its policy levels are unknown; pass --policy-config <file>`);
    }
    return packConfigFile(environment);
}

/** Runs after runPlan, over what the offline runtime recorded in this process. */
export async function checkPlanPolicies(configFile: string): Promise<PolicyRun> {
    const config = readPackConfig(configFile, policies);
    return { report: await evaluatePolicies(registeredResources(), policies, config), configFile };
}
