// @ts-check
/**
 * Turns the result of `npm run fluxpilot -- drift <stack> --json` into one GitHub issue per
 * stack: opened on drift, updated while the drift lasts, closed when the stack is clean again.
 * Runs from .github/workflows/pulumi-stack.yml (actions/github-script).
 */
"use strict";

const LABEL = "drift";
const EXIT_OK = 0;
const EXIT_DRIFT = 3;

function driftMarker(stack) {
    return `<!-- fluxpilot-drift:${stack} -->`;
}

/** Markdown for the issue body: what drifted, and how to look and fix. */
function driftIssueBody(stack, report, runUrl) {
    const results = (report.results || []).filter((r) => r.stack === stack);
    const resources = results.flatMap((r) => r.drift || []);
    const rows = resources.map((r) => `| \`${r.op}\` | \`${r.type}\` | \`${r.name}\` | ${r.diffs.length > 0 ? r.diffs.map((d) => `\`${d}\``).join(", ") : ""} |`);
    return [
        driftMarker(stack),
        `The scheduled drift check found that stack \`${stack}\` no longer matches its program and state (a refreshing preview proposes changes).`,
        "",
        "| Change | Type | Resource | Properties |",
        "| --- | --- | --- | --- |",
        ...rows,
        "",
        `Last checked by ${runUrl}.`,
        "",
        `Look locally with \`npm run fluxpilot -- drift ${stack}\`; then either bring the code in line with the change (and merge it), or undo the change with \`npm run fluxpilot -- up ${stack} --refresh\`. This issue closes itself when a later check finds no drift.`,
    ].join("\n");
}

async function ensureLabel(github, owner, repo) {
    try {
        await github.rest.issues.getLabel({ owner, repo, name: LABEL });
    } catch (error) {
        if (error.status !== 404) throw error;
        try {
            await github.rest.issues.createLabel({ owner, repo, name: LABEL, color: "d93f0b", description: "Infrastructure differs from its Pulumi program or state" });
        } catch (createError) {
            // Matrix jobs race to create it: 422 with code already_exists means another job won.
            if (!isAlreadyExists(createError)) throw createError;
        }
    }
}

function isAlreadyExists(error) {
    const errors = (error && error.response && error.response.data && error.response.data.errors) || [];
    return error && error.status === 422 && (errors.length === 0 || errors.some((e) => e && e.code === "already_exists"));
}

/**
 * The drift step's exit code as the workflow hands it over (a string from a step output). Empty
 * or anything but a whole number means the step never reported one: undefined, never 0.
 */
function parseExitCode(raw) {
    if (typeof raw === "number") return Number.isInteger(raw) ? raw : undefined;
    if (typeof raw !== "string" || !/^\d+$/.test(raw.trim())) return undefined;
    return Number(raw.trim());
}

/**
 * @returns {Promise<"opened" | "updated" | "closed" | "clean" | "failed">}
 */
async function reportDrift({ github, context, core, stack, exitCode: rawExitCode, report }) {
    const { owner, repo } = context.repo;
    const exitCode = parseExitCode(rawExitCode);
    if (exitCode === undefined) {
        // An empty DRIFT_EXIT (the step was skipped or died) must never close an open issue.
        core.setFailed(`Drift check of ${stack} reported no exit code (got ${JSON.stringify(rawExitCode)}): see the drift step's log.`);
        return "failed";
    }
    const runUrl = `${context.serverUrl}/${owner}/${repo}/actions/runs/${context.runId}`;
    const marker = driftMarker(stack);
    const open = await github.paginate(github.rest.issues.listForRepo, { owner, repo, state: "open", labels: LABEL, per_page: 100 });
    const existing = open.find((issue) => typeof issue.body === "string" && issue.body.includes(marker));

    if (exitCode === EXIT_OK) {
        if (!existing) return "clean";
        await github.rest.issues.createComment({ owner, repo, issue_number: existing.number, body: `No drift on \`${stack}\` any more (${runUrl}); closing.` });
        await github.rest.issues.update({ owner, repo, issue_number: existing.number, state: "closed", state_reason: "completed" });
        return "closed";
    }
    if (exitCode !== EXIT_DRIFT) {
        // Not drift: the check itself failed (credentials, backend, config). Fail the job instead of filing an issue.
        const error = (report && (report.error || ((report.results || []).find((r) => r.error) || {}).error)) || undefined;
        core.setFailed(`Drift check of ${stack} failed (exit code ${exitCode}): ${error ? error.message : "see the log above"}`);
        return "failed";
    }
    const body = driftIssueBody(stack, report, runUrl);
    if (existing) {
        await github.rest.issues.update({ owner, repo, issue_number: existing.number, body });
        await github.rest.issues.createComment({ owner, repo, issue_number: existing.number, body: `Still drifting as of ${runUrl}.` });
        return "updated";
    }
    await ensureLabel(github, owner, repo);
    await github.rest.issues.create({ owner, repo, title: `Drift detected on stack ${stack}`, body, labels: [LABEL] });
    return "opened";
}

module.exports = { driftMarker, driftIssueBody, reportDrift, parseExitCode, LABEL };
