#!/bin/sh
# Rewrites the committed shell completion scripts from the current command line definition.
# Run from anywhere; tests/completions.rs fails until these files match the binary.
set -eu
cd "$(dirname "$0")/.."
gen() {
    cargo run --quiet -- completions "$1" >"completions/$2"
    echo "completions/$2"
}
gen bash interlock-split.bash
gen zsh _interlock-split
gen fish interlock-split.fish
gen elvish interlock-split.elv
gen powershell _interlock-split.ps1
