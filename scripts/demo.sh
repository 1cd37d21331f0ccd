#!/usr/bin/env bash
# Quick start, command 1: installs what is needed, builds, and runs the gateway on its
# embedded demo config, in front of the provider simulator (no API keys needed).
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh release

SIM_LISTEN="${SWITCHYARD_SIM_LISTEN:-127.0.0.1:9901}"
export SWITCHYARD_SIM_URL="http://${SIM_LISTEN}"
LISTEN="${SWITCHYARD_LISTEN:-127.0.0.1:8080}"

./build/release/switchyard-sim --listen "$SIM_LISTEN" --config tools/sim/sim.yaml &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null || true' EXIT
sleep 0.3

cat <<MSG

  Switchyard is starting on http://${LISTEN} (simulated providers at ${SWITCHYARD_SIM_URL}).
  Try it:

    curl -s http://${LISTEN}/v1/chat/completions -H 'content-type: application/json' \\
      -H 'authorization: Bearer sk-demo' \\
      -d '{"model":"auto","messages":[{"role":"user","content":"Hello!"}]}'

    curl -sN http://${LISTEN}/v1/chat/completions -H 'content-type: application/json' \\
      -H 'authorization: Bearer sk-demo' \\
      -d '{"model":"reasoning","stream":true,"messages":[{"role":"user","content":"Why is the sky blue?"}]}'

    curl -s http://${LISTEN}/v1/models

  Or point any OpenAI SDK at it: OPENAI_BASE_URL=http://${LISTEN}/v1 OPENAI_API_KEY=sk-demo

  Every request is recorded under ./data; from another terminal:

    ./build/release/switchyard spend --by model --since 1d
    ./build/release/switchyard audit search --since 1h
    ./build/release/switchyard audit verify ./data/audit

MSG
./build/release/switchyard serve --listen "$LISTEN"
