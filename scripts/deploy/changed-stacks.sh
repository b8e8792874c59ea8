#!/usr/bin/env bash
# The specs a push to the deploy branch must converge, written as stacks=<paths> to
# $GITHUB_OUTPUT (and printed): the specs changed between BEFORE and GITHUB_SHA, plus DEPLOY_SPEC
# (the spec a deploy names its new images in) when set. A change to the schema or the reconciler
# itself may change every stack, and so do a version tag, a new branch and an unknown BEFORE
# (a force push): then specs/. Deleted specs are not destroyed: `reconciler destroy` is always an
# explicit act.
set -euo pipefail

all=false
if [[ "${GITHUB_REF:-}" == refs/tags/* ]] || [[ "${BEFORE:-}" =~ ^0+$ ]] ||
  ! git cat-file -e "${BEFORE:-}^{commit}" 2>/dev/null; then
  all=true
elif git diff --name-only "$BEFORE" "$GITHUB_SHA" -- schemas/ reconciler/ | grep -q .; then
  all=true
fi
if [ "$all" = true ]; then
  stacks="specs/"
else
  stacks="$(git diff --name-only --diff-filter=d "$BEFORE" "$GITHUB_SHA" -- 'specs/*.yaml' 'specs/*.yml' | tr '\n' ' ')"
fi
# specs/ covers the files directly in it; any other DEPLOY_SPEC is added once
deploy_spec="${DEPLOY_SPEC:-}"
if [ -n "$deploy_spec" ] && [[ " $stacks " != *" $deploy_spec "* ]] &&
  ! { [ "$stacks" = specs/ ] && [ "$(dirname "$deploy_spec")" = specs ]; }; then
  stacks="${stacks:+${stacks% } }$deploy_spec "
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "stacks=$stacks" >>"$GITHUB_OUTPUT"
fi
echo "changed stacks: ${stacks:-none}"
