#!/usr/bin/env bash
# Prove the bundle's llama.cpp uses no instruction above its x86-64-v3 baseline (AVX2/FMA/F16C):
# no AVX-512 (zmm registers, opmask registers) and no AMX (tile instructions) in any library.
#   bash packaging/check_baseline.sh [dist/Enclave]
set -euo pipefail
bundle="${1:-dist/Enclave}"
status=0
for lib in "$bundle"/_internal/llama_cpp/lib/*.so*; do
  [ -f "$lib" ] || continue
  hits=$(objdump -d --no-show-raw-insn "$lib" | grep -cE '%zmm|%k[1-7]\b|\{%k[0-7]\}|tdpb|tileload|tilestore|ldtilecfg' || true)
  printf '%-40s %s\n' "$(basename "$lib")" "$([ "$hits" = 0 ] && echo 'baseline only' || echo "$hits instructions above the baseline")"
  [ "$hits" = 0 ] || status=1
done
exit $status
