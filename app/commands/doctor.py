"""`enclave doctor`: what this installation can do, for a user or a bug report."""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path
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
    demo = demo_model_path()
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
        "models": _installed_models(settings.model_folders(), gpu=settings.gpu),
        "demo_model": str(demo or ""),
        "demo_model_probe": probe_state(demo, sha256=None, gpu=settings.gpu) if demo else None,
        "cpu_features": _cpu_features(),
        "cpu_unused": _cpu_unused(),
    }
    report.update(_privacy_state())
    report["endpoints"] = _endpoints(settings)
    report["sandbox"] = _sandbox()
    return report


def _endpoints(settings: Any) -> dict[str, Any]:
    from app.core.remote import registry
    from app.core.remote.policy import current_policy

    policy = current_policy()
    return {
        "policy": policy.message or "allowed",
        "configured": [
            {"name": e.name, "url": e.url, "model": e.model} for e in registry.endpoints(settings)
        ],
        "roles": {role: registry.role_endpoint(settings, role) for role in registry.ROLES},
    }


def _sandbox() -> dict[str, Any]:
    from app.core.agent.sandbox import sandbox_state

    state = sandbox_state()
    return {"bubblewrap": state.bwrap, "works": state.problem is None, "problem": state.problem}


def _cpu_features() -> str:
    """The CPU features this llama.cpp build uses here (AVX2, AVX512, AMX_INT8...), from its system info."""
    try:
        import llama_cpp

        info = llama_cpp.llama_print_system_info()
    except Exception:  # a missing or broken native library is reported, not raised
        return ""
    text = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
    # "CPU : SSE3 = 1 | AVX2 = 1 | AMX_INT8 = 1 | ..." -> "SSE3 AVX2 AMX_INT8 ..."
    parts = (part.split(":")[-1] for part in text.split("|"))
    on = [part.split("=")[0].strip() for part in parts if part.strip().endswith("= 1")]
    return " ".join(on)


# llama.cpp's name for a CPU feature, and the /proc/cpuinfo flag that says this CPU has it.
_FEATURE_FLAGS = {"AVX2": "avx2", "AVX512": "avx512f", "AVX_VNNI": "avx_vnni", "AMX_INT8": "amx_int8"}


def _cpu_unused() -> str:
    """Features this CPU has that the llama.cpp build does not use: what a baseline build gives up.

    Empty for a build compiled for this machine (pip's default, `GGML_NATIVE=ON`); the
    bundle's AVX2 baseline build names AVX512 and AMX here on a server that has them.
    """
    try:
        flags = set(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").split())
    except OSError:
        return ""
    built = set(_cpu_features().split())
    return " ".join(name for name, flag in _FEATURE_FLAGS.items() if flag in flags and name not in built)


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


def _installed_models(extra_dirs: list[str], *, gpu: str) -> list[dict[str, Any]]:
    from app.core.errors import EnclaveError
    from app.core.store.location import StoreLocation
    from app.core.store.manage import list_models

    try:
        rows = list_models(location=StoreLocation.default(), extra_dirs=extra_dirs)
    except (OSError, EnclaveError):
        return []  # an unreadable manifest is reported by `enclave models list`
    return [
        {
            "id": r.id,
            "role": r.role,
            "size": r.size,
            "verified": r.verified,
            "present": r.present,
            "probe": probe_state(Path(r.path), sha256=r.sha256, gpu=gpu),
        }
        for r in rows
    ]


def probe_state(path: Path, *, sha256: str | None, gpu: str) -> str | None:
    """What the first-use probe found for a model here: None (not yet), "ok", or what it turned off."""
    from app.core.runtime.load_probe import known_outcome

    try:
        return known_outcome(path, sha256=sha256, gpu=gpu)
    except Exception:  # a broken llama.cpp install is reported elsewhere; the list still shows
        return None


def _privacy_state() -> dict[str, Any]:
    from app.core.privacy import guard

    return {
        "network_guard": "on" if guard.is_installed() else "off",
        "network_gate_open": guard.gate_open(),
        "refused_attempts": guard.refused_count(),
        "ledger": guard.ledger_as_dicts(),
    }


def _probe_words(state: str | None) -> str:
    if state is None:
        return "(not yet checked on this machine: checked at first use)"
    return "runs here" if state == "ok" else state


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
        say(f"  {m['id']}  {m['role']}  {m['size'] / gib:.2f} GiB  {state}  {_probe_words(m['probe'])}")
    if report["demo_model"]:
        say(f"  demo  {_probe_words(report['demo_model_probe'])}")
    if report["cpu_features"]:
        say(f"CPU features   {report['cpu_features']}")
        if report["cpu_unused"]:
            say(f"CPU build      a portable baseline: this CPU's {report['cpu_unused']} not used")
        else:
            say("CPU build      uses every feature llama.cpp knows of this CPU")
    sandbox = report["sandbox"]
    say(
        "sandbox        "
        + (
            "bubblewrap: commands see the system read-only and the project, no network, no home"
            if sandbox["works"]
            else f"off ({sandbox['problem']}): every command is asked about"
        )
    )
    endpoints = report["endpoints"]
    if endpoints["policy"] != "allowed":
        say(f"endpoints      off: {endpoints['policy']}")
    elif endpoints["configured"]:
        used = {name for name in endpoints["roles"].values() if name}
        names = ", ".join(
            e["name"] + (" (in use)" if e["name"] in used else "") for e in endpoints["configured"]
        )
        say(f"endpoints      {names}: opt-in remote models (`enclave endpoint list`)")
    else:
        say("endpoints      none: every model runs on this machine")
    say(f"network guard  {report['network_guard']}; {report['refused_attempts']} refused attempt(s)")
    for entry in report["ledger"]:
        verdict = "allowed" if entry["allowed"] else "refused"
        say(f"  {verdict:8} {entry['operation']:13} {entry['target']}  ({entry['module']})")
    return 0
