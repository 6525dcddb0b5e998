/**
 * Issue 11 item 19: how CI reaches private and allow-listed API servers (`fluxpilot:ci`).
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { deployRunsOn } from "../../stacks/ci";
import { parseStackModel } from "../../stacks/model";
import { readStackConfig } from "../../cli/shared/stack-file";
import { prodConfig } from "./hostile-configs";
import { builtCli } from "../support/built-cli";

const ROOT = path.join(__dirname, "..", "..");
const EGRESS = "198.51.100.16/28";

function eks(endpoint: Record<string, unknown>): Record<string, unknown> {
    return { name: "prod-eks", cloud: "aws", region: "eu-west-1", endpoint };
}

function config(cluster: Record<string, unknown>, ci?: Record<string, unknown>): Record<string, unknown> {
    return { ...prodConfig(), "fluxpilot:clusters": [cluster], ...(ci ? { "fluxpilot:ci": ci } : {}) };
}

const warningsOf = (c: Record<string, unknown>) => parseStackModel("prod", c).warnings.map(formatProblem);

function problemsOf(c: Record<string, unknown>): string[] {
    try {
        parseStackModel("prod", c);
    } catch (error) {
        assert.ok(isStackConfigError(error), String(error));
        return error.problems.map(formatProblem);
    }
    return assert.fail("expected the configuration to be refused");
}

const allowListed = eks({ publicAccess: true, allowedCidrs: ["203.0.113.0/24", EGRESS] });
const largerRunner = { runner: "larger-runner", runsOn: ["fluxpilot-deploy"], egressCidrs: [EGRESS] };

describe("how CI reaches the API servers (fluxpilot:ci)", () => {
    it("warns when an endpoint is allow-listed and nothing says how CI reaches it", () => {
        assert.deepStrictEqual(warningsOf(config(allowListed)), [
            "fluxpilot:ci: is not set, but cluster prod-eks has an API endpoint allow-listed to 203.0.113.0/24, 198.51.100.16/28, so nothing says how CI reaches it. Fix: set fluxpilot:ci.runner to self-hosted (a runner in the cluster's network) or larger-runner (static IPs in allowedCidrs); see docs/operations.md",
        ]);
    });

    it("warns when an endpoint is private and nothing says how CI reaches it", () => {
        assert.match(warningsOf(config(eks({ publicAccess: false, allowedCidrs: [] })))[0], /^fluxpilot:ci: is not set, but cluster prod-eks has a private API endpoint/);
    });

    it("warns that standard GitHub-hosted runners, which have no fixed addresses, cannot reach an allow-listed endpoint", () => {
        assert.match(warningsOf(config(allowListed, { runner: "github-hosted" }))[0], /^fluxpilot:ci.runner: cannot reach cluster prod-eks, .*no fixed addresses/);
    });

    it("warns when the larger runner's static egress is missing from an endpoint's allow-list", () => {
        const narrow = eks({ publicAccess: true, allowedCidrs: ["203.0.113.0/24"] });
        assert.deepStrictEqual(warningsOf(config(narrow, largerRunner)), [
            'fluxpilot:clusters[0].endpoint.allowedCidrs: leaves out the deploy runner\'s egress 198.51.100.16/28 (fluxpilot:ci.egressCidrs) (given: ["203.0.113.0/24"]). Fix: add 198.51.100.16/28 to fluxpilot:clusters[0].endpoint.allowedCidrs',
        ]);
    });

    it("warns when a larger runner, which comes from the internet, is to reach a private endpoint", () => {
        assert.match(
            warningsOf(config(eks({ publicAccess: false, allowedCidrs: [] }), largerRunner))[0],
            /reaches cluster prod-eks from the internet, but its API endpoint is private/,
        );
    });

    it("is quiet when the way is stated and fits: a self-hosted runner for a private endpoint, a larger runner in the allow-list", () => {
        assert.deepStrictEqual(warningsOf(config(eks({ publicAccess: false, allowedCidrs: [] }), { runner: "self-hosted", runsOn: ["self-hosted", "linux"] })), []);
        assert.deepStrictEqual(warningsOf(config(allowListed, largerRunner)), []);
        assert.deepStrictEqual(warningsOf(config({ name: "prod-edge", cloud: "existing", context: "kind-fluxpilot" })), []);
    });

    it("refuses a runner kind without what it needs: a larger runner without static ranges, a self-hosted runner without labels", () => {
        assert.deepStrictEqual(problemsOf(config(allowListed, { runner: "larger-runner", runsOn: ["fluxpilot-deploy"] })), [
            "fluxpilot:ci.egressCidrs: is empty, but a larger runner is only useful for its static IP ranges. Fix: list the ranges GitHub shows under the runner's networking settings, and add them to each endpoint's allowedCidrs",
        ]);
        assert.deepStrictEqual(problemsOf(config(allowListed, { runner: "self-hosted" })), [
            "fluxpilot:ci.runsOn: is missing, so the deploy job cannot be sent to the self-hosted runner. Fix: list the runner's labels, e.g. runsOn: [self-hosted, linux, fluxpilot-prod]",
        ]);
        assert.match(
            problemsOf(config(allowListed, { runner: "vpn" }))[0],
            /^fluxpilot:ci.runner: is not a way for CI to reach the clusters .*use one of self-hosted, larger-runner, github-hosted/,
        );
    });

    it("the repository's staging and prod stacks say how CI reaches their allow-listed endpoints, so they raise no warning", () => {
        for (const stack of ["staging", "prod"]) {
            const { config: stackConfig } = readStackConfig(ROOT, stack);
            assert.deepStrictEqual(parseStackModel(stack, stackConfig).warnings.map(formatProblem), [], stack);
        }
    });

    it("gives the deploy job's runs-on from the stack file, standard runners when unset (npm run runner)", () => {
        assert.deepStrictEqual(deployRunsOn("dev", undefined, "fluxpilot:ci"), ["ubuntu-latest"]);
        assert.deepStrictEqual(deployRunsOn("prod", largerRunner, "fluxpilot:ci"), ["fluxpilot-deploy"]);
        assert.throws(() => deployRunsOn("prod", { runner: "self-hosted" }, "fluxpilot:ci"), /fluxpilot:ci.runsOn: is missing/);
        const cli = (stack: string) =>
            execFileSync(process.execPath, [builtCli("runner"), stack], {
                cwd: ROOT,
                encoding: "utf8",
            });
        assert.deepStrictEqual(JSON.parse(cli("prod")), ["fluxpilot-deploy"]);
        assert.deepStrictEqual(JSON.parse(cli("dev")), ["ubuntu-latest"]);
    });
});
