"""The token store on its own: one login per stale token, failures shared, age limit."""
from __future__ import annotations

import threading
import time

import pytest

from opclient.auth import TokenStore, shared_store
from opclient.errors import AuthenticationError


class CountingLogin:
    def __init__(self, delay: float = 0.0, fail: bool = False) -> None:
        self.calls = 0
        self.delay = delay
        self.fail = fail
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.calls += 1
            number = self.calls
        time.sleep(self.delay)
        if self.fail:
            raise AuthenticationError("bad password", code=196)
        return f"token-{number}"


def run_threads(count: int, target) -> list[object]:  # noqa: ANN001
    results: list[object] = []
    barrier = threading.Barrier(count)

    def run() -> None:
        barrier.wait()
        try:
            results.append(target())
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return results


def test_ten_threads_without_a_token_share_one_login() -> None:
    store, login = TokenStore(), CountingLogin(delay=0.05)
    results = run_threads(10, lambda: store.current(login).value)
    assert login.calls == 1
    assert results == ["token-1"] * 10


def test_ten_threads_refused_the_same_token_share_one_renewal() -> None:
    store, login = TokenStore(), CountingLogin(delay=0.05)
    stale = store.current(login)
    results = run_threads(10, lambda: store.renew(stale, login).value)
    assert login.calls == 2
    assert results == ["token-2"] * 10


def test_a_failed_login_is_shared_by_those_who_waited_for_it() -> None:
    store, login = TokenStore(), CountingLogin(delay=0.05, fail=True)
    results = run_threads(10, lambda: store.current(login))
    assert login.calls == 1
    assert all(isinstance(result, AuthenticationError) for result in results)


def test_a_later_call_tries_again_after_a_failed_login() -> None:
    store, login = TokenStore(), CountingLogin(fail=True)
    with pytest.raises(AuthenticationError):
        store.current(login)
    login.fail = False
    assert store.current(login).value == "token-2"


def test_a_token_past_its_age_is_renewed_before_use() -> None:
    now = [0.0]
    store, login = TokenStore(max_age=100, clock=lambda: now[0]), CountingLogin()
    assert store.current(login).value == "token-1"
    now[0] = 99
    assert store.current(login).value == "token-1"
    now[0] = 100
    assert store.current(login).value == "token-2"


def test_shared_store_is_one_per_account() -> None:
    first = shared_store("https://op.test", "user", "pw")
    assert shared_store("https://op.test", "user", "pw") is first
    assert shared_store("https://op.test", "user", "other") is not first
    assert shared_store("https://other.test", "user", "pw") is not first
