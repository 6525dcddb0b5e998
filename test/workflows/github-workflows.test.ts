import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { REPOSITORY_ROOT } from "../../core/repository";

const root = REPOSITORY_ROOT;
const workflowDir = path.join(root, ".github", "workflows");

type Job = Record<string, any>;
type Step = Record<string, any>;

function load(file: string): Record<string, any> {
    return parse(fs.readFileSync(path.join(root, file), "utf8"));
}

const workflows = Object.fromEntries(
    fs
        .readdirSync(workflowDir)
        .filter((f) => f.endsWith(".yml"))
        .map((f) => [f, load(path.join(".github", "workflows", f))]),
);
const stackWorkflow = workflows["pulumi-stack.yml"];
const stackSteps: Step[] = stackWorkflow.jobs.pulumi.steps;

/** Matrix stacks of a job, or its `with.stack` when it calls the stack workflow once. */
function stacksOf(job: Job): string[] {
    return job.strategy?.matrix?.stack ?? [job.with?.stack];
}

function callsStackWorkflow(job: Job): boolean {
    return job.uses === "./.github/workflows/pulumi-stack.yml";
}

function stepsUsing(steps: Step[], action: string): Step[] {
    return steps.filter((s) => typeof s.uses === "string" && s.uses.startsWith(`${action}@`));
}

/**
 * Each action's pin: the commit its release tag points to (`git rev-parse <tag>^{commit}` in a
 * clone of the action's repository), the newest release of its node24 major (`runs.using:
 * node24` in that tag's action.yml), and the inputs that action.yml declares at that tag.
 * Updating an action means checking all three again (docs/operations.md, "Pinned actions").
 */
const PINNED_ACTIONS: Record<string, { sha: string; tag: string; inputs: string[] }> = {
    "actions/checkout": {
        sha: "3d3c42e5aac5ba805825da76410c181273ba90b1",
        tag: "v7.0.1",
        inputs: [
            "repository",
            "ref",
            "token",
            "ssh-key",
            "ssh-known-hosts",
            "ssh-strict",
            "ssh-user",
            "persist-credentials",
            "path",
            "clean",
            "filter",
            "sparse-checkout",
            "sparse-checkout-cone-mode",
            "fetch-depth",
            "fetch-tags",
            "show-progress",
            "lfs",
            "submodules",
            "set-safe-directory",
            "github-server-url",
            "allow-unsafe-pr-checkout",
        ],
    },
    "actions/setup-node": {
        sha: "820762786026740c76f36085b0efc47a31fe5020",
        tag: "v7.0.0",
        inputs: [
            "node-version",
            "node-version-file",
            "architecture",
            "check-latest",
            "registry-url",
            "scope",
            "token",
            "cache",
            "package-manager-cache",
            "cache-dependency-path",
            "mirror",
            "mirror-token",
        ],
    },
    "actions/github-script": {
        sha: "ed597411d8f924073f98dfc5c65a23a2325f34cd",
        tag: "v8.0.0",
        inputs: ["script", "github-token", "debug", "user-agent", "previews", "result-encoding", "retries", "retry-exempt-status-codes", "base-url"],
    },
    "actions/upload-artifact": {
        sha: "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
        tag: "v7.0.0",
        inputs: ["name", "path", "if-no-files-found", "retention-days", "compression-level", "overwrite", "include-hidden-files", "archive"],
    },
    "actions/download-artifact": {
        sha: "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
        tag: "v8.0.1",
        inputs: ["name", "artifact-ids", "path", "pattern", "merge-multiple", "github-token", "repository", "run-id", "skip-decompress", "digest-mismatch"],
    },
    "pulumi/actions": {
        sha: "8e5e406f4007fca908480587cb9893c07090f58d",
        tag: "v7.0.0",
        inputs: [
            "command",
            "stack-name",
            "pulumi-version",
            "pulumi-version-file",
            "work-dir",
            "comment-on-pr",
            "comment-on-pr-number",
            "comment-on-summary",
            "github-token",
            "cloud-url",
            "secrets-provider",
            "parallel",
            "message",
            "config-map",
            "expect-no-changes",
            "diff",
            "replace",
            "exclude",
            "exclude-dependents",
            "target",
            "target-dependents",
            "policyPacks",
            "policyPackConfigs",
            "refresh",
            "upsert",
            "remove",
            "edit-pr-comment",
            "color",
            "exclude-protected",
            "plan",
            "suppress-outputs",
            "suppress-progress",
            "always-include-summary",
            "continue-on-error",
            "log-verbosity",
            "log-flow",
            "debug",
        ],
    },
    "pulumi/auth-actions": {
        sha: "141415910c3beb54e03b48e9057c204c97b956f2",
        tag: "v2.1.0",
        inputs: ["organization", "requested-token-type", "scope", "token-expiration", "export-environment-variables", "cloud-url"],
    },
    "aws-actions/configure-aws-credentials": {
        sha: "e6de054238d6b7531b4efff3b6587d9aade6a06c",
        tag: "v6.2.3",
        inputs: [
            "aws-region",
            "role-to-assume",
            "role-duration-seconds",
            "role-session-name",
            "audience",
            "role-skip-session-tagging",
            "mask-aws-account-id",
            "allowed-account-ids",
            "action-timeout-s",
        ],
    },
    "google-github-actions/auth": {
        sha: "7c6bc770dae815cd3e89ee6cdf493a5fab2cc093",
        tag: "v3.0.0",
        inputs: [
            "project_id",
            "workload_identity_provider",
            "service_account",
            "audience",
            "create_credentials_file",
            "export_environment_variables",
            "token_format",
            "cleanup_credentials",
            "access_token_lifetime",
        ],
    },
    "azure/use-kubelogin": {
        sha: "0ce7c36141aa27d4934872cf00b0120804c98a29",
        tag: "v1.3",
        inputs: ["kubelogin-version", "skip-cache", "github-api-base-url"],
    },
    "google-github-actions/setup-gcloud": {
        sha: "aa5489c8933f4cc7a4f7d45035b3b1440c9c10db",
        tag: "v3.0.1",
        inputs: ["version", "project_id", "install_components", "skip_install", "cache"],
    },
    "azure/login": {
        sha: "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca",
        tag: "v3.0.1",
        inputs: ["client-id", "tenant-id", "subscription-id", "environment", "allow-no-subscriptions", "audience", "auth-type"],
    },
};

describe("GitHub workflows", () => {
    it("are the expected files, each parsed with triggers and jobs", () => {
        assert.deepStrictEqual(Object.keys(workflows).sort(), ["deploy.yml", "drift.yml", "pr-comment.yml", "pull-request.yml", "pulumi-stack.yml"]);
        for (const [file, workflow] of Object.entries(workflows)) {
            assert.ok(workflow.on, `${file}: triggers`);
            assert.ok(Object.keys(workflow.jobs).length > 0, `${file}: jobs`);
        }
    });

    it("use in workflow- and job-level env only the contexts GitHub makes available there", () => {
        // runner, steps and job exist only inside steps; using them in job env fails the whole run.
        for (const [file, workflow] of Object.entries(workflows)) {
            const envs = [workflow.env ?? {}, ...Object.values<Job>(workflow.jobs).map((job) => job.env ?? {})];
            for (const env of envs) {
                for (const value of Object.values(env)) assert.doesNotMatch(String(value), /\$\{\{[^}]*\b(runner|steps|job|env)\./, `${file}: ${String(value)}`);
            }
        }
    });

    it("install with npm ci on Node 24, through the shared setup action, before any npm command", () => {
        const setup = load(".github/actions/setup/action.yml");
        const node = stepsUsing(setup.runs.steps, "actions/setup-node")[0];
        assert.strictEqual(String(node.with["node-version"]), "24");
        assert.ok(setup.runs.steps.some((s: Step) => /^npm ci\b/.test(s.run ?? "")));
        for (const [file, workflow] of Object.entries(workflows)) {
            for (const [name, job] of Object.entries<Job>(workflow.jobs)) {
                const steps: Step[] = job.steps ?? [];
                const firstNpm = steps.findIndex((s) => /\bnpm (run|test)\b/.test(s.run ?? ""));
                if (firstNpm < 0) continue;
                const setupAt = steps.findIndex((s) => s.uses === "./.github/actions/setup");
                assert.ok(setupAt >= 0 && setupAt < firstNpm, `${file} ${name}: setup before npm`);
            }
        }
    });

    it("check out without leaving the job's token in .git/config, where the code the job runs could read it", () => {
        let checkouts = 0;
        for (const [file, workflow] of Object.entries(workflows)) {
            for (const [name, job] of Object.entries<Job>(workflow.jobs)) {
                for (const step of stepsUsing(job.steps ?? [], "actions/checkout")) {
                    checkouts++;
                    assert.strictEqual(step.with?.["persist-credentials"], false, `${file} ${name}`);
                }
            }
        }
        assert.ok(checkouts >= 5);
    });

    it("pin every action to the commit of a release tag on its node24 major, and pass only inputs its action.yml declares (issue #14 item 7)", () => {
        const steps: Step[] = [];
        for (const workflow of Object.values(workflows)) {
            for (const job of Object.values<Job>(workflow.jobs)) steps.push(...(job.steps ?? []));
        }
        steps.push(...load(".github/actions/setup/action.yml").runs.steps);
        const external = steps.filter((s) => typeof s.uses === "string" && !s.uses.startsWith("./"));
        assert.ok(external.length >= 15);
        for (const step of external) {
            const [action, sha] = step.uses.split("@");
            const pin = PINNED_ACTIONS[action];
            assert.ok(pin, `${step.uses}: not a reviewed action`);
            assert.strictEqual(sha, pin.sha, `${action} is pinned to ${pin.tag}'s commit`);
            for (const key of Object.keys(step.with ?? {})) assert.ok(pin.inputs.includes(key), `${action} ${pin.tag} has no input "${key}"`);
        }
        // The tag each SHA stands for is written beside it, and every reviewed action is used.
        const text = [...fs.readdirSync(workflowDir).map((f) => path.join(workflowDir, f)), path.join(root, ".github/actions/setup/action.yml")]
            .map((f) => fs.readFileSync(f, "utf8"))
            .join("\n");
        for (const [action, pin] of Object.entries(PINNED_ACTIONS)) {
            const lines = text.split("\n").filter((l) => l.includes(`uses: ${action}@`));
            assert.ok(lines.length > 0, `${action} unused`);
            for (const line of lines) assert.ok(line.trimEnd().endsWith(`@${pin.sha} # ${pin.tag}`), line);
        }
    });

    it("name in the docs the release of each action that the workflows pin, not an older one", () => {
        const docs = ["README.md", ...fs.readdirSync(path.join(root, "docs")).map((f) => path.join("docs", f))].filter((f) => f.endsWith(".md"));
        const stale = docs.flatMap((file) => {
            const text = fs.readFileSync(path.join(root, file), "utf8");
            return Object.entries(PINNED_ACTIONS).flatMap(([action, pin]) =>
                [...text.matchAll(new RegExp(`\\b${action.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}@(v[0-9][0-9.]*)`, "g"))]
                    .filter((match) => match[1] !== pin.tag)
                    .map((match) => `${file}: ${action}@${match[1]}, the workflows pin ${pin.tag}`),
            );
        });
        assert.deepStrictEqual(stale, []);
    });

    it("install the Pulumi CLI release of the pinned @pulumi/pulumi SDK", () => {
        const pinned = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
        assert.strictEqual(String(stackWorkflow.env.PULUMI_VERSION), pinned);
    });

    it("use no long-lived cloud keys: OIDC only, with id-token: write where credentials are used", () => {
        const forbidden =
            /AWS_SECRET_ACCESS_KEY|aws-secret-access-key|aws-access-key-id|credentials_json|GOOGLE_CREDENTIALS|client-secret|ARM_CLIENT_SECRET|AZURE_CREDENTIALS|creds:/;
        for (const file of fs.readdirSync(workflowDir)) {
            assert.doesNotMatch(fs.readFileSync(path.join(workflowDir, file), "utf8"), forbidden, file);
        }
        const aws = stepsUsing(stackSteps, "aws-actions/configure-aws-credentials")[0];
        assert.strictEqual(aws.with["role-to-assume"], "${{ vars.AWS_ROLE_ARN }}");
        const gcp = stepsUsing(stackSteps, "google-github-actions/auth")[0];
        assert.strictEqual(gcp.with.workload_identity_provider, "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}");
        const azure = stepsUsing(stackSteps, "azure/login")[0];
        assert.deepStrictEqual(Object.keys(azure.with).sort(), ["client-id", "subscription-id", "tenant-id"]);
        const pulumiCloud = stepsUsing(stackSteps, "pulumi/auth-actions")[0];
        // A team token where the environment names a team (previews, drift), else the organisation's.
        assert.strictEqual(
            pulumiCloud.with["requested-token-type"],
            "${{ vars.PULUMI_TEAM != '' && 'urn:pulumi:token-type:access_token:team' || 'urn:pulumi:token-type:access_token:organization' }}",
        );
        assert.strictEqual(pulumiCloud.with.scope, "${{ vars.PULUMI_TEAM != '' && format('team:{0}', vars.PULUMI_TEAM) || '' }}");
        // Every caller of the stack workflow grants the OIDC token; nothing else does.
        for (const [file, workflow] of Object.entries(workflows)) {
            assert.notStrictEqual(workflow.permissions?.["id-token"], "write", `${file}: id-token only per job`);
            for (const [name, job] of Object.entries<Job>(workflow.jobs)) {
                const oidc = job.permissions?.["id-token"] === "write";
                assert.strictEqual(oidc, callsStackWorkflow(job), `${file} ${name}`);
            }
        }
        assert.strictEqual(stackWorkflow.jobs.pulumi.environment, "${{ inputs.environment }}");
    });

    it("pull requests: test, then the offline plan diff of every stack, and previews where credentials exist", () => {
        const pr = workflows["pull-request.yml"];
        assert.deepStrictEqual(Object.keys(pr.on), ["pull_request"]);
        assert.deepStrictEqual(pr.permissions, { contents: "read" });
        assert.ok(pr.jobs.test.steps.some((s: Step) => s.run === "npm test"));

        const plan = pr.jobs["plan-diff"];
        assert.strictEqual(plan.needs, "test");
        assert.deepStrictEqual(plan.strategy.matrix.stack, ["dev", "staging", "prod", "local"]);
        assert.strictEqual(plan.permissions, undefined, "no write access and no credentials: safe for forks");
        const scripts = plan.steps.map((s: Step) => s.run ?? "").join("\n");
        assert.match(scripts, /git worktree add --detach "\$RUNNER_TEMP\/base" "\$BASE_SHA"/);
        assert.match(scripts, /npm run --silent plan -- "\$STACK" --out "\$PLAN_DIR\/base.json"/);
        // The head's plan runs the policy pack, so its violations reach the plan comment.
        assert.match(scripts, /npm run --silent plan -- "\$STACK" --policy --diff "\$BASE_SNAPSHOT"/);
        assert.match(scripts, /npm run --silent plan -- "\$STACK" --policy > /);
        const upload = stepsUsing(plan.steps, "actions/upload-artifact")[0];
        assert.strictEqual(upload.with.name, "plan-diff-${{ matrix.stack }}");

        const preview = pr.jobs.preview;
        assert.ok(callsStackWorkflow(preview));
        assert.strictEqual(preview.needs, "test");
        assert.strictEqual(preview.if, "github.event.pull_request.head.repo.full_name == github.repository");
        assert.deepStrictEqual(preview.strategy.matrix.stack, ["dev", "staging", "prod"]);
        assert.deepStrictEqual(preview.with, { stack: "${{ matrix.stack }}", environment: "${{ matrix.stack }}-preview", command: "preview" });
        assert.deepStrictEqual(preview.permissions, { contents: "read", "id-token": "write", "pull-requests": "write" });

        const previewStep = stackSteps.find((s) => s.if === "inputs.command == 'preview'")!;
        // CrossGuard on the real preview and up, at the stack's environment levels (docs/policy.md).
        for (const command of ["preview", "up"]) {
            const step = stackSteps.find((s) => s.if === `inputs.command == '${command}'`)!;
            assert.strictEqual(step.with.policyPacks, "policy", command);
            assert.strictEqual(step.with.policyPackConfigs, "${{ steps.policy.outputs.config }}", command);
        }
        assert.strictEqual(previewStep.uses, `pulumi/actions@${PINNED_ACTIONS["pulumi/actions"].sha}`);
        assert.strictEqual(previewStep.with.command, "preview");
        assert.strictEqual(previewStep.with["comment-on-pr"], true);
        assert.strictEqual(previewStep.with["edit-pr-comment"], true);
        assert.strictEqual(previewStep.with["stack-name"], "${{ env.STACK_NAME }}");
    });

    it("plan diff comments: posted after the pull request run, with write access in that job only", () => {
        const comments = workflows["pr-comment.yml"];
        assert.deepStrictEqual(comments.on, { workflow_run: { workflows: [workflows["pull-request.yml"].name], types: ["completed"] } });
        assert.deepStrictEqual(comments.permissions, {});
        const job = comments.jobs["plan-diff-comments"];
        assert.deepStrictEqual(job.permissions, { actions: "read", contents: "read", "pull-requests": "write" });
        const download = stepsUsing(job.steps, "actions/download-artifact")[0];
        assert.strictEqual(download.with["run-id"], "${{ github.event.workflow_run.id }}");
        const script = stepsUsing(job.steps, "actions/github-script")[0].with.script;
        assert.match(script, /require\("\.\/\.github\/scripts\/pr-comments\.js"\)/);
        // No other workflow may write to pull requests except the preview job (Pulumi's own comment).
        for (const [file, workflow] of Object.entries(workflows)) {
            for (const [name, job] of Object.entries<Job>(workflow.jobs)) {
                if (job.permissions?.["pull-requests"] === "write") {
                    assert.ok(["pr-comment.yml plan-diff-comments", "pull-request.yml preview"].includes(`${file} ${name}`), `${file} ${name}`);
                }
            }
        }
    });

    it("push to main: test, then up on dev, staging and prod in order, each in its GitHub environment", () => {
        const deploy = workflows["deploy.yml"];
        assert.deepStrictEqual(deploy.on.push, { branches: ["main"] });
        // No workflow-wide group: it was held while staging or prod waited for reviewers (issue #14 item 6).
        assert.strictEqual(deploy.concurrency, undefined);
        const chain = [
            ["dev", "test"],
            ["staging", "dev"],
            ["prod", "staging"],
        ];
        for (const [stack, before] of chain) {
            const job = deploy.jobs[stack];
            assert.ok(callsStackWorkflow(job), stack);
            assert.strictEqual(job.needs, before, `${stack} runs after ${before}`);
            assert.deepStrictEqual(job.with, { stack, environment: stack, command: "up" });
            assert.strictEqual(job.secrets, "inherit");
        }
        assert.deepStrictEqual(Object.keys(deploy.jobs).sort(), ["dev", "prod", "staging", "test"]);
        const up = stackSteps.findIndex((s) => s.if === "inputs.command == 'up'" && s.with?.command === "up");
        const gate = stackSteps[up + 1];
        assert.deepStrictEqual([gate.if, gate.with.command, gate.with.refresh, gate.with["expect-no-changes"]], ["inputs.command == 'up'", "preview", true, true]);
    });

    it("scheduled drift detection: a refreshing preview per deployed stack, issues on drift", () => {
        const drift = workflows["drift.yml"];
        assert.match(drift.on.schedule[0].cron, /^(\S+\s){4}\S+$/);
        assert.ok("workflow_dispatch" in drift.on);
        const job = drift.jobs.drift;
        assert.ok(callsStackWorkflow(job));
        assert.deepStrictEqual(job.strategy.matrix.stack, ["dev", "staging", "prod"]);
        assert.deepStrictEqual(job.with, { stack: "${{ matrix.stack }}", environment: "${{ matrix.stack }}-preview", command: "drift" });
        assert.deepStrictEqual(job.permissions, { contents: "read", "id-token": "write", issues: "write" });
        const check = stackSteps.find((s) => s.id === "drift")!;
        // Recorded state against the cloud, addressed as org/stack like preview and up (items 6 and 9).
        assert.match(check.run, /npm run --silent fluxpilot -- drift "\$STACK_NAME" --refresh-only --json/);
        const issue = stackSteps[stackSteps.indexOf(check) + 1];
        assert.match(issue.with.script, /require\("\.\/\.github\/scripts\/drift-issue\.js"\)/);
        assert.strictEqual(issue.env.DRIFT_EXIT, "${{ steps.drift.outputs.exit }}");
    });

    it("one concurrency group per stack for up and drift, never cancelled; previews apart (issue #14 item 6)", () => {
        const job = stackWorkflow.jobs.pulumi;
        assert.strictEqual(job.concurrency["cancel-in-progress"], false);
        const group = job.concurrency.group as string;
        // Evaluate the expression for each command the way GitHub would (a && b || c).
        const match = /^\$\{\{ inputs\.command == 'preview' && format\('([^']+)', inputs\.stack, github\.run_id\) \|\| format\('([^']+)', inputs\.stack\) \}\}$/.exec(group);
        assert.ok(match, group);
        assert.strictEqual(match[2].replace("{0}", "prod"), "pulumi-stack-prod");
        assert.ok(match[1].includes("{1}"), "each preview run gets its own group");
        for (const [file, workflow] of Object.entries(workflows)) {
            const groups = [workflow.concurrency?.group, ...Object.values<Job>(workflow.jobs).map((j) => j.concurrency?.group)];
            assert.ok(!groups.includes("deploy"), `${file}: no workflow-wide deploy group`);
        }
    });

    it("set timeout-minutes on every job, and AWS credentials that outlive the longest job (issue #14 item 8)", () => {
        for (const [file, workflow] of Object.entries(workflows)) {
            for (const [name, job] of Object.entries<Job>(workflow.jobs)) {
                if (callsStackWorkflow(job)) continue; // the called job sets its own
                assert.ok(job["timeout-minutes"] !== undefined, `${file} ${name} has no timeout-minutes`);
            }
        }
        const timeout = stackWorkflow.jobs.pulumi["timeout-minutes"] as string;
        const minutes = /&& (\d+) \|\| (\d+) \}\}$/.exec(timeout)!.slice(1).map(Number);
        const aws = stepsUsing(stackSteps, "aws-actions/configure-aws-credentials")[0];
        assert.ok(Number(aws.with["role-duration-seconds"]) >= Math.max(...minutes) * 60, "credentials expire before the job's limit");
        // The up job's limit covers fluxpilot's default up timeout (120m) plus the drift check.
        assert.ok(minutes[0] > 120);
    });

    it("a preview, which runs branch code, never receives the deploy passphrase (issue #14 item 10)", () => {
        const env = stackWorkflow.jobs.pulumi.env.PULUMI_CONFIG_PASSPHRASE as string;
        // Evaluate GitHub's `a && b || c && d || ''` for each command, with both secrets set.
        const secrets: Record<string, string> = { PULUMI_CONFIG_PASSPHRASE: "deploy", PREVIEW_CONFIG_PASSPHRASE: "preview-only" };
        const evaluate = (command: string) => {
            const terms = env.replace(/^\$\{\{ | \}\}$/g, "").split(" || ");
            for (const term of terms) {
                const parts = term.split(" && ");
                if (parts.length === 1) return parts[0] === "''" ? "" : parts[0];
                const [condition, value] = parts;
                const [, op, expected] = /^inputs\.command (==|!=) '(\w+)'$/.exec(condition)!;
                const holds = op === "==" ? command === expected : command !== expected;
                const secret = secrets[/^secrets\.(\w+)$/.exec(value)![1]];
                if (holds && secret) return secret;
            }
            return "";
        };
        assert.strictEqual(evaluate("preview"), "preview-only");
        assert.strictEqual(evaluate("up"), "deploy");
        assert.strictEqual(evaluate("drift"), "deploy");
        secrets.PREVIEW_CONFIG_PASSPHRASE = "";
        assert.strictEqual(evaluate("preview"), "", "no fallback to the deploy passphrase");
    });

    it("never deploy, preview with credentials, or drift-check the laptop stack", () => {
        for (const [file, workflow] of Object.entries(workflows)) {
            for (const [name, job] of Object.entries<Job>(workflow.jobs)) {
                if (callsStackWorkflow(job)) assert.ok(!stacksOf(job).includes("local"), `${file} ${name}`);
            }
        }
    });

    it("call the stack workflow only with inputs it declares, and commands it implements", () => {
        const inputs = stackWorkflow.on.workflow_call.inputs;
        const commands = new Set(stackSteps.map((s) => /^inputs\.command == '(\w+)'$/.exec(s.if ?? "")?.[1]).filter(Boolean));
        assert.deepStrictEqual([...commands].sort(), ["drift", "preview", "up"]);
        for (const [file, workflow] of Object.entries(workflows)) {
            for (const [name, job] of Object.entries<Job>(workflow.jobs)) {
                if (!callsStackWorkflow(job)) continue;
                for (const key of Object.keys(job.with)) assert.ok(key in inputs, `${file} ${name}: ${key}`);
                for (const [key, input] of Object.entries<any>(inputs)) if (input.required) assert.ok(key in job.with, `${file} ${name}: ${key}`);
                assert.ok(commands.has(job.with.command), `${file} ${name}`);
            }
        }
    });

    describe("sign-in to the clusters from CI (issue 11 item 5)", () => {
        const index = (predicate: (s: Step) => boolean) => stackSteps.findIndex(predicate);
        const firstPulumi = () => index((s) => (typeof s.uses === "string" && s.uses.startsWith("pulumi/actions@")) || /fluxpilot -- drift/.test(s.run ?? ""));

        it("installs kubelogin (AKS) and gke-gcloud-auth-plugin (GKE), at pinned versions, before any Pulumi step", () => {
            const kubelogin = stepsUsing(stackSteps, "azure/use-kubelogin");
            assert.strictEqual(kubelogin.length, 1);
            assert.strictEqual(kubelogin[0].with["kubelogin-version"], "v0.2.19");
            assert.strictEqual(kubelogin[0].if, "vars.AZURE_CLIENT_ID != ''");
            const gcloud = stepsUsing(stackSteps, "google-github-actions/setup-gcloud");
            assert.strictEqual(gcloud.length, 1);
            assert.strictEqual(gcloud[0].with.version, "416.0.0");
            assert.strictEqual(gcloud[0].with.install_components, "gke-gcloud-auth-plugin");
            for (const step of [...kubelogin, ...gcloud]) assert.ok(stackSteps.indexOf(step) < firstPulumi(), step.name);
        });

        it("keeps a current federated token file for kubelogin's workloadidentity login, and exports what that mode reads, before any Pulumi step", () => {
            const step = stackSteps.find((s) => /federated-token\.sh/.test(s.run ?? ""));
            assert.ok(step);
            assert.ok(stackSteps.indexOf(step) < firstPulumi());
            assert.match(step.run, /federated-token\.sh "\$token_file" --once\n/, "the first token exists before the job goes on");
            assert.match(step.run, /nohup \.github\/scripts\/federated-token\.sh "\$token_file" .*&\n/, "then it is refreshed in the background");
            for (const variable of ["AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_AUTHORITY_HOST"])
                assert.match(step.run, new RegExp(`echo "${variable}=`), variable);
        });
    });

    describe("the deploy runner (issue 11 item 19)", () => {
        it("runs the Pulumi job on the runner the stack file names, read from the default branch so a pull request cannot choose it", () => {
            const jobs = stackWorkflow.jobs;
            assert.strictEqual(jobs.pulumi.needs, "runner");
            assert.strictEqual(jobs.pulumi["runs-on"], "${{ fromJSON(needs.runner.outputs.labels) }}");
            assert.strictEqual(jobs.runner["runs-on"], "ubuntu-latest");
            assert.strictEqual(jobs.runner.outputs.labels, "${{ steps.runner.outputs.labels }}");
            const checkout = stepsUsing(jobs.runner.steps, "actions/checkout")[0];
            assert.strictEqual(checkout.with.ref, "${{ github.event.repository.default_branch }}");
            const read = jobs.runner.steps.find((s: Step) => s.id === "runner");
            assert.match(read.run, /^echo "labels=\$\(npm run --silent runner -- "\$STACK"\)" >> "\$GITHUB_OUTPUT"$/);
        });
    });
});
