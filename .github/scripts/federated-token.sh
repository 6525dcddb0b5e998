#!/usr/bin/env bash
# Writes this job's GitHub OIDC token, for Microsoft Entra's federated credentials (audience
# api://AzureADTokenExchange), to the file given, atomically; with --once a single time, else
# every 60 seconds until the job ends. GitHub's OIDC tokens are short-lived, and kubelogin
# (--login workloadidentity) reads the file on each call, so the file must stay current for the
# whole job. Needs `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN).
set -euo pipefail

file="${1:?usage: federated-token.sh <file> [--once]}"
once="${2:-}"

fetch() {
    local response
    response="$(curl --fail --silent --show-error --max-time 30 \
        -H "Authorization: bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN:?the job needs permissions: id-token: write}" \
        "${ACTIONS_ID_TOKEN_REQUEST_URL:?the job needs permissions: id-token: write}&audience=api://AzureADTokenExchange")" || return 1
    # The token is never printed: it goes straight to a file only this job's user can read, and
    # replaces the previous one only when a token was actually received.
    (umask 077 && jq -er .value <<<"$response" > "$file.new") || return 1
    mv -f "$file.new" "$file"
}

fetch
[ "$once" = "--once" ] && exit 0
while sleep 60; do
    # A failed refresh keeps the previous token; the next minute tries again.
    fetch || echo "federated-token: refresh failed at $(date -u +%H:%M:%S); keeping the previous token" >&2
done
