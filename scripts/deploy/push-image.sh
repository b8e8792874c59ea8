#!/usr/bin/env bash
# usage: scripts/deploy/push-image.sh SPEC REPOSITORY DOCKERFILE TAG
# Builds DOCKERFILE from the current checkout and pushes it as <uri>:TAG to REPOSITORY, one of
# SPEC's registry.repositories (the ECR repository <stack>/<repository> in the stack's region).
# A tag already in the repository is not built again: tags are immutable, and the same commit
# builds the same image, so a re-run deploys what the first run pushed.
# DEPLOY_SKIP_BUILD=true skips the login, the build and the push (a machine without Docker, the
# test suite); the repository is still looked up for real.
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: $0 SPEC REPOSITORY DOCKERFILE TAG" >&2
  exit 1
fi
spec="$1" repository="$2" dockerfile="$3" tag="$4"

found="$(node --import tsx scripts/deploy/registry-image.ts "$spec" "$repository" "$tag")"
value() { sed -n "s/^$1=//p" <<<"$found"; }
region="$(value region)" registry="$(value registry)" image="$(value image)"

if [ "$(value pushed)" = true ]; then
  echo "$image is in the registry already: not built again"
elif [ "${DEPLOY_SKIP_BUILD:-}" = true ]; then
  echo "DEPLOY_SKIP_BUILD=true: not building or pushing $image"
else
  aws ecr get-login-password --region "$region" |
    docker login --username AWS --password-stdin "$registry"
  docker build --pull --file "$dockerfile" --tag "$image" .
  docker push "$image"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "$repository=$image" >>"$GITHUB_OUTPUT"
fi
