/**
 * Shared by the stack-model tests: the fixture checkout they validate paths against, the clouds
 * the registry knows (as the model lists them in its fixes), and every problem of a config, whole.
 */
import * as assert from "assert";
import * as path from "path";
import { clusterProviders } from "../../components/clusters/registry";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { parseStackModel } from "../../stacks/model";

export const repoRoot = path.join(__dirname, "fixtures", "repo");

export const CLOUDS = clusterProviders()
    .map((p) => p.cloud)
    .join(", ");

/** Every problem the model reports for `config`, formatted; fails the test when it is accepted. */
export function problemsOf(config: Record<string, unknown>, secretKeys: string[] = []): string[] {
    try {
        parseStackModel("test", config, { repoRoot, secretKeys });
    } catch (error) {
        assert.ok(isStackConfigError(error), `expected a StackConfigError, got ${String(error)}`);
        return error.problems.map(formatProblem);
    }
    return assert.fail("expected the configuration to be rejected");
}
