"""Download throughput: Enclave's resumable, hashing byte loop vs `hf_hub_download`, same fake Hub.

Run: .venv/bin/python -m tests.benchmarks.bench_download [MiB]
Both fetch the same file from a Hub + CDN pair on 127.0.0.1 (tests/support/fake_hub.py), so the
ratio shows what the loop costs (sha256 while writing, cancel checks, progress), not the network.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    """Time both downloads three times each and print the best of each and their ratio."""
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    data = os.urandom(mib * 2**20)
    home = Path(tempfile.mkdtemp(prefix="enclave-bench-"))
    os.environ["ENCLAVE_HOME"] = str(home)
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    from app.core.cancel import CancelToken
    from app.core.store.catalog import CatalogFile
    from app.core.store.download import download_model
    from app.core.store.progress import StageChanged
    from tests.integration.test_download import make_entry
    from tests.support.fake_hub import COMMIT, running_hub

    with running_hub() as hub:
        hub.add("bench/big", "big.gguf", data)
        os.environ["HF_ENDPOINT"] = hub.hub_url
        import huggingface_hub

        ours, theirs = [], []
        for run in range(3):
            entry = make_entry((CatalogFile("big.gguf", len(data), ""),), id=f"bench-{run}", repo="bench/big")
            start = time.perf_counter()
            events = download_model(entry, cancel=CancelToken(), probe=False)
            for event in events:
                if isinstance(event, StageChanged) and event.stage == "checking":
                    break  # every byte is on disk and hashed; GGUF checks are not the subject here
            ours.append(time.perf_counter() - start)
            events.close()

            start = time.perf_counter()
            huggingface_hub.hf_hub_download(
                "bench/big", "big.gguf", revision=COMMIT, local_dir=home / f"hf-{run}", endpoint=hub.hub_url
            )
            theirs.append(time.perf_counter() - start)
    best_ours, best_theirs = min(ours), min(theirs)
    print(f"machine: {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"file: {mib} MiB over 127.0.0.1; best of 3")
    print(f"baseline hf_hub_download: {best_theirs:.2f} s ({mib / best_theirs:.0f} MiB/s), no sha256 check")
    print(f"enclave download_model:   {best_ours:.2f} s ({mib / best_ours:.0f} MiB/s), sha256 while writing")
    print(f"ratio enclave/baseline time: {best_ours / best_theirs:.2f}")


if __name__ == "__main__":
    main()
