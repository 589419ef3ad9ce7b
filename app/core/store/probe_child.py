"""Run in a child process: load one GGUF with llama.cpp and generate one token.

Imports only the network guard from Enclave, so it starts fast; a crash here (a GGML_ASSERT abort, a segfault)
ends only this process. Prints one JSON line on stdout; exit 0 means the model works.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    """Load `argv[0]` with a tiny context and decode one token."""
    if len(argv) != 1:
        print(json.dumps({"ok": False, "error": "usage: probe_child MODEL.gguf"}))
        return 2
    # The same network guard as the app, before llama_cpp is imported.
    from app.core.privacy.guard import install

    install()
    try:
        import llama_cpp

        llm = llama_cpp.Llama(
            model_path=argv[0], n_ctx=128, n_batch=64, n_threads=2, n_gpu_layers=0, verbose=False
        )
        out = llm.create_completion("Hello", max_tokens=1, temperature=0.0)
        n_vocab = llm.n_vocab()
        llm.close()
    except Exception as exc:  # any failure is the answer, reported to the parent
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}))
        return 1
    usage = out.get("usage", {}) if isinstance(out, dict) else {}
    print(json.dumps({"ok": True, "n_vocab": n_vocab, "tokens": usage.get("completion_tokens", 0)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
