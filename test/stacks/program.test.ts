import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { setStackConfig } from "../../mock-runtime/runtime";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { badConfigCases, localConfig } from "./bad-configs";
import { hostileConfigCases, PLANTED_TOKEN, prodConfig } from "./hostile-configs";
import { captured, clearRegisteredResources, isSecretOutput, valueOf } from "../support/harness";

const kubeconfig = `apiVersion: v1
kind: Config
current-context: kind-fluxpilot
contexts:
  - name: kind-fluxpilot
    context: { cluster: kind-fluxpilot, user: kind-fluxpilot }
  - name: other
    context: { cluster: other, user: other }
clusters:
  - name: kind-fluxpilot
    cluster: { server: "https://127.0.0.1:6443" }
  - name: other
    cluster: { server: "https://other.example.com" }
users:
  - name: kind-fluxpilot
    user: { token: local-token }
  - name: other
    user: { token: other-token }
`;

/**
 * Loads index.ts afresh with the given stack config, as `pulumi up` would. The config is read and
 * checked as the module loads, so a bad one throws here; the module exports the function Pulumi runs.
 */
function loadProgram(config: Record<string, unknown>): () => Promise<Record<string, any>> {
    setStackConfig(config);
    clearRegisteredResources();
    delete require.cache[require.resolve("../../index")];
    return require("../../index");
}

/** Loads and runs the program; resolves to its stack outputs. */
function runProgram(config: Record<string, unknown>): Promise<Record<string, any>> {
    return loadProgram(config)();
}

describe("program entry (index.ts)", () => {
    describe("registers no resource when the config is invalid", () => {
        for (const [title, mutate, expected] of badConfigCases) {
            it(title, async () => {
                const config = localConfig();
                mutate(config);
                assert.throws(
                    () => loadProgram(config),
                    (error: unknown) => isStackConfigError(error) && error.problems.map(formatProblem).includes(expected),
                );
                assert.deepStrictEqual(await captured(), []);
            });
        }
    });

    describe("registers nothing for a stack file that would weaken prod or inject into the cluster", () => {
        for (const [title, mutate, expected] of hostileConfigCases) {
            it(title, async () => {
                const config = prodConfig();
                mutate(config);
                let message = "";
                assert.throws(
                    () => loadProgram(config),
                    (error: unknown) => {
                        message = (error as Error).message;
                        return isStackConfigError(error) && error.problems.map(formatProblem).includes(expected);
                    },
                );
                assert.deepStrictEqual(await captured(), []);
                assert.ok(!message.includes(PLANTED_TOKEN), "a credential reached the error message");
            });
        }
    });

    it("composes an adopted cluster for a valid local stack and exports its outputs", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-"));
        const file = path.join(dir, "config");
        fs.writeFileSync(file, kubeconfig);
        const program = await runProgram({
            "fluxpilot:environment": "local",
            "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot" },
            "fluxpilot:clusters": [{ name: "laptop", cloud: "existing", kubeconfig: file, context: "kind-fluxpilot" }],
            "fluxpilot:apps": ["sample-app"],
        });
        const outputs = program.clusters.laptop;
        assert.strictEqual(await valueOf(outputs.endpoint), "https://127.0.0.1:6443");
        assert.strictEqual(outputs.gitPath, "clusters/local");
        assert.ok(await isSecretOutput(outputs.kubeconfig), "kubeconfig must be a secret output");
        assert.doesNotMatch(await valueOf(outputs.kubeconfig), /other-token/, "only the chosen context leaves the file");
        // Server and context only: the adopted cluster's own credential stays in the file too.
        assert.doesNotMatch(await valueOf(outputs.kubeconfig), /local-token/, "no credential in the outputs");
        const types = (await captured()).map((r) => r.type);
        assert.ok(types.includes("fluxpilot:clusters:ExistingCluster"));
        assert.ok(types.includes("pulumi:providers:kubernetes"));
        // Flux is installed into the adopted cluster and syncs this environment's entry point.
        assert.ok(types.includes("fluxpilot:flux:Flux"));
        assert.strictEqual(await valueOf(outputs.flux.path), "clusters/local");
    });

    it("knows which keys the stack file marked secure (the runtime's isConfigSecret) and keeps their values out of messages", () => {
        const config = localConfig();
        config["fluxpilot:clusters"] = [{ name: "laptop", cloud: "existing", context: "kind-fluxpilot", region: 7 }];
        setStackConfig(config, ["fluxpilot:clusters"]);
        assert.strictEqual(pulumi.runtime.isConfigSecret("fluxpilot:clusters"), true);
        assert.strictEqual(pulumi.runtime.isConfigSecret("fluxpilot:apps"), false);
        clearRegisteredResources();
        delete require.cache[require.resolve("../../index")];
        assert.throws(
            () => require("../../index"),
            (error: unknown) => isStackConfigError(error) && error.problems.some((p) => p.key.startsWith("fluxpilot:clusters[0]") && "value" in p && p.value === "[secret]"),
        );
    });
});
