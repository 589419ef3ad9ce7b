"""`enclave endpoint`: add, list, test, use and remove OpenAI-compatible endpoints (opt-in).

Nothing here sends anything except `test`, which the user runs on purpose. Keys go to the
OS keyring (`--key-env VAR` or `--key-stdin`, so a key is never in the shell history).
"""

from __future__ import annotations

import argparse
from typing import Any

from app.commands.arguments import positive_int


def register(subparsers: Any) -> None:
    """Add the `endpoint` subcommand and its actions."""
    p = subparsers.add_parser(
        "endpoint", help="opt-in remote models: a team vLLM/llama-server, or a hosted one with your key"
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add (or replace) an endpoint; sends nothing")
    add.add_argument("name", help="a short name, e.g. team-gpu")
    add.add_argument("url", help="the base URL, e.g. https://gpu.example.com/v1 (http:// for this machine)")
    add.add_argument("--model", required=True, help="the model id the server serves")
    key = add.add_mutually_exclusive_group()
    key.add_argument("--key-env", metavar="VAR", help="read the API key from environment variable VAR")
    key.add_argument("--key-stdin", action="store_true", help="read the API key from standard input")
    add.add_argument(
        "--unencrypted",
        action="store_true",
        help="confirm plain http:// to another machine: the conversation travels unencrypted",
    )
    add.add_argument(
        "--context",
        type=positive_int,
        default=0,
        metavar="N",
        help="context length, if the server does not say",
    )
    add.add_argument(
        "--ca-bundle",
        metavar="PEM",
        help="extra CA certificates for TLS behind a corporate CA (for every endpoint)",
    )
    add.add_argument(
        "--use",
        choices=("agent", "chat", "completion", "both"),
        help="also make a role use it (both: agent and chat)",
    )
    add.set_defaults(func=run_add)

    ls = actions.add_parser("list", help="show the endpoints (no keys) and which role uses which")
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    ls.set_defaults(func=run_list)

    test = actions.add_parser("test", help="reach an endpoint: models served, context length, tool support")
    test.add_argument("name")
    test.add_argument("--no-tools", action="store_true", help="skip the tool-call check (one small request)")
    test.add_argument("--json", action="store_true", help="print one JSON object")
    test.set_defaults(func=run_test)

    use = actions.add_parser("use", help="make a role use an endpoint, or the local model again")
    use.add_argument("name", nargs="?", help="the endpoint (omit with --local)")
    use.add_argument("--role", choices=("agent", "chat", "completion", "both"), default="both")
    use.add_argument("--local", action="store_true", help="use the local model for the role")
    use.set_defaults(func=run_use)

    rm = actions.add_parser("remove", help="forget an endpoint and delete its key from the keyring")
    rm.add_argument("name")
    rm.set_defaults(func=run_remove)


def _load() -> tuple[Any, Any]:
    from app.core.paths import user_dirs
    from app.core.settings import Settings

    path = user_dirs().settings_file
    return Settings.load(path), path


def _roles(choice: str) -> tuple[str, ...]:
    return ("agent", "chat") if choice == "both" else (choice,)


def run_add(args: argparse.Namespace) -> int:
    """Check and store the endpoint; its key goes to the keyring."""
    import os
    import sys

    from app.commands.output import escape_name, say, warn
    from app.core.errors import EnclaveError
    from app.core.remote import registry
    from app.core.remote.endpoint import make_endpoint
    from app.core.remote.keys import NO_BACKEND, env_name, key_store
    from app.core.remote.policy import current_policy

    policy = current_policy()
    if not policy.endpoints_allowed:
        raise EnclaveError(policy.message)
    endpoint = make_endpoint(
        args.name, url=args.url, model=args.model, unencrypted=args.unencrypted, context=args.context
    )
    key = ""
    if args.key_env:
        key = os.environ.get(args.key_env, "").strip()
        if not key:
            raise EnclaveError(f"${args.key_env} is empty or not set")
    elif args.key_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            raise EnclaveError("no key on standard input")
    settings, path = _load()
    if args.ca_bundle:
        from pathlib import Path

        from app.core.remote.connection import tls_context

        bundle = str(Path(args.ca_bundle).expanduser().resolve())
        tls_context(bundle)  # refuses a file that is not a readable PEM bundle
        settings.ca_bundle = bundle
    registry.add(settings, endpoint)
    for role in _roles(args.use) if args.use else ():
        registry.set_role(settings, role, endpoint.name)
    settings.save(path)
    if key and not key_store().set(endpoint.name, key):
        warn("note: " + NO_BACKEND.format(env=env_name(endpoint.name)))
    say(
        f"added {escape_name(endpoint.name)}: {escape_name(endpoint.url)} (model {escape_name(endpoint.model)})"
    )
    if endpoint.unencrypted and not endpoint.loopback:
        warn("note: plain http:// to another machine: the conversation travels unencrypted")
    if args.use:
        say(f"{' and '.join(_roles(args.use))} now use{'s' if args.use != 'both' else ''} it")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """One line per endpoint (no keys), the roles, and the policy."""
    from app.commands.output import emit_json, escape_name, say
    from app.core.remote import registry
    from app.core.remote.keys import key_store
    from app.core.remote.policy import current_policy

    settings, _path = _load()
    policy = current_policy()
    store = key_store()
    items = [
        {**e.as_dict(), "url": e.url, "key": store.get(e.name) is not None}
        for e in registry.endpoints(settings)
    ]
    roles = {role: registry.role_endpoint(settings, role) for role in registry.ROLES}
    if args.json:
        emit_json({"endpoints": items, "roles": roles, "policy": policy.message or "endpoints allowed"})
        return 0
    if policy.message:
        say(policy.message)
    if not items:
        say("no endpoints: everything runs on this machine (add one with `enclave endpoint add`)")
    for item in items:
        used = [role for role, name in roles.items() if name == item["name"]]
        say(
            f"{escape_name(item['name'])}: {escape_name(item['url'])} model {escape_name(item['model'])}"
            f"{' · key in keyring' if item['key'] else ''}{' · used by ' + ', '.join(used) if used else ''}"
        )
    return 0


def run_test(args: argparse.Namespace) -> int:
    """Reach the endpoint and report; exit 1 when it cannot be reached."""
    from app.commands.interrupts import ctrl_c_cancels
    from app.commands.output import emit_json, say
    from app.core.cancel import CancelToken
    from app.core.remote import registry
    from app.core.remote.endpoint_check import check_endpoint, report_lines
    from app.core.remote.keys import key_store

    settings, _path = _load()
    endpoint = registry.find(settings, args.name)
    cancel = CancelToken()
    with ctrl_c_cancels(cancel):
        report = check_endpoint(
            endpoint,
            api_key=key_store().get(endpoint.name),
            ca_bundle=settings.ca_bundle,
            tools=not args.no_tools,
            cancel=cancel,
        )
    if args.json:
        emit_json(report.as_dict())
    else:
        for line in report_lines(report):
            say(line)
    return 0 if report.reachable else 1


def run_use(args: argparse.Namespace) -> int:
    """Point a role at an endpoint, or back at the local model."""
    from app.commands.output import say
    from app.core.errors import EnclaveError
    from app.core.remote import registry

    settings, path = _load()
    if args.local == bool(args.name):
        raise EnclaveError("name an endpoint, or pass --local")
    if args.name:
        registry.find(settings, args.name)
    for role in _roles(args.role):
        registry.set_role(settings, role, None if args.local else args.name)
    settings.save(path)
    say(f"{' and '.join(_roles(args.role))}: {'the local model' if args.local else args.name}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    """Forget the endpoint, its roles and its key."""
    from app.commands.output import say
    from app.core.errors import EnclaveError
    from app.core.remote import registry
    from app.core.remote.keys import key_store

    settings, path = _load()
    if not registry.remove(settings, args.name):
        raise EnclaveError(f"no endpoint named {args.name!r}")
    settings.save(path)
    key_store().delete(args.name)
    say(f"removed {args.name}")
    return 0
