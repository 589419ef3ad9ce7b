"""`enclave doctor`: what this installation can do, for a user or a bug report."""

from __future__ import annotations

import argparse
import platform
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `doctor` subcommand."""
    p = subparsers.add_parser("doctor", help="show versions, backend, memory, models and privacy state")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def collect() -> dict[str, Any]:
    """Everything doctor reports, as plain data."""
    from app import __version__
    from app.core.paths import user_dirs
    from app.core.runtime.hardware import choose_backend, probe_hardware
    from app.core.settings import Settings
    from app.core.store.demo import demo_model_path

    dirs = user_dirs()
    settings = Settings.load(dirs.settings_file)
    hw = probe_hardware()
    backend = choose_backend(hw, gpu=settings.gpu)
    report: dict[str, Any] = {
        "enclave": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "llama_cpp": _llama_version(),
        "backend": backend.backend,
        "backend_reason": backend.reason,
        "gpu_offload_supported": _gpu_offload_supported(),
        "gpu_backends_compiled": list(hw.gpu_backends),
        "ram_total_bytes": hw.total_ram,
        "ram_free_bytes": hw.free_ram,
        "cpu_cores": {"physical": hw.physical_cores, "logical": hw.logical_cores},
        "vram_total_bytes": hw.vram_total,
        "user_dirs": {"config": str(dirs.config), "data": str(dirs.data), "portable": dirs.portable},
        "models": _installed_models(settings.extra_model_dirs),
        "demo_model": str(demo_model_path() or ""),
    }
    report.update(_privacy_state())
    report["sandbox"] = _sandbox()
    return report


def _sandbox() -> dict[str, Any]:
    from app.core.agent.sandbox import sandbox_state

    state = sandbox_state()
    return {"bubblewrap": state.bwrap, "works": state.problem is None, "problem": state.problem}


def _llama_version() -> str:
    try:
        from importlib.metadata import version

        return version("llama-cpp-python")
    except Exception:  # the package is missing or broken: doctor still reports the rest
        return "not installed"


def _gpu_offload_supported() -> bool:
    try:
        import llama_cpp

        return bool(llama_cpp.llama_supports_gpu_offload())
    except Exception:  # a missing or broken native library is reported, not raised
        return False


def _installed_models(extra_dirs: list[str]) -> list[dict[str, Any]]:
    from app.core.errors import EnclaveError
    from app.core.store.location import StoreLocation
    from app.core.store.manage import list_models

    try:
        rows = list_models(location=StoreLocation.default(), extra_dirs=extra_dirs)
    except (OSError, EnclaveError):
        return []  # an unreadable manifest is reported by `enclave models list`
    return [
        {"id": r.id, "role": r.role, "size": r.size, "verified": r.verified, "present": r.present}
        for r in rows
    ]


def _privacy_state() -> dict[str, Any]:
    from app.core.privacy import guard

    return {
        "network_guard": "on" if guard.is_installed() else "off",
        "network_gate_open": guard.gate_open(),
        "refused_attempts": guard.refused_count(),
        "ledger": guard.ledger_as_dicts(),
    }


def run(args: argparse.Namespace) -> int:
    """Print the report."""
    from app.commands.output import emit_json, say

    report = collect()
    if args.json:
        emit_json(report)
        return 0
    gib = 2**30
    say(f"Enclave {report['enclave']}  (Python {report['python']}, {sys.platform})")
    say(f"llama.cpp      llama-cpp-python {report['llama_cpp']}")
    say(f"backend        {report['backend']}: {report['backend_reason']}")
    say(f"GPU offload    {'supported' if report['gpu_offload_supported'] else 'not in this build'}")
    say(
        f"memory         {report['ram_free_bytes'] / gib:.1f} GiB free of {report['ram_total_bytes'] / gib:.1f} GiB"
    )
    cores = report["cpu_cores"]
    say(f"CPU            {cores['physical']} physical / {cores['logical']} logical cores")
    say(
        f"data folder    {report['user_dirs']['data']}{' (portable)' if report['user_dirs']['portable'] else ''}"
    )
    models = report["models"]
    say(
        f"models         {len(models)} installed"
        + (f"; demo: {report['demo_model']}" if report["demo_model"] else "")
    )
    for m in models:
        state = ("verified" if m["verified"] else "unverified") if m["present"] else "missing"
        say(f"  {m['id']}  {m['role']}  {m['size'] / gib:.2f} GiB  {state}")
    sandbox = report["sandbox"]
    say(
        "sandbox        "
        + ("bubblewrap: commands run with no network" if sandbox["works"] else f"off ({sandbox['problem']})")
    )
    say(f"network guard  {report['network_guard']}; {report['refused_attempts']} refused attempt(s)")
    for entry in report["ledger"]:
        verdict = "allowed" if entry["allowed"] else "refused"
        say(f"  {verdict:8} {entry['operation']:13} {entry['target']}  ({entry['module']})")
    return 0
