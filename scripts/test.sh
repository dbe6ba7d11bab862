#!/usr/bin/env bash
# Sets up what the tests need on a fresh Debian/Ubuntu machine, then runs every check:
# formatting, clippy with warnings as errors, the Rust tests (core, commands through Tauri's
# mock runtime, bindings freshness), the server's API fuzzed by schemathesis, the UI's type
# check and component tests, and the end-to-end tests of the real app under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if ! command -v tauri-driver >/dev/null 2>&1; then
    cargo install tauri-driver --version 2.1.0 --locked
fi

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (core, commands, bindings)"
cargo test --workspace --locked

step "the server's API fuzzed from its OpenAPI document (schemathesis)"
bash scripts/schemathesis.sh

step "UI: svelte-check and component tests"
npm --prefix ui run check
npm --prefix ui test

step "end-to-end: the real app under Xvfb"
bash scripts/e2e.sh
