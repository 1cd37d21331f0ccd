#!/usr/bin/env bash
# Installs every Debian package Switchyard needs to build, test and benchmark.
# Idempotent: packages already present are skipped by apt-get.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates curl
  libboost1.81-dev libboost-system1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsimdjson-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  libsqlite3-dev libssl-dev zlib1g-dev nlohmann-json3-dev libsodium-dev libpq-dev postgresql
  libhiredis-dev redis-server   # budgets and rate limits shared by replicas (and their tests)
  libgtest-dev libgmock-dev libbenchmark-dev libhyperscan-dev libtomlplusplus-dev
  libpcre2-dev                  # JSON Schema `pattern` (ECMA-262 regexes)
  nginx-light wrk procps
  clang-16 libclang-rt-16-dev   # the fuzz targets (scripts/fuzz.sh)
)

# Node.js: this machine image ships it (with npm bundled); a bare Debian 12 gets
# Debian's packages. Installing Debian's npm over a vendor nodejs conflicts.
if ! command -v npm >/dev/null 2>&1; then PACKAGES+=(nodejs npm); fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# nginx-light ships an enabled default site; the benchmark runs its own nginx
# with its own config, so the system service is never needed.
echo "install-deps: all packages present"
