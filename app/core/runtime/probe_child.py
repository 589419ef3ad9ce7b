"""Run in a child process: load one GGUF with given settings, read a short prompt, generate a few tokens.

A crash here (a segfault in the first decode, a GGML_ASSERT abort) ends only this process;
the parent then tries safer settings. Imports only the network guard and the load settings
from Enclave, so it starts fast. Prints one JSON line on stdout; exit 0 means the model works.

`ENCLAVE_PROBE_FAULT` (comma-separated: `extra_bufts`, `gpu`, `batch`, `always`) makes the
child die by SIGSEGV right after the load, where the first decode would run, while a named
setting is in its riskier state; `hang` makes it stall instead. The tests walk the fallback
chain and Ctrl-C with it on machines where nothing really crashes.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from app.core.runtime.load_settings import SMALL_BATCH, LoadSettings, model_params

PROMPT = "Write one short sentence about the sea, then stop."
GENERATE = 4
FAULT_ENV = "ENCLAVE_PROBE_FAULT"


def main(argv: list[str]) -> int:
    """Load `argv[0]` with the settings in `argv[1]` (JSON) and decode."""
    if len(argv) != 2:
        print(json.dumps({"ok": False, "error": "usage: probe_child MODEL.gguf SETTINGS-JSON"}))
        return 2
    # The same network guard as the app, before llama_cpp is imported.
    from app.core.privacy.guard import install

    install()

    settings = LoadSettings.from_dict(json.loads(argv[1]))
    try:
        import llama_cpp

        with model_params(extra_bufts=settings.extra_bufts):
            llm = llama_cpp.Llama(
                model_path=argv[0],
                n_ctx=256,
                n_batch=min(settings.n_batch, 256),
                n_ubatch=min(settings.n_batch, 256),
                n_threads=max(1, min(4, os.cpu_count() or 1)),
                n_gpu_layers=settings.n_gpu_layers,
                verbose=False,
            )
        _inject_fault(settings)
        prompt = llm.tokenize(PROMPT.encode("utf-8"), add_bos=True, special=False)
        made = 0
        for token in llm.generate(prompt, top_k=1, temp=0.0):
            made += 1
            if made >= GENERATE or llama_cpp.llama_vocab_is_eog(llm._model.vocab, token):
                break
        n_vocab = llm.n_vocab()
        llm.close()
    except Exception as exc:  # any failure is the answer, reported to the parent
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}))
        return 1
    print(json.dumps({"ok": True, "n_vocab": n_vocab, "tokens": made}))
    return 0


def _inject_fault(settings: LoadSettings) -> None:
    wanted = {w.strip() for w in os.environ.get(FAULT_ENV, "").split(",") if w.strip()}
    if not wanted:
        return
    if "hang" in wanted:
        time.sleep(600)
    risky = {
        "always": True,
        "extra_bufts": settings.extra_bufts,
        "gpu": settings.n_gpu_layers != 0,
        "batch": settings.n_batch > SMALL_BATCH,
    }
    if any(risky.get(name, False) for name in wanted):
        os.kill(os.getpid(), signal.SIGSEGV)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
