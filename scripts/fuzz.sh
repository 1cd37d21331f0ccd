#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang 16 (the `fuzz` preset, build/fuzz) and
# runs each one for SECONDS (default 30) on a copy of its seed corpus fuzz/corpus/<name>/,
# one at a time. Exits non-zero if any target finds a crash, a leak, a timeout or an OOM;
# the input that did it is kept under build/fuzz/artifacts/<name>/ (replay it with
# build/fuzz/<name>_fuzz FILE).
#
#   scripts/fuzz.sh [SECONDS [NAME...]]    only the named targets (built and run);
#                                          SWITCHYARD_JOBS=N sets the build's parallelism
set -euo pipefail
cd "$(dirname "$0")/.."

PER_TARGET="${1:-30}"
shift $(( $# > 0 ? 1 : 0 ))
JOBS="${SWITCHYARD_JOBS:-$(nproc)}"
if ! [[ "$PER_TARGET" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS [NAME...]]  (seconds per target, a positive integer)" >&2
  exit 2
fi
names=("$@")
targets=()  # what to build: only the named targets, or everything
for name in "${names[@]}"; do targets+=(--target "${name}_fuzz"); done
if [ "${#names[@]}" -eq 0 ]; then
  for source in fuzz/*_fuzz.cc; do names+=("$(basename "$source" _fuzz.cc)"); done
fi

# The project's packages, clang 16 and its libFuzzer runtime among them.
./scripts/install-deps.sh

echo "== building the fuzz targets (build/fuzz)"
build_start=$(date +%s)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$JOBS" "${targets[@]}"
echo "fuzz: build took $(( $(date +%s) - build_start )) s"

# Symbolized stacks in reports (llvm-16's symbolizer if installed, else the system one).
symbolizer=/usr/lib/llvm-16/bin/llvm-symbolizer
[ -x "$symbolizer" ] || symbolizer="$(command -v llvm-symbolizer || true)"
if [ -n "$symbolizer" ]; then export ASAN_SYMBOLIZER_PATH="$symbolizer"; fi
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
artifacts="build/fuzz/artifacts"

echo "== running each target for ${PER_TARGET} s"
passed=0
failed=0
run_start=$(date +%s)
for name in "${names[@]}"; do
  binary="build/fuzz/${name}_fuzz"
  seeds="fuzz/corpus/$name"
  if [ ! -x "$binary" ] || [ ! -d "$seeds" ]; then
    echo "fuzz: $name: FAILED (missing $binary or $seeds)"
    failed=$((failed + 1))
    continue
  fi
  rm -rf "${artifacts:?}/$name"  # findings of an earlier run
  mkdir -p "$work/$name/corpus" "$artifacts/$name"
  cp "$seeds"/* "$work/$name/corpus/"
  log="$work/$name/log"
  status=0
  "$binary" "$work/$name/corpus" -max_total_time="$PER_TARGET" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$name/" \
    >"$log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  corpus_size="$(find "$work/$name/corpus" -type f | wc -l)"
  if [ "$status" -eq 0 ]; then
    printf 'fuzz: %-16s ok      %10s execs  corpus %d\n' "$name" "${execs:-?}" "$corpus_size"
    passed=$((passed + 1))
  else
    printf 'fuzz: %-16s FAILED  %10s execs  (exit %d)\n' "$name" "${execs:-?}" "$status"
    input="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)"
    echo "  input: ${input:-(none written)}"
    cp "$log" "$artifacts/$name/report.txt"
    echo "  report: $artifacts/$name/report.txt; first lines:"
    grep -m 1 -A 24 -E '^==[0-9]+==ERROR|FUZZ_CHECK failed|^ALARM|out-of-memory|runtime error' \
      "$log" | sed 's/^/    /' || tail -n 25 "$log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
done
echo "fuzz: running took $(( $(date +%s) - run_start )) s"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
