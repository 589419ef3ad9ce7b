"""API keys for endpoints: in the OS keyring, or in memory for this session when there is none.

Keys never go into `settings.toml` or any other file of ours. Where no keyring backend
exists (a headless Linux box without Secret Service, a frozen app missing its backends),
`KeyStore.set` says so and keeps the key in this process only. For headless use a key can
also come from the environment: `ENCLAVE_KEY_<NAME>` (the endpoint's name in capitals,
other characters as `_`), read last, never stored.
"""

from __future__ import annotations

import logging
import os
import re
import threading

logger = logging.getLogger(__name__)

SERVICE = "Enclave endpoint"
NO_BACKEND = (
    "no OS keyring is available here: the key is kept in memory for this session only "
    "(for the command line, set {env} in the environment instead)"
)


class KeyStore:
    """Keys by endpoint name: the keyring first, then this session's memory."""

    def __init__(self) -> None:
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()

    def backend_available(self) -> bool:
        """Whether a keyring backend that stores keys exists here."""
        try:
            import keyring
            from keyring.backends import fail
        except ImportError:
            return False
        try:
            backend = keyring.get_keyring()
        except Exception:
            return False
        return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0

    def set(self, name: str, key: str) -> bool:
        """Store `key` for endpoint `name`; False when it lives in memory only (see NO_BACKEND)."""
        with self._lock:
            self._memory.pop(name, None)
        if self.backend_available():
            import keyring

            try:
                keyring.set_password(SERVICE, name, key)
                return True
            except Exception as exc:  # a locked or refusing keyring: fall back, never lose the key
                logger.warning("keyring refused the key (%s)", type(exc).__name__)
        with self._lock:
            self._memory[name] = key
        return False

    def get(self, name: str) -> str | None:
        """The key for endpoint `name`: this session's, the keyring's, or `ENCLAVE_KEY_<NAME>`; else None."""
        with self._lock:
            if name in self._memory:
                return self._memory[name]
        found: str | None = None
        if self.backend_available():
            import keyring

            try:
                found = keyring.get_password(SERVICE, name)
            except Exception as exc:
                logger.warning("keyring read failed (%s)", type(exc).__name__)
        return found or os.environ.get(env_name(name), "").strip() or None

    def delete(self, name: str) -> None:
        """Forget the key for endpoint `name`, wherever it is."""
        with self._lock:
            self._memory.pop(name, None)
        if not self.backend_available():
            return
        import keyring
        from keyring.errors import PasswordDeleteError

        try:
            keyring.delete_password(SERVICE, name)
        except PasswordDeleteError:
            pass
        except Exception as exc:
            logger.warning("keyring delete failed (%s)", type(exc).__name__)


def env_name(name: str) -> str:
    """The environment variable that may hold endpoint `name`'s key."""
    return "ENCLAVE_KEY_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


_store: KeyStore | None = None


def key_store() -> KeyStore:
    """The process's key store (one, so a key kept in memory is found again)."""
    global _store
    if _store is None:
        _store = KeyStore()
    return _store
