#!/usr/bin/env bash
# Runs the chaos and load suites N times (default 3) on the real AppHost and sums their figures:
# benchmarks/results/reliability-repeat/{chaos,load}-<i>.json per repetition, summary.json over all of them.
# One CI run injects each fault once; this is how often the mechanisms held over repetitions.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repetitions="${1:-3}"
out="${2:-$PWD/benchmarks/results/reliability-repeat}"
mkdir -p "$out"
rm -f "$out"/chaos-*.json "$out"/load-*.json "$out"/exit-codes.txt
for suite in Chaos Load; do
  dotnet build "tests/ActiveSynth.$suite.Tests" -v q --nologo || exit 1
done
for i in $(seq 1 "$repetitions"); do
  ACTIVESYNTH_RELIABILITY_OUT_CHAOS="$out/chaos-$i.json" dotnet test tests/ActiveSynth.Chaos.Tests --no-build
  echo "chaos $i $?" >> "$out/exit-codes.txt"
  ACTIVESYNTH_RELIABILITY_OUT_LOAD="$out/load-$i.json" dotnet test tests/ActiveSynth.Load.Tests --no-build
  echo "load $i $?" >> "$out/exit-codes.txt"
done
dotnet run benchmarks/reliability/summarize.cs -- "$out"
