#!/usr/bin/env bash
# Sets up what the tests need on a fresh Debian/Ubuntu machine, then runs every check:
# formatting, clippy with warnings as errors, and all tests of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked
