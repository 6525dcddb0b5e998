import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { removeTempDirs, tempDir } from "./project";

// Plain CommonJS files that actions/github-script loads in the workflows.
const comments = require("../../.github/scripts/pr-comments.js");
const drift = require("../../.github/scripts/drift-issue.js");

interface Comment {
    id: number;
    body: string;
    user: { type: string };
}

/** The parts of Octokit the scripts use, over an in-memory repository. */
class FakeGitHub {
    readonly calls: string[] = [];
    comments: Comment[] = [];
    issues: { number: number; title: string; body: string; state: string; labels: string[] }[] = [];
    labels = new Set<string>();
    pullHead = "abc123";
    /** Pull requests that no longer exist (pulls.get answers 404). */
    deletedPulls = new Set<number>();
    /** When set, createLabel fails as if another job created the label first. */
    labelRace = false;
    private nextId = 100;

    async paginate(method: (params: any) => Promise<{ data: any[] }>, params: any): Promise<any[]> {
        return (await method(params)).data;
    }

    rest = {
        issues: {
            listComments: async () => ({ data: this.comments }),
            createComment: async ({ issue_number, body }: any) => {
                this.calls.push(`createComment #${issue_number}`);
                this.comments.push({ id: this.nextId++, body, user: { type: "Bot" } });
            },
            updateComment: async ({ comment_id, body }: any) => {
                this.calls.push(`updateComment ${comment_id}`);
                this.comments.find((c) => c.id === comment_id)!.body = body;
            },
            listForRepo: async ({ labels, state }: any) => ({
                data: this.issues.filter((i) => i.state === state && i.labels.includes(labels)),
            }),
            create: async ({ title, body, labels }: any) => {
                this.calls.push(`create ${title}`);
                this.issues.push({ number: this.nextId++, title, body, labels, state: "open" });
            },
            update: async ({ issue_number, body, state }: any) => {
                this.calls.push(`update #${issue_number}${state ? ` ${state}` : ""}`);
                const issue = this.issues.find((i) => i.number === issue_number)!;
                if (body !== undefined) issue.body = body;
                if (state !== undefined) issue.state = state;
            },
            getLabel: async ({ name }: any) => {
                if (!this.labels.has(name)) throw Object.assign(new Error("Not Found"), { status: 404 });
                return { data: { name } };
            },
            createLabel: async ({ name }: any) => {
                this.calls.push(`createLabel ${name}`);
                if (this.labelRace) {
                    this.labels.add(name);
                    throw Object.assign(new Error("Validation Failed"), {
                        status: 422,
                        response: { data: { errors: [{ resource: "Label", code: "already_exists", field: "name" }] } },
                    });
                }
                this.labels.add(name);
            },
        },
        pulls: {
            get: async ({ pull_number }: any) => {
                if (this.deletedPulls.has(pull_number)) throw Object.assign(new Error("Not Found"), { status: 404 });
                return { data: { head: { sha: this.pullHead } } };
            },
        },
    };
}

class FakeCore {
    readonly messages: string[] = [];
    info = (m: string) => this.messages.push(`info: ${m}`);
    warning = (m: string) => this.messages.push(`warning: ${m}`);
    setFailed = (m: string) => this.messages.push(`failed: ${m}`);
}

const context = {
    repo: { owner: "fluxpilot", repo: "fluxpilot" },
    serverUrl: "https://github.com",
    runId: 42,
    payload: { workflow_run: { head_sha: "abc123" } },
};

function writeArtifact(dir: string, stack: string, prNumber: string, body: string): void {
    const at = path.join(dir, `plan-diff-${stack}`);
    fs.mkdirSync(at, { recursive: true });
    fs.writeFileSync(path.join(at, "pr-number"), `${prNumber}\n`);
    fs.writeFileSync(path.join(at, "body.md"), body);
}

describe("workflow scripts", () => {
    after(removeTempDirs);

    describe("plan diff comments", () => {
        it("creates one comment per stack, then edits the same comments on the next run", async () => {
            const github = new FakeGitHub();
            github.comments.push({ id: 1, body: `${comments.planMarker("dev")}\nfrom a person quoting the marker`, user: { type: "User" } });
            const dir = tempDir("artifacts");
            writeArtifact(dir, "dev", "7", "dev diff v1");
            writeArtifact(dir, "local", "7", "local diff v1");
            const core = new FakeCore();
            assert.deepStrictEqual(await comments.postPlanDiffs({ github, context, core, dir }), [
                { stack: "dev", issueNumber: 7, outcome: "created" },
                { stack: "local", issueNumber: 7, outcome: "created" },
            ]);
            writeArtifact(dir, "dev", "7", "dev diff v2");
            await comments.postPlanDiffs({ github, context, core, dir });
            assert.deepStrictEqual(github.calls, ["createComment #7", "createComment #7", "updateComment 100", "updateComment 101"]);
            assert.strictEqual(github.comments.find((c) => c.id === 100)!.body, `${comments.planMarker("dev")}\ndev diff v2`);
            assert.strictEqual(github.comments[0].body, `${comments.planMarker("dev")}\nfrom a person quoting the marker`);
        });

        it("never comments when the pull request moved on, or when the artifact is malformed", async () => {
            const github = new FakeGitHub();
            github.pullHead = "newer";
            const dir = tempDir("artifacts");
            writeArtifact(dir, "dev", "7", "diff");
            writeArtifact(dir, "prod", "not-a-number", "diff");
            const core = new FakeCore();
            assert.deepStrictEqual(await comments.postPlanDiffs({ github, context, core, dir }), []);
            assert.deepStrictEqual(github.calls, []);
            assert.match(core.messages.join("\n"), /pull request #7 head newer is not the commit this run built/);
            assert.match(core.messages.join("\n"), /plan-diff-prod: no valid pull request number/);
            assert.deepStrictEqual(await comments.postPlanDiffs({ github, context, core, dir: path.join(dir, "missing") }), []);
        });

        it("one artifact without body.md, or a deleted pull request, does not stop the other stacks' comments (item 11)", async () => {
            const github = new FakeGitHub();
            github.deletedPulls.add(8);
            const dir = tempDir("artifacts");
            writeArtifact(dir, "dev", "7", "dev diff");
            fs.rmSync(path.join(dir, "plan-diff-dev", "body.md"));
            writeArtifact(dir, "local", "8", "local diff");
            writeArtifact(dir, "prod", "7", "prod diff");
            const core = new FakeCore();
            assert.deepStrictEqual(await comments.postPlanDiffs({ github, context, core, dir }), [{ stack: "prod", issueNumber: 7, outcome: "created" }]);
            assert.deepStrictEqual(core.messages, [
                "warning: plan-diff-dev: the artifact has no body.md; skipped.",
                "warning: plan-diff-local: pull request #8 no longer exists; skipped.",
                "info: prod: comment created on #7",
                "failed: No comment posted for dev: see the warnings above.",
            ]);
        });

        it("truncates a comment GitHub would reject", async () => {
            const github = new FakeGitHub();
            await comments.upsertComment(github, { owner: "o", repo: "r", issueNumber: 1, marker: "<!-- m -->", body: "x".repeat(70_000) });
            assert.ok(github.comments[0].body.length < 65_536);
            assert.match(github.comments[0].body, /\(truncated: see the workflow run for the full diff\)$/);
        });
    });

    describe("drift issues", () => {
        const report = {
            results: [
                {
                    stack: "prod",
                    operation: "drift",
                    status: "drifted",
                    drift: [{ urn: "urn:x", type: "aws:eks/cluster:Cluster", name: "prod-eks", op: "update", diffs: ["tags", "version"] }],
                },
            ],
        };

        it("opens an issue (creating the label), updates it while drift lasts, closes it when clean", async () => {
            const github = new FakeGitHub();
            const core = new FakeCore();
            const call = (exitCode: number) => drift.reportDrift({ github, context, core, stack: "prod", exitCode, report });
            assert.strictEqual(await call(3), "opened");
            assert.strictEqual(await call(3), "updated");
            assert.strictEqual(await call(0), "closed");
            assert.strictEqual(await call(0), "clean");
            const number = github.issues[0].number;
            assert.deepStrictEqual(github.calls, [
                "createLabel drift",
                "create Drift detected on stack prod",
                `update #${number}`,
                `createComment #${number}`,
                `createComment #${number}`,
                `update #${number} closed`,
            ]);
            const body = github.issues[0].body;
            assert.ok(body.startsWith(drift.driftMarker("prod")));
            assert.match(body, /\| `update` \| `aws:eks\/cluster:Cluster` \| `prod-eks` \| `tags`, `version` \|/);
            assert.match(body, /https:\/\/github\.com\/fluxpilot\/fluxpilot\/actions\/runs\/42/);
        });

        it("an empty or missing exit code fails the job and never closes an open issue (item 11)", async () => {
            const github = new FakeGitHub();
            const core = new FakeCore();
            assert.strictEqual(await drift.reportDrift({ github, context, core, stack: "prod", exitCode: "3", report }), "opened");
            for (const empty of ["", undefined, "abc", Number("x")]) {
                assert.strictEqual(await drift.reportDrift({ github, context, core, stack: "prod", exitCode: empty, report: {} }), "failed");
            }
            assert.strictEqual(github.issues[0].state, "open");
            assert.match(core.messages[0], /^failed: Drift check of prod reported no exit code \(got ""\)/);
            assert.deepStrictEqual([drift.parseExitCode("0"), drift.parseExitCode(" 3 "), drift.parseExitCode("")], [0, 3, undefined]);
        });

        it("two matrix jobs creating the drift label at once: the loser's 422 already_exists is not an error (item 11)", async () => {
            const github = new FakeGitHub();
            github.labelRace = true;
            const core = new FakeCore();
            assert.strictEqual(await drift.reportDrift({ github, context, core, stack: "prod", exitCode: 3, report }), "opened");
            assert.deepStrictEqual(github.calls, ["createLabel drift", "create Drift detected on stack prod"]);
        });

        it("keeps stacks apart and fails the job, without an issue, when the check itself failed", async () => {
            const github = new FakeGitHub();
            const core = new FakeCore();
            await drift.reportDrift({ github, context, core, stack: "prod", exitCode: 3, report });
            assert.strictEqual(await drift.reportDrift({ github, context, core, stack: "dev", exitCode: 0, report: {} }), "clean");
            const failed = { results: [{ stack: "dev", status: "failed", error: { message: "Not logged in to a Pulumi backend" } }] };
            assert.strictEqual(await drift.reportDrift({ github, context, core, stack: "dev", exitCode: 4, report: failed }), "failed");
            assert.deepStrictEqual(core.messages, ["failed: Drift check of dev failed (exit code 4): Not logged in to a Pulumi backend"]);
            assert.strictEqual(github.issues.length, 1);
        });
    });
});
