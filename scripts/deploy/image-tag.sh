#!/usr/bin/env bash
# The image tag a deploy builds and names in the spec: 1.2.3 for a version tag v1.2.3, the commit
# SHA for anything else. Reads GITHUB_REF and GITHUB_SHA (outside GitHub: set GITHUB_REF to
# refs/tags/v1.2.3 for a release; the SHA defaults to HEAD). Prints the tag and, when
# GITHUB_OUTPUT is set, writes tag=<tag> to it.
set -euo pipefail

ref="${GITHUB_REF:-}"
sha="${GITHUB_SHA:-$(git rev-parse HEAD)}"
if [[ "$ref" == refs/tags/v* ]]; then
  tag="${ref#refs/tags/v}"
else
  tag="$sha"
fi
if ! [[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  echo "image-tag: '$tag' (from ${ref:-$sha}) is not a valid image tag" >&2
  exit 1
fi
echo "$tag"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "tag=$tag" >>"$GITHUB_OUTPUT"
fi
