"""`enclave models`: recommend, download, import, list, verify and remove local models."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from app.commands.interrupts import ctrl_c_cancels

_GIB = 2**30
_MIB = 2**20


def register(subparsers: Any) -> None:
    """Add the `models` subcommand and its actions."""
    p = subparsers.add_parser("models", help="get, check and manage local models")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    rec = actions.add_parser("recommend", help="rate the catalog models for this machine")
    rec.add_argument("--json", action="store_true", help="print one JSON object")
    rec.set_defaults(func=run_recommend)

    dl = actions.add_parser("download", help="download a catalog model (the only time Enclave goes online)")
    dl.add_argument("id", help="a catalog id (see `enclave models recommend`)")
    dl.set_defaults(func=run_download)

    imp = actions.add_parser("import", help="add a .gguf copied in by hand (works fully offline)")
    imp.add_argument("file", help="the .gguf file, or the first part of a split model")
    how = imp.add_mutually_exclusive_group()
    for mode, text in (
        ("copy", "copy it into the models folder (default)"),
        ("link", "hard-link it (symlink across disks)"),
        ("move", "move it"),
    ):
        how.add_argument(f"--{mode}", dest="mode", action="store_const", const=mode, help=text)
    imp.set_defaults(func=run_import, mode="copy")

    ls = actions.add_parser("list", help="show installed models")
    ls.add_argument("--json", action="store_true", help="print one JSON array")
    ls.set_defaults(func=run_list)

    ver = actions.add_parser("verify", help="re-hash installed models")
    ver.add_argument("id", nargs="?", help="one model id (default: all)")
    ver.set_defaults(func=run_verify)

    rm = actions.add_parser("remove", help="forget a model and delete its files from the models folder")
    rm.add_argument("id")
    rm.set_defaults(func=run_remove)


def run_recommend(args: argparse.Namespace) -> int:
    """Rate every catalog entry and name the best agent and completion model."""
    from app.commands.output import emit_json, say
    from app.core.paths import user_dirs
    from app.core.runtime.hardware import choose_backend, probe_hardware
    from app.core.settings import Settings
    from app.core.store.catalog import load_catalog
    from app.core.store.fit import recommend
    from app.core.store.location import StoreLocation
    from app.core.store.manifest import Manifest

    settings = Settings.load(user_dirs().settings_file)
    location = StoreLocation.default()
    catalog = load_catalog()
    hw = probe_hardware()
    installed = frozenset(m.id for m in Manifest.load(location.manifest_file).models if m.present())
    free_disk = location.free_disk()
    rec = recommend(catalog, hw, free_disk=free_disk, installed_ids=installed, gpu=settings.gpu)
    backend = choose_backend(hw, gpu=settings.gpu)
    if args.json:
        names = {e.id: e for e in catalog}
        emit_json(
            {
                "agent": rec.agent.model_id if rec.agent else None,
                "completion": rec.completion.model_id if rec.completion else None,
                "note": rec.note,
                "machine": {
                    "ram_total_bytes": hw.total_ram,
                    "ram_free_bytes": hw.free_ram,
                    "vram_total_bytes": hw.vram_total,
                    "vram_free_bytes": hw.vram_free,
                    "backend": backend.backend,
                    "disk_free_bytes": free_disk,
                },
                "models": [
                    {**f.as_dict(), "name": names[f.model_id].name, "verified": names[f.model_id].verified}
                    for f in rec.fits
                ],
            }
        )
        return 0
    say(f"Memory     {hw.free_ram / _GIB:.1f} GiB free of {hw.total_ram / _GIB:.1f} GiB; {backend.backend}")
    say(f"Disk       {free_disk / _GIB:.1f} GiB free for models in {location.models}")
    for label, fit in (("agent model", rec.agent), ("completion model", rec.completion)):
        if fit:
            say(f"Best {label}: {fit.model_id} ({fit.rating}: {fit.reason})")
        else:
            say(f"Best {label}: none fits this machine")
    if rec.note:
        say(f"Together   {rec.note}")
    say("")
    say(f"{'ID':32} {'ROLE':10} {'SIZE':>9} {'RATING':8} {'CONTEXT':>8}  REASON")
    for f in rec.fits:
        size = f"{(f.download_bytes or catalog.require(f.model_id).size) / _GIB:.1f} GiB"
        mark = "*" if f.installed else " "
        say(f"{f.model_id:31}{mark} {f.role:10} {size:>9} {f.rating:8} {f.n_ctx:>8}  {f.reason}")
    if installed:
        say("(* installed)")
    return 0


def run_download(args: argparse.Namespace) -> int:
    """Download one catalog model, showing progress; Ctrl-C cancels cleanly."""
    from app.core.cancel import CancelToken
    from app.core.store.catalog import load_catalog
    from app.core.store.download import download_model

    entry = load_catalog().require(args.id)
    cancel = CancelToken()
    with ctrl_c_cancels(cancel):
        return _follow(
            download_model(entry, cancel=cancel), cancelled="download cancelled; nothing was installed"
        )


def run_import(args: argparse.Namespace) -> int:
    """Import a local .gguf after validating, hashing and probe-loading it."""
    from pathlib import Path

    from app.core.cancel import CancelToken
    from app.core.store.model_import import import_model

    cancel = CancelToken()
    with ctrl_c_cancels(cancel):
        return _follow(
            import_model(Path(args.file), cancel=cancel, mode=args.mode),
            cancelled="import cancelled; nothing was added",
        )


def run_list(args: argparse.Namespace) -> int:
    """Show installed models and GGUFs in the folders the user added."""
    from app.commands.output import emit_json, say
    from app.core.errors import EnclaveError
    from app.core.paths import user_dirs
    from app.core.settings import Settings
    from app.core.store.location import StoreLocation
    from app.core.store.manage import list_models
    from app.core.store.resolve import resolve_model

    settings = Settings.load(user_dirs().settings_file)
    location = StoreLocation.default()
    rows = list_models(location=location, extra_dirs=settings.model_folders())
    try:
        active = str(resolve_model(None, settings=settings, location=location))
    except EnclaveError:
        active = ""
    from pathlib import Path

    from app.commands.doctor import probe_state

    probes = {r.path: probe_state(Path(r.path), sha256=r.sha256, gpu=settings.gpu) for r in rows if r.present}
    if args.json:
        emit_json([{**r.as_dict(), "active": r.path == active, "probe": probes.get(r.path)} for r in rows])
        return 0
    if not rows:
        say("No models installed. Run `enclave models recommend`, then `enclave models download ID`,")
        say("or add a .gguf with `enclave models import FILE`.")
        if active:
            say(f"The demo model is used meanwhile: {active}")
        return 0
    say(f"  {'ID':32} {'ROLE':10} {'SIZE':>9} {'VERIFIED':9} {'SOURCE':8} PATH")
    for r in rows:
        mark = ">" if r.path == active else " "
        state = ("yes" if r.verified else "no") if r.present else "MISSING"
        say(f"{mark} {r.id:32} {r.role:10} {r.size / _GIB:>5.2f} GiB {state:9} {r.source:8} {r.path}")
        note = probes.get(r.path)
        if note and note != "ok":
            say(f"    {note}")
    if active and not any(r.path == active for r in rows):
        say(f"(in use: {active})")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    """Re-hash installed models; exit 1 when any changed or went missing."""
    from app.commands.output import progress, say
    from app.core.cancel import CancelToken
    from app.core.store.catalog import load_catalog
    from app.core.store.location import StoreLocation
    from app.core.store.manage import VerifyResult, verify_models

    cancel = CancelToken()
    failed = 0
    with ctrl_c_cancels(cancel):
        for item in verify_models(
            args.id, location=StoreLocation.default(), cancel=cancel, catalog=load_catalog()
        ):
            if isinstance(item, VerifyResult):
                progress("")
                say(f"{item.model_id}: {'ok' if item.ok else 'FAILED'} ({item.reason})")
                failed += not item.ok
            else:
                progress(f"verifying {item.file}  {item.done / _MIB:,.0f}/{item.total / _MIB:,.0f} MiB")
    return 1 if failed else 0


def run_remove(args: argparse.Namespace) -> int:
    """Forget one model and delete its files from the models folder."""
    from app.commands.output import say, warn
    from app.core.paths import user_dirs
    from app.core.settings import Settings
    from app.core.store.location import StoreLocation
    from app.core.store.manage import remove_model

    model = remove_model(args.id, location=StoreLocation.default())
    say(f"removed {model.id} ({model.size / _GIB:.2f} GiB)")
    if Settings.load(user_dirs().settings_file).model == model.id:
        warn("note: it was the model chosen in settings; Enclave will pick the best installed one instead")
    return 0


def _follow(events: Iterator[Any], *, cancelled: str) -> int:
    from app.commands.output import progress, say, warn
    from app.core.errors import Cancelled
    from app.core.store.progress import ByteProgress, ModelReady, StageChanged

    try:
        for event in events:
            if isinstance(event, ByteProgress):
                progress(_progress_line(event))
            elif isinstance(event, StageChanged):
                progress("")
                warn(f"{event.stage}: {event.message}")
            elif isinstance(event, ModelReady):
                progress("")
                model = event.model
                verb = "already installed" if event.already_installed else "installed"
                say(f"{model.id} {verb}: {model.path} ({model.size / _GIB:.2f} GiB, role {model.role})")
                for note in event.notes:
                    say(f"  note: {note}")
    except Cancelled:
        progress("")
        warn(cancelled)
        raise
    return 0


def _progress_line(event: Any) -> str:
    eta = f"ETA {_duration(event.eta_s)}" if event.eta_s is not None else "ETA --"
    return (
        f"{event.stage} {event.file}: {event.done / _MIB:,.1f}/{event.total / _MIB:,.1f} MiB "
        f"({event.fraction:.0%})  {event.bytes_per_s / _MIB:.1f} MiB/s  {eta}"
    )


def _duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"
