/**
 * Shared state for the GitOps tests: one kustomize builder per mocha run (each directory is
 * built once, whatever number of tests read it) and the rendered environments.
 */
import * as assert from "assert";
import { Environment } from "../../gitops-checks/environments";
import { KustomizeBuilder } from "../../gitops-checks/kustomize";
import { formatGitOpsProblems, GitOpsProblem } from "../../gitops-checks/problems";
import { allObjects, renderEnvironment, RenderedEnvironment } from "../../gitops-checks/render";
import { OwnedObject } from "../../gitops-checks/hygiene";
import { REPOSITORY_ROOT } from "../../core/repository";

export const ROOT = REPOSITORY_ROOT;
export const FIXTURES = "test/gitops/fixtures";

export const builder = new KustomizeBuilder(ROOT);

const rendered = new Map<Environment, RenderedEnvironment>();

export function rendering(env: Environment): RenderedEnvironment {
    let result = rendered.get(env);
    if (!result) {
        result = renderEnvironment(builder, env);
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
