import * as assert from "assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ExitCode, firstErrorLine, FluxpilotError, mapPulumiError, parseConfigErrorText } from "../../cli/fluxpilot/errors";
import { EventLog } from "../../cli/fluxpilot/events";
import { StackConfigError } from "../../core/problems";
import { automationError, errorDiagnostic, failedEvent, urn } from "./fake-gateway";

const context = { stack: "dev", operation: "up", backend: "file:///repo/.pulumi-state" };

function logOf(...events: Partial<EngineEvent>[]): EventLog {
    const log = new EventLog();
    events.forEach((event, sequence) => log.record({ sequence, timestamp: 0, ...event }));
    return log;
}

const configErrorOutput = [
    "Updating (dev):",
    "    pulumi:pulumi:Stack fluxpilot-dev running error: Running program '/repo' failed with an unhandled exception:",
    '    StackConfigError: Stack "dev" configuration has 2 problems; nothing was created:',
    '      - fluxpilot:clusters[0].cloud: is not a supported cloud (given: "ibm"). Fix: use one of aws, gcp, azure, existing',
    "      - fluxpilot:gitops.repository: is missing. Fix: set the Git URL Flux syncs",
    "        at parseStackModel (/repo/stacks/model.ts:98:15)",
].join("\n");

describe("fluxpilot error mapping", () => {
    it("stack not found, from the Automation API's StackNotFoundError", () => {
        const error = mapPulumiError(automationError("error: no stack named 'dev' found"), context);
        assert.strictEqual(error.code, "stack-not-found");
        assert.strictEqual(error.message, 'Stack "dev" does not exist in backend file:///repo/.pulumi-state: create it by adding --create, or with `pulumi stack init dev`.');
        assert.strictEqual(error.exitCode, ExitCode.failed);
    });

    it("another update in progress, on Pulumi Cloud and on a file backend", () => {
        for (const stderr of [
            "error: [409] Conflict: Another update is currently in progress.",
            "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file",
        ]) {
            const error = mapPulumiError(automationError(stderr), context);
            assert.strictEqual(error.code, "concurrent-update", stderr);
            assert.match(error.message, /^Another update is in progress on stack "dev": wait for it to finish and retry/);
            assert.strictEqual(error.exitCode, ExitCode.busy);
        }
    });

    it("a missing CLI (execa's ENOENT as the Automation API wraps it)", () => {
        const error = mapPulumiError(automationError("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT", "", -2), context);
        assert.strictEqual(error.code, "pulumi-cli-missing");
        assert.match(error.message, /curl -fsSL https:\/\/get\.pulumi\.com \| sh/);
        assert.strictEqual(error.exitCode, ExitCode.setup);
    });

    it("passphrase missing, passphrase wrong, not logged in", () => {
        const cases: [string, string][] = [
            ["error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables", "passphrase-missing"],
            [
                'error: constructing secrets manager of type "passphrase": incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the correct passphrase',
                "passphrase-incorrect",
            ],
            ["error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions", "not-logged-in"],
        ];
        for (const [stderr, code] of cases) {
            const error = mapPulumiError(automationError(stderr), context);
            assert.strictEqual(error.code, code, stderr);
            assert.strictEqual(error.exitCode, ExitCode.setup);
            assert.ok(!error.message.includes("\n"), "one line");
        }
    });

    it("invalid stack config thrown by the stack model keeps its problems", () => {
        const error = mapPulumiError(new StackConfigError("dev", [{ key: "fluxpilot:environment", value: "qa", message: "is not an environment", fix: "use dev" }]), context);
        assert.strictEqual(error.code, "invalid-config");
        assert.strictEqual(error.message, 'Stack "dev" configuration has 1 problem; nothing was created.');
        assert.deepStrictEqual(error.details, ['fluxpilot:environment: is not an environment (given: "qa"). Fix: use dev']);
    });

    it("invalid stack config reported by the program during up, from the engine output", () => {
        const fromText = mapPulumiError(automationError("error: update failed", configErrorOutput), context);
        const fromEvents = mapPulumiError(automationError("error: update failed"), {
            ...context,
            log: logOf(errorDiagnostic(urn("dev", "pulumi:pulumi:Stack", "fluxpilot-dev"), configErrorOutput)),
        });
        for (const error of [fromText, fromEvents]) {
            assert.strictEqual(error.code, "invalid-config");
            assert.strictEqual(error.message, 'Stack "dev" configuration has 2 problems; nothing was created.');
            assert.deepStrictEqual(error.details, [
                'fluxpilot:clusters[0].cloud: is not a supported cloud (given: "ibm"). Fix: use one of aws, gcp, azure, existing',
                "fluxpilot:gitops.repository: is missing. Fix: set the Git URL Flux syncs",
            ]);
        }
        assert.strictEqual(parseConfigErrorText("error: something else"), undefined);
    });

    it("a cloud error during up names the stack and the resource", () => {
        const cluster = urn("dev", "aws:eks/cluster:Cluster", "dev-eks", "fluxpilot:clusters:Eks");
        const role = urn("dev", "aws:iam/role:Role", "dev-eks-role");
        const log = logOf(
            failedEvent(cluster),
            errorDiagnostic(
                cluster,
                "error: creating EKS Cluster (dev-eks): operation error EKS: CreateCluster, https response error StatusCode: 400, InvalidParameterException: unsupported Kubernetes version 1.20\n",
            ),
            errorDiagnostic(role, "error: AccessDenied: not authorized to perform iam:CreateRole"),
            errorDiagnostic(urn("dev", "pulumi:pulumi:Stack", "fluxpilot-dev"), "error: update failed"),
        );
        const error = mapPulumiError(automationError("error: update failed"), { ...context, log });
        assert.strictEqual(error.code, "resource-failed");
        assert.strictEqual(
            error.message,
            'up failed on stack "dev" at aws:eks/cluster:Cluster "dev-eks": creating EKS Cluster (dev-eks): operation error EKS: CreateCluster, https response error StatusCode: 400, InvalidParameterException: unsupported Kubernetes version 1.20 (and 1 more)',
        );
        assert.strictEqual(error.resource, cluster);
        assert.deepStrictEqual(error.details, [cluster, `aws:iam/role:Role "dev-eks-role": AccessDenied: not authorized to perform iam:CreateRole [${role}]`]);
    });

    it("anything else: the most specific error line, not the CLI's generic ones", () => {
        const error = mapPulumiError(automationError("error: update failed\nerror: could not load plugin for aws provider 'default': no resource plugin 'aws-v7.48.0' found"), {
            ...context,
            operation: "preview",
        });
        assert.strictEqual(error.code, "command-failed");
        assert.strictEqual(error.message, `preview failed on stack "dev": could not load plugin for aws provider 'default': no resource plugin 'aws-v7.48.0' found`);
        assert.strictEqual(firstErrorLine("\n\n  plain failure\nmore"), "plain failure");
        const noStack = mapPulumiError(automationError("error: permission denied"), { stack: "", operation: "pulumi version", backend: "" });
        assert.strictEqual(noStack.message, "pulumi version failed: permission denied");
    });

    it("leaves FluxPilot's own errors as they are", () => {
        const own = new FluxpilotError("usage", "bad");
        assert.strictEqual(mapPulumiError(own, context), own);
        assert.strictEqual(own.exitCode, ExitCode.usage);
    });
});
