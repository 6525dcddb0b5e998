/**
 * Shared state for the GitOps tests: one kustomize builder per mocha run (each directory is
 * built once, whatever number of tests read it) and the rendered environments.
 */
import * as assert from "assert";
import * as path from "path";
import { Environment } from "../../scripts/gitops/environments";
import { KustomizeBuilder } from "../../scripts/gitops/kustomize";
import { formatGitOpsProblems, GitOpsProblem } from "../../scripts/gitops/problems";
import { allObjects, renderEnvironment, RenderedEnvironment } from "../../scripts/gitops/render";
import { OwnedObject } from "../../scripts/gitops/hygiene";

export const ROOT = path.resolve(__dirname, "..", "..");
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
