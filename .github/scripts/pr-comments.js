// @ts-check
/**
 * Posts the offline plan diff of each stack on its pull request: one comment per stack, found
 * again by a hidden marker and edited in place. Runs from .github/workflows/pr-comment.yml
 * (actions/github-script) in the base repository's context, so it also works for forks; the
 * artifact it reads was built by untrusted pull request code and is only ever used as text.
 */
"use strict";
const fs = require("fs");
const path = require("path");

/** GitHub refuses comments longer than 65536 characters. */
const MAX_COMMENT = 65000;
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

function planMarker(stack) {
    return `<!-- fluxpilot-plan-diff:${stack} -->`;
}

/**
 * Creates the comment, or edits the one of ours that starts with `marker`.
 * @returns {Promise<"created" | "updated">}
 */
async function upsertComment(github, { owner, repo, issueNumber, marker, body }) {
    const text = `${marker}\n${body}`;
    const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number: issueNumber, per_page: 100 });
    const existing = comments.find((c) => c.user && c.user.type === "Bot" && typeof c.body === "string" && c.body.startsWith(marker));
    const limited = text.length > MAX_COMMENT ? `${text.slice(0, MAX_COMMENT)}\n\n(truncated: see the workflow run for the full diff)` : text;
    if (existing) {
        await github.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: limited });
        return "updated";
    }
    await github.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: limited });
    return "created";
}

/**
 * Reads `<dir>/plan-diff-<stack>/{body.md,pr-number}` for every stack and posts each body on its
 * pull request, after checking that the pull request's head is the commit the run built.
 */
async function postPlanDiffs({ github, context, core, dir }) {
    const { owner, repo } = context.repo;
    const run = context.payload.workflow_run;
    if (!fs.existsSync(dir)) {
        core.info(`No plan diffs in ${dir}: the pull request run stopped before planning.`);
        return [];
    }
    const posted = [];
    const failed = [];
    // One stack's problem (a missing file, a pull request since deleted) never stops the others.
    for (const entry of fs.readdirSync(dir).sort()) {
        const stack = entry.replace(/^plan-diff-/, "");
        if (!STACK_NAME.test(stack)) continue;
        try {
            const outcome = await postOne({ github, core, owner, repo, run, dir, entry, stack });
            if (outcome) posted.push(outcome);
        } catch (error) {
            core.warning(`plan-diff-${stack}: ${error.message}; skipped.`);
            failed.push(stack);
        }
    }
    if (failed.length > 0) core.setFailed(`No comment posted for ${failed.join(", ")}: see the warnings above.`);
    return posted;
}

async function postOne({ github, core, owner, repo, run, dir, entry, stack }) {
    const read = (file) => {
        const file_ = path.join(dir, entry, file);
        if (!fs.existsSync(file_)) throw new Error(`the artifact has no ${file}`);
        return fs.readFileSync(file_, "utf8").trim();
    };
    const issueNumber = Number(read("pr-number"));
    if (!Number.isInteger(issueNumber) || issueNumber <= 0) {
        core.warning(`plan-diff-${stack}: no valid pull request number; skipped.`);
        return undefined;
    }
    const body = read("body.md");
    let pull;
    try {
        ({ data: pull } = await github.rest.pulls.get({ owner, repo, pull_number: issueNumber }));
    } catch (error) {
        if (error.status !== 404) throw error;
        core.warning(`plan-diff-${stack}: pull request #${issueNumber} no longer exists; skipped.`);
        return undefined;
    }
    if (pull.head.sha !== run.head_sha) {
        core.warning(`plan-diff-${stack}: pull request #${issueNumber} head ${pull.head.sha} is not the commit this run built (${run.head_sha}); skipped.`);
        return undefined;
    }
    const outcome = await upsertComment(github, { owner, repo, issueNumber, marker: planMarker(stack), body });
    core.info(`${stack}: comment ${outcome} on #${issueNumber}`);
    return { stack, issueNumber, outcome };
}

module.exports = { planMarker, upsertComment, postPlanDiffs, MAX_COMMENT };
