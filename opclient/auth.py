"""The bearer token, shared by every thread and client of a process for one account.

Openprovider blocks an IP after too many logins, so logins are rationed: a token lives in
memory until it is older than ``max_age`` (Openprovider honours it for two days; renewing
well before avoids racing its end) or until the API refuses it. Every caller that saw the
same stale token shares the one login that replaces it, and if that login fails they all
get its error instead of trying again one after another.
"""
from __future__ import annotations

import copy
import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable

from opclient.errors import OpenproviderError

DEFAULT_MAX_AGE = 24 * 3600.0


@dataclasses.dataclass(frozen=True)
class Token:
    value: str
    issued_at: float  # monotonic seconds
    generation: int  # which login produced it


@dataclasses.dataclass(frozen=True)
class _State:
    generation: int = 0
    token: Token | None = None
    failure: OpenproviderError | None = None


class TokenStore:
    def __init__(self, max_age: float = DEFAULT_MAX_AGE, clock: Callable[[], float] = time.monotonic) -> None:
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._state = _State()  # replaced whole, so a reader never sees a half-updated store

    def current(self, login: Callable[[], str]) -> Token:
        """A token fit to use, logging in first when there is none or it is too old."""
        state = self._state
        if state.token is not None and self._clock() - state.token.issued_at < self._max_age:
            return state.token
        return self._replace(state.generation, login)

    def renew(self, refused: Token, login: Callable[[], str]) -> Token:
        """A token other than ``refused``, which the API just turned down."""
        return self._replace(refused.generation, login)

    def _replace(self, seen_generation: int, login: Callable[[], str]) -> Token:
        with self._lock:
            state = self._state
            if state.generation != seen_generation:  # another thread logged in while we waited
                if state.failure is not None:
                    raise copy.copy(state.failure)
                if state.token is not None:
                    return state.token
            generation = state.generation + 1
            try:
                value = login()
            except OpenproviderError as error:
                self._state = _State(generation=generation, failure=error)
                raise
            token = Token(value=value, issued_at=self._clock(), generation=generation)
            self._state = _State(generation=generation, token=token)
            return token


_stores: dict[tuple[str, str, str], TokenStore] = {}
_stores_lock = threading.Lock()


def shared_store(base_url: str, username: str, password: str, max_age: float = DEFAULT_MAX_AGE) -> TokenStore:
    """The process's one store for this account, so separately built clients share a token."""
    key = (base_url, username, hashlib.sha256(password.encode("utf-8")).hexdigest())
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = TokenStore(max_age)
        return store
