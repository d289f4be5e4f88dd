"""Auth codes at rest: sealed with Fernet under OPBRIDGE_AT_REST_KEYS, opened only to send them.

The listener seals every secret-named value of an event (the names ``outbox.redaction``
masks, such as ``epp_code``) before the event and its commands are stored, so the
database, its backups and its replicas hold only ciphertext; the transfer handler opens
the code just before the Openprovider call. Several keys allow rotation: the first seals,
any of them opens.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.settings import ConfigError, PREFIX, Settings
from core.masking import is_secret_key

SEALED = "sealed"  # a sealed value is stored as {"sealed": "<Fernet token>"}
SETTING = f"{PREFIX}AT_REST_KEYS"


class NoAtRestKey(ConfigError):
    """A secret arrived, or must be opened, and no at-rest key is configured."""


def _worth_sealing(key: Any, item: Any) -> bool:
    """A secret-named field with a non-empty text: what ``seal`` seals and ``holds_secret`` looks for."""
    return is_secret_key(key) and isinstance(item, str) and bool(item)


def holds_secret(value: Any) -> bool:
    """Whether any secret-named field of ``value``, at any depth, has a value worth sealing."""
    if isinstance(value, Mapping):
        return any(_worth_sealing(key, item) or holds_secret(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(holds_secret(item) for item in value)
    return False


class Sealer:
    def __init__(self, keys: Sequence[str]) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys]) if keys else None

    @classmethod
    def from_settings(cls, settings: Settings) -> Sealer:
        return cls(settings.at_rest_keys)

    def seal(self, value: Any) -> Any:
        """A copy of ``value`` with every non-empty secret-named string sealed."""
        if isinstance(value, Mapping):
            return {key: self._seal_field(key, item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.seal(item) for item in value]
        return value

    def _seal_field(self, key: Any, item: Any) -> Any:
        if not _worth_sealing(key, item):
            return self.seal(item)
        if self._fernet is None:
            raise NoAtRestKey(f"{SETTING} is not set, so an event carrying an auth code cannot be stored; "
                              f"make a key with `opbridge secrets new at-rest-key`.")
        return {SEALED: self._fernet.encrypt(item.encode()).decode()}

    def open(self, value: Any) -> str:
        """The clear text of a sealed value; a plain string (stored before sealing) as it is."""
        if not isinstance(value, Mapping):
            return value or ""
        if self._fernet is None:
            raise NoAtRestKey(f"{SETTING} is not set, so this command's sealed auth code cannot be read.")
        try:
            return self._fernet.decrypt(value[SEALED].encode()).decode()
        except (InvalidToken, KeyError, AttributeError):
            raise ConfigError(f"No key in {SETTING} opens this command's sealed auth code: "
                              "put back the key that sealed it.") from None
