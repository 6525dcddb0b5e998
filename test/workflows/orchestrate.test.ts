import * as assert from "assert";
import { CommandLine, parseCommandLine } from "../../cli/fluxpilot/args";
import { BackendChoice } from "../../cli/fluxpilot/backend";
import { StackValidator } from "../../cli/fluxpilot/gateway";
import { CancelReason, run, RunReport } from "../../cli/fluxpilot/orchestrate";
import { ConfigProblem, StackConfigError } from "../../core/problems";
import { automationError, errorDiagnostic, failedEvent, FakeClock, FakeGateway, stepEvent, StackScript, urn } from "./fake-gateway";

const backend: BackendChoice = { url: "file:///repo/.pulumi-state", source: "--local-backend" };

function command(...argv: string[]): CommandLine {
    const parsed = parseCommandLine(argv);
    if (!("subcommand" in parsed)) throw new Error("expected a command");
    return parsed;
}

class RecordingValidator implements StackValidator {
    readonly validated: string[] = [];
    constructor(private readonly problems: Record<string, ConfigProblem[]> = {}) {}
    async validate(stack: string): Promise<void> {
        this.validated.push(stack);
        const problems = this.problems[stack];
        if (problems) throw new StackConfigError(stack, problems);
    }
}

interface Harness {
    gateway: FakeGateway;
    validator: RecordingValidator;
    progress: string[];
    report: RunReport;
}

/** Starts a run against a fake gateway; the gateway is at hand while the run goes on (to cancel it at the right moment). */
function start(
    cmd: CommandLine,
    stacks: string[],
    scripts: Record<string, StackScript>,
    options: { problems?: Record<string, ConfigProblem[]>; cliError?: Error; cancel?: AbortSignal } = {},
): { gateway: FakeGateway; done: Promise<Harness>; hanging: (...operations: [stack: string, method: string][]) => Promise<void> } {
    const clock = new FakeClock();
    const gateway = new FakeGateway(scripts, clock, { error: options.cliError });
    const validator = new RecordingValidator(options.problems);
    const progress: string[] = [];
    const report = run(cmd, stacks, {
        gateway,
        validator,
        progress: {
            output: (stack, text) => progress.push(`${stack}> ${text}`),
            errorOutput: (stack, text) => progress.push(`${stack}!> ${text}`),
            status: (stack, text) => progress.push(`${stack}: ${text}`),
        },
        backend,
        now: clock.now,
        color: "never",
        cancel: options.cancel,
    });
    const done = report.then((r) => ({ gateway, validator, progress, report: r }));
    // Each named operation hanging with its abort listener in place (FakeGateway.hanging); a run
    // that ends before they all started fails here instead of leaving the test to time out.
    const hanging = (...operations: [stack: string, method: string][]) =>
        Promise.race([
            Promise.all(operations.map(([stack, method]) => gateway.hanging(stack, method))).then(() => undefined),
            done.then((h) => assert.fail(`the run ended before ${operations.map(([s, m]) => `${m} ${s}`).join(", ")} started: ${h.gateway.sequence().join(", ")}`)),
        ]);
    return { gateway, done, hanging };
}

function execute(...args: Parameters<typeof start>): Promise<Harness> {
    return start(...args).done;
}

const clean = { changes: { same: 12 } };
const drifted = {
    changes: { same: 10, update: 1, delete: 1 },
    events: [
        stepEvent("same", urn("dev", "kubernetes:core/v1:Namespace", "flux-system")),
        stepEvent("update", urn("dev", "aws:eks/cluster:Cluster", "dev-eks", "fluxpilot:clusters:Eks"), ["tags"]),
        stepEvent("delete", urn("dev", "aws:ec2/securityGroup:SecurityGroup", "dev-extra")),
    ],
};

describe("fluxpilot orchestration", () => {
    describe("single operations", () => {
        it("previews each named stack in order, mapping options and streaming engine output", async () => {
            const { gateway, progress, report } = await execute(
                command("preview", "dev", "staging", "--refresh", "--diff", "--parallel", "4", "--target", "urn:a", "-m", "why"),
                ["dev", "staging"],
                {
                    dev: { preview: { changes: { create: 2, same: 3 }, output: ["Previewing update (dev)\nres", "ources: 2 to create\n"] } },
                    staging: { preview: { changes: { same: 5 } } },
                },
            );
            assert.deepStrictEqual(gateway.sequence(), ["cliVersion", "openStack dev", "preview dev", "openStack staging", "preview staging"]);
            assert.deepStrictEqual(gateway.calls[2].options, {
                color: "never",
                parallel: 4,
                message: "why",
                target: ["urn:a"],
                refresh: true,
                diff: true,
            });
            assert.deepStrictEqual(gateway.calls[2].callbacks, ["onOutput", "onError", "onEvent"]);
            assert.deepStrictEqual(gateway.calls[1].options, { create: false });
            assert.deepStrictEqual(progress.slice(0, 3), ["dev: preview started", "dev> Previewing update (dev)\nres", "dev> ources: 2 to create\n"]);
            assert.strictEqual(report.exitCode, 0);
            assert.strictEqual(report.ok, true);
            assert.strictEqual(report.cliVersion, "3.200.0");
            assert.deepStrictEqual(report.results[0].changes, { created: 2, updated: 0, replaced: 0, deleted: 0, unchanged: 3 });
        });

        it("reports up with counts, duration and outputs, hiding secret values", async () => {
            const { report, gateway } = await execute(command("up", "dev", "--create"), ["dev"], {
                dev: {
                    up: {
                        takesMs: 83_000,
                        changes: { create: 3, update: 1, replace: 1, delete: 2, same: 9 },
                        outputs: {
                            environment: { value: "dev", secret: false },
                            clusters: { value: [{ name: "dev-eks", kubeconfig: "apiVersion: v1 ... token" }], secret: true },
                        },
                    },
                },
            });
            assert.deepStrictEqual(gateway.calls[1].options, { create: true });
            assert.deepStrictEqual(report.results, [
                {
                    stack: "dev",
                    operation: "up",
                    status: "succeeded",
                    durationMs: 83_000,
                    changes: { created: 3, updated: 1, replaced: 1, deleted: 2, unchanged: 9 },
                    outputs: { clusters: { secret: true, value: "[secret]" }, environment: { secret: false, value: "dev" } },
                },
            ]);
            assert.ok(!JSON.stringify(report).includes("token"));
        });

        it("passes --expect-no-changes and maps refresh, destroy and outputs to their own calls", async () => {
            const { gateway } = await execute(command("refresh", "prod", "--expect-no-changes"), ["prod"], { prod: { refresh: clean } });
            assert.deepStrictEqual(gateway.calls[2], {
                method: "refresh",
                stack: "prod",
                options: { color: "never", expectNoChanges: true },
                callbacks: ["onOutput", "onError", "onEvent"],
            });
            const destroyed = await execute(command("destroy", "dev", "--yes"), ["dev"], { dev: { destroy: { changes: { delete: 7 } } } });
            assert.deepStrictEqual(destroyed.gateway.sequence(), ["cliVersion", "openStack dev", "destroy dev"]);
            assert.strictEqual(destroyed.report.results[0].changes?.deleted, 7);
            const outputs = await execute(command("outputs", "dev"), ["dev"], { dev: { outputs: { a: { value: 1, secret: false } } } });
            assert.deepStrictEqual(outputs.gateway.sequence(), ["cliVersion", "openStack dev", "outputs dev"]);
            assert.deepStrictEqual(outputs.report.results[0].outputs, { a: { secret: false, value: 1 } });
        });

        it("stops a multi-stack up at the first failure and skips the rest", async () => {
            const { gateway, report } = await execute(command("up", "dev", "staging", "prod"), ["dev", "staging", "prod"], {
                dev: { up: clean },
                staging: { up: { error: automationError("error: update failed") } },
            });
            assert.deepStrictEqual(gateway.sequence(), ["cliVersion", "openStack dev", "up dev", "openStack staging", "up staging"]);
            assert.deepStrictEqual(
                report.results.map((r) => [r.stack, r.status, r.reason]),
                [
                    ["dev", "succeeded", undefined],
                    ["staging", "failed", undefined],
                    ["prod", "skipped", "not run: staging up failed"],
                ],
            );
            assert.strictEqual(report.exitCode, 1);
        });

        it("keeps previewing the other stacks when one preview fails", async () => {
            const { gateway, report } = await execute(command("preview", "dev", "staging"), ["dev", "staging"], {
                dev: { openError: automationError("error: no stack named 'dev' found") },
                staging: { preview: clean },
            });
            assert.deepStrictEqual(gateway.sequence(), ["cliVersion", "openStack dev", "openStack staging", "preview staging"]);
            assert.strictEqual(report.results[0].error?.code, "stack-not-found");
            assert.strictEqual(report.results[1].status, "succeeded");
            assert.strictEqual(report.exitCode, 1);
        });
    });

    describe("--concurrency (issue 16 item 5)", () => {
        const four = ["dev", "staging", "prod", "local"];
        const scripts = {
            dev: { preview: clean, refresh: clean },
            staging: { preview: drifted, refresh: clean },
            prod: { preview: clean, refresh: clean },
            local: { preview: clean, refresh: clean },
        };

        it("previews, refreshes and checks drift of up to N stacks at once; results stay in the order named", async () => {
            for (const operation of ["preview", "refresh", "drift"]) {
                const { gateway, report } = await execute(command(operation, ...four, "--concurrency", "2"), four, scripts);
                assert.strictEqual(gateway.maxInFlight, 2, `${operation} ran ${gateway.maxInFlight} stacks at once`);
                assert.deepStrictEqual(
                    report.results.map((r) => r.stack),
                    four,
                );
            }
        });

        it("runs one stack at a time without it", async () => {
            const { gateway } = await execute(command("preview", ...four), four, scripts);
            assert.strictEqual(gateway.maxInFlight, 1);
        });

        it("is refused for up, destroy and promote, and must be a whole number of at least 1", () => {
            for (const argv of [["up", "dev"], ["destroy", "dev", "--yes"], ["promote"]]) {
                assert.throws(() => parseCommandLine([...argv, "--concurrency", "2"]), /--concurrency cannot be used with/);
            }
            for (const bad of ["0", "1.5", "two"]) {
                assert.throws(
                    () => parseCommandLine(["preview", "dev", "--concurrency", bad]),
                    new RegExp(`--concurrency must be a whole number of at least 1 \\(given: "${bad}"\\)`),
                );
            }
        });

        it("a cancelled run starts no further stack", async () => {
            const controller = new AbortController();
            const hanging = { preview: { hangs: "until-cancelled" as const } };
            const running = start(
                command("preview", ...four, "--concurrency", "2"),
                four,
                { dev: hanging, staging: hanging, prod: { preview: clean }, local: { preview: clean } },
                { cancel: controller.signal },
            );
            await running.hanging(["dev", "preview"], ["staging", "preview"]);
            controller.abort(new CancelReason("SIGINT"));
            const { gateway, report } = await running.done;
            assert.deepStrictEqual(
                report.results.map((r) => r.status),
                ["cancelled", "cancelled", "skipped", "skipped"],
            );
            assert.ok(!gateway.sequence().includes("preview prod"), gateway.sequence().join(", "));
        });
    });

    describe("pre-flight", () => {
        it("validates every stack before calling Pulumi and runs nothing when one is invalid", async () => {
            const problem: ConfigProblem = { key: "fluxpilot:environment", value: "qa", message: "is not an environment", fix: "use dev" };
            const { gateway, validator, report } = await execute(command("promote"), ["dev", "staging", "prod"], {}, { problems: { staging: [problem] } });
            assert.deepStrictEqual(validator.validated, ["dev", "staging", "prod"]);
            assert.deepStrictEqual(gateway.sequence(), ["cliVersion"]);
            assert.deepStrictEqual(
                report.results.map((r) => [r.stack, r.status]),
                [
                    ["dev", "skipped"],
                    ["staging", "failed"],
                    ["prod", "skipped"],
                ],
            );
            assert.deepStrictEqual(report.results[1].error, {
                code: "invalid-config",
                message: 'Stack "staging" configuration has 1 problem; nothing was created.',
                details: ['fluxpilot:environment: is not an environment (given: "qa"). Fix: use dev'],
            });
            assert.strictEqual(report.exitCode, 1);
        });

        it("stops before anything else when the Pulumi CLI is missing", async () => {
            const missing = automationError("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT", "", -2);
            const { gateway, validator, report } = await execute(command("up", "dev"), ["dev"], {}, { cliError: missing });
            assert.deepStrictEqual(gateway.sequence(), ["cliVersion"]);
            assert.deepStrictEqual(validator.validated, []);
            assert.strictEqual(report.error?.code, "pulumi-cli-missing");
            assert.strictEqual(report.exitCode, 4);
            assert.deepStrictEqual(report.results, []);
        });
    });

    describe("drift", () => {
        it("runs a refreshing preview and lists what differs", async () => {
            const { gateway, report } = await execute(command("drift", "dev", "prod"), ["dev", "prod"], {
                dev: { preview: drifted },
                prod: { preview: clean },
            });
            assert.deepStrictEqual(gateway.calls[2].options, { color: "never", refresh: true });
            assert.strictEqual(report.results[0].status, "drifted");
            assert.deepStrictEqual(report.results[0].drift, [
                {
                    urn: urn("dev", "aws:eks/cluster:Cluster", "dev-eks", "fluxpilot:clusters:Eks"),
                    type: "aws:eks/cluster:Cluster",
                    name: "dev-eks",
                    op: "update",
                    diffs: ["tags"],
                },
                { urn: urn("dev", "aws:ec2/securityGroup:SecurityGroup", "dev-extra"), type: "aws:ec2/securityGroup:SecurityGroup", name: "dev-extra", op: "delete", diffs: [] },
            ]);
            assert.strictEqual(report.results[1].status, "succeeded");
            assert.deepStrictEqual(report.results[1].drift, []);
            assert.strictEqual(report.exitCode, 3);
        });

        it("compares only state and cloud with --refresh-only", async () => {
            const { gateway, report } = await execute(command("drift", "staging", "--refresh-only"), ["staging"], { staging: { previewRefresh: clean } });
            assert.deepStrictEqual(gateway.sequence(), ["cliVersion", "openStack staging", "previewRefresh staging"]);
            assert.deepStrictEqual(gateway.calls[2].options, { color: "never" });
            assert.strictEqual(report.exitCode, 0);
        });

        it("reports a failure, not drift, when the preview itself fails", async () => {
            const { report } = await execute(command("drift", "dev"), ["dev"], {
                dev: { preview: { error: automationError("error: [409] Conflict: Another update is currently in progress.") } },
            });
            assert.strictEqual(report.results[0].status, "failed");
            assert.strictEqual(report.results[0].error?.code, "concurrent-update");
            assert.strictEqual(report.exitCode, 5);
        });
    });

    describe("promote", () => {
        const stages = ["dev", "staging", "prod"];

        it("runs up then a drift check on dev, staging and prod, in that order", async () => {
            const scripts = Object.fromEntries(stages.map((s) => [s, { up: clean, preview: clean }]));
            const { gateway, report } = await execute(command("promote", "-m", "release 42"), stages, scripts);
            assert.deepStrictEqual(gateway.sequence(), [
                "cliVersion",
                "openStack dev",
                "up dev",
                "preview dev",
                "openStack staging",
                "up staging",
                "preview staging",
                "openStack prod",
                "up prod",
                "preview prod",
            ]);
            assert.deepStrictEqual(gateway.calls[2].options, { color: "never", message: "release 42" });
            assert.deepStrictEqual(gateway.calls[3].options, { color: "never", refresh: true });
            assert.deepStrictEqual(
                report.results.map((r) => `${r.stack} ${r.operation} ${r.status}`),
                ["dev up succeeded", "dev drift succeeded", "staging up succeeded", "staging drift succeeded", "prod up succeeded", "prod drift succeeded"],
            );
            assert.strictEqual(report.exitCode, 0);
        });

        it("stops at the first failed stage and never touches the later ones", async () => {
            const failure = automationError("error: update failed");
            const { gateway, report } = await execute(command("promote"), stages, {
                dev: { up: clean, preview: clean },
                staging: {
                    up: {
                        error: failure,
                        events: [
                            failedEvent(urn("staging", "gcp:container/cluster:Cluster", "staging-gke")),
                            errorDiagnostic(urn("staging", "gcp:container/cluster:Cluster", "staging-gke"), "error: googleapi: Error 403: Permission denied\n"),
                        ],
                    },
                },
            });
            assert.ok(!gateway.sequence().some((c) => c.endsWith("prod")));
            assert.ok(!gateway.sequence().includes("preview staging"));
            assert.deepStrictEqual(
                report.results.map((r) => `${r.stack} ${r.operation} ${r.status}`),
                ["dev up succeeded", "dev drift succeeded", "staging up failed", "prod up skipped"],
            );
            assert.strictEqual(report.results[2].error?.code, "resource-failed");
            assert.strictEqual(
                report.results[2].error?.message,
                'up failed on stack "staging" at gcp:container/cluster:Cluster "staging-gke": googleapi: Error 403: Permission denied',
            );
            assert.strictEqual(report.results[3].reason, "staging up failed");
            assert.strictEqual(report.exitCode, 1);
        });

        it("stops when a stage shows drift after its update", async () => {
            const { gateway, report } = await execute(command("promote"), stages, { dev: { up: clean, preview: drifted } });
            assert.deepStrictEqual(gateway.sequence(), ["cliVersion", "openStack dev", "up dev", "preview dev"]);
            assert.deepStrictEqual(
                report.results.map((r) => `${r.stack} ${r.operation} ${r.status}`),
                ["dev up succeeded", "dev drift drifted", "staging up skipped", "prod up skipped"],
            );
            assert.strictEqual(report.results[2].reason, "dev shows drift");
            assert.strictEqual(report.exitCode, 3);
        });

        it("with --from staging checks dev for drift first, and --to stops the range", async () => {
            const { gateway, report } = await execute(command("promote", "--from", "staging", "--to", "staging"), ["dev", "staging"], {
                dev: { preview: clean },
                staging: { up: clean, preview: clean },
            });
            assert.deepStrictEqual(gateway.sequence(), ["cliVersion", "openStack dev", "preview dev", "openStack staging", "up staging", "preview staging"]);
            assert.strictEqual(report.exitCode, 0);
        });

        it("with --from prod does not update prod when staging has drifted", async () => {
            const { gateway, report } = await execute(command("promote", "--from", "prod"), ["staging", "prod"], { staging: { preview: drifted } });
            assert.deepStrictEqual(gateway.sequence(), ["cliVersion", "openStack staging", "preview staging"]);
            assert.deepStrictEqual(
                report.results.map((r) => `${r.stack} ${r.operation} ${r.status}`),
                ["staging drift drifted", "prod up skipped"],
            );
        });
    });
});

describe("fluxpilot orchestration under interruption, time limits and missing summaries (issue #14)", () => {
    it("a drift check whose engine run ends without its summary event fails instead of reporting no drift (item 2)", async () => {
        const { report } = await execute(command("drift", "dev"), ["dev"], { dev: { preview: { noSummary: true } } });
        assert.strictEqual(report.exitCode, 1);
        assert.strictEqual(report.results[0].status, "failed");
        assert.strictEqual(report.results[0].error?.code, "no-summary");
        assert.match(report.results[0].error.message, /^drift of stack "dev" ended without Pulumi's summary event, so its result is unknown/);
    });

    it("an up whose stack history is empty reports the engine's summary instead of crashing (item 3)", async () => {
        const { report } = await execute(command("up", "dev"), ["dev"], { dev: { up: { changes: { create: 2 } } } });
        assert.strictEqual(report.results[0].status, "succeeded");
        assert.strictEqual(report.results[0].changes?.created, 2);
        // Neither the summary event nor a history entry: still a success, with no counts to show.
        const bare = await execute(command("up", "dev"), ["dev"], { dev: { up: { noSummary: true } } });
        assert.strictEqual(bare.report.results[0].status, "succeeded");
    });

    it("a signal aborts the running operation once, skips the rest and reports each stack's state (item 1)", async () => {
        const cancel = new AbortController();
        const scripts: Record<string, StackScript> = { dev: { up: { hangs: "until-cancelled" } }, staging: { up: {} } };
        const running = start(command("up", "dev", "staging", "--cancel-wait", "60s"), ["dev", "staging"], scripts, { cancel: cancel.signal });
        await running.hanging(["dev", "up"]);
        cancel.abort(new CancelReason("SIGINT"));
        const { report, gateway } = await running.done;
        assert.strictEqual(report.exitCode, 130);
        assert.strictEqual(report.ok, false);
        assert.deepStrictEqual(report.cancelled, { signal: "SIGINT", pulumiStopped: true });
        assert.deepStrictEqual(
            report.results.map((r) => [r.stack, r.status]),
            [
                ["dev", "cancelled"],
                ["staging", "skipped"],
            ],
        );
        assert.strictEqual(report.results[0].interrupted?.lock, "released");
        assert.match(
            report.results[0].error!.message,
            /^up of stack "dev" was cancelled by SIGINT\. Pulumi stopped and released the stack's lock; .*npm run fluxpilot -- refresh dev/,
        );
        assert.strictEqual(report.results[1].reason, "not run: dev up was cancelled");
        assert.deepStrictEqual(
            gateway.sequence().filter((c) => c.startsWith("up")),
            ["up dev", "up waits dev", "up interrupted dev"],
        );
    });

    it("a signal that lands after the operation was called but before it listens still interrupts it, once", async () => {
        const cancel = new AbortController();
        const running = start(command("up", "dev", "--cancel-wait", "1s"), ["dev"], { dev: { up: { hangs: "until-cancelled" } } }, { cancel: cancel.signal });
        // The Automation API listens for the abort only once `pulumi` runs; cancel before that.
        await running.gateway.invoked("dev", "up");
        cancel.abort(new CancelReason("SIGTERM"));
        const { report, gateway } = await running.done;
        assert.deepStrictEqual(report.cancelled, { signal: "SIGTERM", pulumiStopped: true });
        assert.strictEqual(report.results[0].status, "cancelled");
        assert.deepStrictEqual(
            gateway.sequence().filter((c) => c.startsWith("up")),
            ["up dev", "up waits dev", "up interrupted dev"],
        );
    });

    it("when Pulumi got the terminal's Ctrl-C itself, no second interrupt is sent, and the wait is bounded (item 1)", async () => {
        const cancel = new AbortController();
        const running = start(command("up", "dev", "--cancel-wait", "1s"), ["dev"], { dev: { up: { hangs: "until-cancelled" } } }, { cancel: cancel.signal });
        await running.hanging(["dev", "up"]);
        cancel.abort(new CancelReason("SIGINT", true));
        const { report, gateway } = await running.done;
        // The operation's own signal never fired (that is what would send Pulumi a SIGINT) ...
        assert.ok(!gateway.sequence().includes("up interrupted dev"));
        // ... and after --cancel-wait the run reports the stack as possibly locked, naming the lock.
        assert.strictEqual(report.exitCode, 130);
        assert.deepStrictEqual(report.cancelled, { signal: "SIGINT", pulumiStopped: false });
        assert.strictEqual(report.results[0].interrupted?.lock, "may be held");
        assert.match(report.results[0].interrupted.next, /did not stop within 1s \(--cancel-wait\).*lock file under file:\/\/\/repo\/\.pulumi-state\/\.pulumi\/locks\//);
    });

    it("--timeout stops a hanging operation with one interrupt and a clear message (item 5)", async () => {
        const { report, gateway } = await execute(command("preview", "dev", "staging", "--timeout", "1s"), ["dev", "staging"], {
            dev: { preview: { hangs: "until-cancelled" } },
            staging: { preview: { changes: { same: 1 } } },
        });
        assert.ok(gateway.sequence().includes("preview interrupted dev"));
        assert.strictEqual(report.results[0].status, "failed");
        assert.strictEqual(report.results[0].error?.code, "timed-out");
        assert.match(report.results[0].error.message, /^preview of stack "dev" did not finish within 1s \(--timeout\); Pulumi was asked to cancel it\. /);
        // A preview is not mutating: the next stack still runs; the exit code says "timed out".
        assert.strictEqual(report.results[1].status, "succeeded");
        assert.strictEqual(report.exitCode, 124);
    });

    it("a signal that arrives while the stack is being selected starts no operation at all (item 1)", async () => {
        const cancel = new AbortController();
        const gateway = new FakeGateway({ dev: { up: {} } });
        const open = gateway.openStack.bind(gateway);
        gateway.openStack = async (stack, options) => {
            const handle = await open(stack, options);
            cancel.abort(new CancelReason("SIGTERM"));
            return handle;
        };
        const report = await run(command("up", "dev"), ["dev"], {
            gateway,
            validator: new RecordingValidator(),
            progress: { output: () => undefined, errorOutput: () => undefined, status: () => undefined },
            backend,
            now: () => 0,
            color: "never",
            cancel: cancel.signal,
        });
        assert.deepStrictEqual(gateway.sequence(), ["cliVersion", "openStack dev"]);
        assert.deepStrictEqual(
            report.results.map((r) => [r.status, r.reason]),
            [["skipped", "not run: cancelled by SIGTERM"]],
        );
        assert.deepStrictEqual([report.exitCode, report.cancelled], [130, { signal: "SIGTERM", pulumiStopped: true }]);
    });

    it("validates the stack file of org/stack names and opens the stack by its full name (item 9)", async () => {
        const { gateway, validator } = await execute(command("preview", "acme/dev"), ["acme/dev"], { "acme/dev": { preview: {} } });
        assert.deepStrictEqual(validator.validated, ["dev"]);
        assert.ok(gateway.sequence().includes("openStack acme/dev"));
    });
});
