/**
 * Shared state for the GitOps tests: one kustomize builder per mocha run (each directory is
 * built once, whatever number of tests read it) and the rendered environments, each with the
 * cluster facts of the first cluster in the offline plan of its stack, as `npm run render` does.
 */
import * as assert from "assert";
import { Environment } from "../../gitops-checks/environments";
import { KustomizeBuilder } from "../../gitops-checks/kustomize";
import { formatGitOpsProblems, GitOpsProblem } from "../../gitops-checks/problems";
import { allObjects, renderEnvironment, RenderedEnvironment } from "../../gitops-checks/render";
import { OwnedObject } from "../../gitops-checks/hygiene";
import { REPOSITORY_ROOT } from "../../core/repository";
import { clusterFactsFromPlan, PlannedClusterFacts, planFactsSource } from "../../gitops-checks/plan-facts";
import { stacksOfEnvironment } from "../../cli/shared/plan-facts";
import { listStacks } from "../../cli/shared/stack-file";
import { repoPlan, snapshotOf } from "../support/repo-plans";

export const ROOT = REPOSITORY_ROOT;
export const FIXTURES = "test/gitops/fixtures";

export const builder = new KustomizeBuilder(ROOT);

/**
 * The folders of the clouds that need nothing of their own (GKE and AKS scale their pools
 * themselves, an adopted cluster keeps its own scaling): empty on purpose, because
 * infra-cloud-${cluster_cloud} applies ./infrastructure/cloud/<cloud> on every cluster.
 */
export const CLOUDS_WITH_NOTHING_OF_THEIR_OWN: readonly string[] = ["infrastructure/cloud/gcp", "infrastructure/cloud/azure", "infrastructure/cloud/existing"];

const rendered = new Map<Environment, RenderedEnvironment>();
const plans = new Map<string, unknown>();

/**
 * The offline plan snapshot of one of this repository's stacks: the shared plan of the mocha run
 * (test/support/repo-plans.ts), read once the `before` hook below has them all.
 */
export function planOf(stack: string): unknown {
    const plan = plans.get(stack);
    assert.ok(plan !== undefined, `no plan of stack ${stack} (is it one of this repository's stacks?)`);
    return plan;
}

/** The cluster facts of every cluster of `env`, from the offline plans of its stacks. */
export function factsOf(env: Environment): PlannedClusterFacts[] {
    const result = stacksOfEnvironment(ROOT, env).flatMap((stack) => clusterFactsFromPlan(planOf(stack), `the plan of stack ${stack}`));
    assert.ok(result.length > 0, `no stack of this repository has fluxpilot:environment ${env}`);
    return result;
}

export function rendering(env: Environment): RenderedEnvironment {
    let result = rendered.get(env);
    if (!result) {
        result = renderEnvironment(builder, env, { substitutionSources: [planFactsSource(factsOf(env)[0])] });
        rendered.set(env, result);
    }
    return result;
}

export function objectsOf(env: Environment): OwnedObject[] {
    return allObjects(rendering(env));
}

/** Fails with every problem, each naming its file and object. */
export function assertNoProblems(problems: readonly GitOpsProblem[]): void {
    if (problems.length > 0) assert.fail(formatGitOpsProblems(problems));
}

// Plan every stack once, before the first test that renders, under a timeout of its own: a plan
// per stack is a child process of tens of seconds on a loaded machine.
before(async function () {
    this.timeout(900_000);
    await Promise.all(listStacks(ROOT).map(async (stack) => plans.set(stack, snapshotOf(await repoPlan(stack)))));
});
