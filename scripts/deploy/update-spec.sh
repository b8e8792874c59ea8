#!/usr/bin/env bash
# usage: scripts/deploy/update-spec.sh SPEC TAG REPOSITORY...
# Makes git say what runs: on the tip of the deploy branch (DEPLOY_BRANCH, default main), names
# image tag TAG in every service of SPEC that runs an image of one of the REPOSITORIES, commits
# that one file and pushes it to origin. A push that loses a race with another push is rebased
# and tried again (3 times). Nothing is committed when the spec names TAG already (a re-run).
# Afterwards the checkout is on the branch tip, ready for apply.
set -euo pipefail

if [ "$#" -lt 3 ]; then
  echo "usage: $0 SPEC TAG REPOSITORY..." >&2
  exit 1
fi
spec="$1" tag="$2"
shift 2
branch="${DEPLOY_BRANCH:-main}"

git fetch --quiet origin "$branch"
# never drop local commits: a local branch must be part of what origin has
if git rev-parse --verify --quiet "refs/heads/$branch" >/dev/null &&
  ! git merge-base --is-ancestor "refs/heads/$branch" "origin/$branch"; then
  echo "update-spec: local $branch has commits origin/$branch does not: push or drop them first" >&2
  exit 1
fi
git checkout --quiet -B "$branch" "origin/$branch"
node --import tsx scripts/deploy/set-image.ts "$spec" "$tag" "$@"
if git diff --quiet -- "$spec"; then
  echo "$spec names $tag already: nothing to commit"
  exit 0
fi

git config user.name >/dev/null || git config user.name "github-actions[bot]"
git config user.email >/dev/null ||
  git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
git commit --quiet --message "deploy: $tag ($*) in $spec" -- "$spec"
for attempt in 1 2 3; do
  if git push --quiet origin "HEAD:$branch"; then
    echo "committed $(git rev-parse --short HEAD) to $branch: $spec names $tag"
    exit 0
  fi
  echo "push to $branch rejected (attempt $attempt): rebasing on the new tip" >&2
  git fetch --quiet origin "$branch"
  git rebase --quiet "origin/$branch"
done
echo "update-spec: could not push to $branch" >&2
exit 1
