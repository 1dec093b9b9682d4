#!/bin/sh
# Builds the FROM-scratch image of interlock-split (dist/Dockerfile) and prints its tag.
#   dist/build-image.sh [TAG]     default TAG: interlock-split:<version>
# The static binary comes from dist/build-static.sh (a no-op when it is up to date). The build
# context is staged in the target directory, so that Docker is sent a few files, not the tree.
set -eu
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
tag=${1:-interlock-split:$version}
binary=$(dist/build-static.sh --quiet)
context="${CARGO_TARGET_DIR:-target}/dist-image"
rm -rf "$context"
mkdir -p "$context/rootfs/tmp" "$context/rootfs/root"
chmod 1777 "$context/rootfs/tmp"
chmod 0700 "$context/rootfs/root"
cp -R dist/rootfs/etc "$context/rootfs/"
cp dist/Dockerfile "$context/Dockerfile"
cp "$binary" "$context/interlock-split"
docker build --quiet --label "org.opencontainers.image.version=$version" -t "$tag" "$context" >&2
echo "$tag"
