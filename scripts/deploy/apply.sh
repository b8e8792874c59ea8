#!/usr/bin/env bash
# usage: scripts/deploy/apply.sh PATH...
# Converges the given specs with `reconciler apply --auto-approve --wait`, keeps the output in
# apply.txt (and the job summary on GitHub), and exits with apply's own status: a failed apply
# or a rollout that does not settle fails the deploy. DEPLOY_WAIT_TIMEOUT overrides the wait
# (e.g. 20m).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 PATH..." >&2
  exit 1
fi
wait_flags=(--wait)
if [ -n "${DEPLOY_WAIT_TIMEOUT:-}" ]; then
  wait_flags+=(--wait-timeout "$DEPLOY_WAIT_TIMEOUT")
fi

status=0
node bin/reconciler.js apply "$@" --auto-approve "${wait_flags[@]}" 2>&1 | tee apply.txt ||
  status=$?
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  {
    echo "## Deploy"
    echo
    echo '```'
    tail -c 60000 apply.txt
    echo '```'
  } >>"$GITHUB_STEP_SUMMARY"
fi
if [ "$status" -ne 0 ]; then
  echo "apply failed with exit code $status" >&2
fi
exit "$status"
