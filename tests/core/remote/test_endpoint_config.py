"""Endpoint configuration: URLs, the settings file (never the key), the keyring, the policy lock."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from app.core import services
from app.core.errors import EnclaveError
from app.core.remote import registry
from app.core.remote.endpoint import make_endpoint
from app.core.remote.keys import SERVICE, KeyStore
from app.core.remote.policy import LOCAL_ONLY_MARKER, POLICY_FILE, check_remote_allowed, current_policy
from app.core.settings import Settings


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring for tests (never the user's real one)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "system"
    folder.mkdir()
    monkeypatch.setenv("ENCLAVE_SYSTEM_CONFIG", str(folder))
    return folder


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/v1"),
        ("http://localhost:8080/v1/", "http://localhost:8080/v1"),
        ("https://gpu.example.com/v1/v1", "https://gpu.example.com/v1"),
        ("https://gpu.example.com/v1/chat/completions", "https://gpu.example.com/v1"),
        ("https://api.example.com/openai", "https://api.example.com/openai/v1"),
        ("http://[::1]:9000", "http://[::1]:9000/v1"),
    ],
)
def test_urls_are_normalised_to_one_v1(url: str, expected: str) -> None:
    assert make_endpoint("e", url=url, model="m").url == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.5:8000/v1", "unencrypted"),
        ("ftp://example.com", "https://"),
        ("https://user:pw@example.com/v1", "password"),
        ("https://example.com/v1?key=sk", "query"),
        ("not a url", "https://"),
    ],
)
def test_bad_urls_are_refused_with_one_line(url: str, message: str) -> None:
    with pytest.raises(EnclaveError, match=message):
        make_endpoint("e", url=url, model="m")


def test_plain_http_to_another_machine_needs_the_unencrypted_confirmation() -> None:
    endpoint = make_endpoint("lan", url="http://10.0.0.5:8000", model="m", unencrypted=True)
    assert endpoint.url == "http://10.0.0.5:8000/v1" and not endpoint.loopback and not endpoint.tls


def test_settings_keep_the_endpoint_and_roles_but_never_the_key(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    settings = Settings()
    registry.add(settings, make_endpoint("team", url="https://gpu.example.com", model="Qwen/Qwen3-4B"))
    registry.set_role(settings, "agent", "team")
    assert KeyStore().set("team", "sk-very-secret") is True
    path = tmp_path / "settings.toml"
    settings.save(path)
    assert "sk-very-secret" not in path.read_text()
    loaded = Settings.load(path)
    assert registry.find(loaded, "team").model == "Qwen/Qwen3-4B"
    assert (
        registry.role_endpoint(loaded, "agent") == "team" and registry.role_endpoint(loaded, "chat") is None
    )
    assert memory_keyring.items[(SERVICE, "team")] == "sk-very-secret"
    assert KeyStore().get("team") == "sk-very-secret"
    assert registry.remove(loaded, "team") and registry.role_endpoint(loaded, "agent") is None
    KeyStore().delete("team")
    assert memory_keyring.items == {}


def test_without_a_keyring_backend_the_key_lives_in_memory_only() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = KeyStore()
        assert store.backend_available() is False
        assert store.set("team", "sk-1") is False  # the caller says "memory only"
        assert store.get("team") == "sk-1"
        assert KeyStore().get("team") is None  # a new session does not have it
    finally:
        keyring.set_keyring(previous)


def test_no_policy_file_allows_endpoints(system: Path) -> None:
    assert current_policy().endpoints_allowed
    check_remote_allowed(None)


@pytest.mark.parametrize("content", ["", "endpoints = false\n", "endpoints = 'yes'\n", "not toml ["])
def test_a_policy_file_locks_endpoints_unless_it_says_true(system: Path, content: str) -> None:
    (system / POLICY_FILE).write_text(content)
    policy = current_policy()
    assert not policy.endpoints_allowed and POLICY_FILE in policy.message
    with pytest.raises(EnclaveError, match="policy"):
        check_remote_allowed(None)
    (system / POLICY_FILE).write_text("endpoints = true\n")
    assert current_policy().endpoints_allowed


def test_a_local_only_project_refuses_remote_use(system: Path, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / LOCAL_ONLY_MARKER).parent.mkdir(parents=True)
    (project / LOCAL_ONLY_MARKER).write_text("")
    with pytest.raises(EnclaveError, match="local-only"):
        check_remote_allowed(project)


def test_a_role_set_to_an_endpoint_falls_back_to_local_under_policy_or_local_only(
    system: Path, tmp_path: Path
) -> None:
    settings = Settings()
    registry.add(settings, make_endpoint("team", url="https://gpu.example.com", model="m"))
    registry.set_role(settings, "agent", "team")
    assert services.role_endpoint("agent", settings=settings) == "team"
    project = tmp_path / "secret-project"
    (project / LOCAL_ONLY_MARKER).parent.mkdir(parents=True)
    (project / LOCAL_ONLY_MARKER).write_text("")
    assert services.role_endpoint("agent", settings=settings, project=project) is None
    (system / POLICY_FILE).write_text("")
    assert services.role_endpoint("agent", settings=settings) is None


def test_by_default_no_role_uses_an_endpoint(system: Path) -> None:
    settings = Settings()
    assert settings.endpoints == [] and all(
        registry.role_endpoint(settings, r) is None for r in registry.ROLES
    )
    assert services.role_endpoint("agent", settings=settings) is None


def test_a_headless_key_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.core.remote.keys import env_name

    assert env_name("team-gpu.1") == "ENCLAVE_KEY_TEAM_GPU_1"
    assert KeyStore().get("team-gpu.1") is None
    monkeypatch.setenv("ENCLAVE_KEY_TEAM_GPU_1", "sk-env")
    assert KeyStore().get("team-gpu.1") == "sk-env"
