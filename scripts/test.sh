#!/usr/bin/env bash
# Quick start, command 2: installs what is needed, builds, and runs every test:
# the C++ unit and integration suites (CTest, which also starts a PostgreSQL server
# for the store tests), the end-to-end suite that drives the gateway with the official
# `openai` npm SDK, and every fuzz target for SY_FUZZ_SECONDS (default 30) each.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh release

echo "== C++ unit and integration tests (ctest)"
ctest --preset release -j "$(nproc)" --timeout 300

echo "== end-to-end tests (official openai SDK)"
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error && npm test)

echo "== fuzz targets (libFuzzer, clang), ${SY_FUZZ_SECONDS:-30} s each"
./scripts/fuzz.sh "${SY_FUZZ_SECONDS:-30}"
