"""``OpenproviderClient``: one connection pool, one place for auth, the envelope and call records.

The client never retries on its own except once after a refused token: whether and when
to try again is the caller's decision, made from the exception class (see errors.py).
Build one client per process and share it between threads; even separately built clients
for the same account share one token (auth.py).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from core.settings import Settings
from opclient import envelope
from opclient.auth import DEFAULT_MAX_AGE, TokenStore, shared_store
from opclient.customers import Customers
from opclient.dns import Dns
from opclient.domains import Domains
from opclient.errors import AuthenticationError, TokenRejected
from opclient.calls import API_PREFIX, CallRecord
from opclient.tlds import Tlds
from opclient.transport import HTTPError, Transport

LOGIN_PATH = "/auth/login"
ANY_IP = "0.0.0.0"  # the token is valid from any address
USER_AGENT = "opbridge-opclient/0.1"
DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_POOL_SIZE = 16


class OpenproviderClient:
    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = 30.0,
        token_max_age: float = DEFAULT_MAX_AGE,
        pool_size: int = DEFAULT_POOL_SIZE,
        on_call: Callable[[CallRecord], None] | None = None,
        record_bodies: bool = True,
        token_store: TokenStore | None = None,
    ) -> None:
        """``base_url`` is the API host (``https://api.openprovider.eu``), with or without
        the ``/v1beta`` suffix. ``on_call`` receives a redacted record of every HTTP
        exchange, logins included, for the attempts log and the call counters; without
        ``record_bodies`` the records leave out the bodies, whose redaction can cost more
        than a large listing call itself."""
        self.base_url = _api_root(base_url)
        if not username or not password:
            raise ValueError("the Openprovider username and password are required")
        self._username = username
        self._password = password
        self._timeout = (connect_timeout, read_timeout)
        self._on_call = on_call
        self._record_bodies = record_bodies
        self._tokens = token_store or shared_store(self.base_url, username, password, token_max_age)
        self._http = Transport(self.base_url, pool_size=pool_size, timeout=self._timeout,
                               headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.domains = Domains(self.request)
        self.customers = Customers(self.request)
        self.dns = Dns(self.request)
        self.tlds = Tlds(self.request)

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> OpenproviderClient:
        """A client for ``op_url`` with ``op_username``/``op_password``; ``op_timeout_seconds``
        bounds the wait for an answer, and the connect timeout never exceeds it."""
        read_timeout = float(settings.op_timeout_seconds)
        options.setdefault("connect_timeout", min(DEFAULT_CONNECT_TIMEOUT, read_timeout))
        options.setdefault("read_timeout", read_timeout)
        return cls(settings.op_url, settings.op_username, settings.op_password, **options)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Call ``/v1beta{path}`` with the bearer token and return the envelope's ``data``.

        A refused token is replaced by one fresh login and the call made once more; a
        second refusal raises (``TokenRejected``, an ``AuthenticationError``)."""
        token = self._tokens.current(self._login)
        try:
            return self._send(method, path, params, body, token.value)
        except TokenRejected:
            token = self._tokens.renew(token, self._login)
        return self._send(method, path, params, body, token.value)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OpenproviderClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OpenproviderClient({self.base_url!r}, username={self._username!r})"

    def _login(self) -> str:
        body = {"username": self._username, "password": self._password, "ip": ANY_IP}
        try:
            data = self._send("POST", LOGIN_PATH, None, body, token=None)
        except TokenRejected as error:
            # at login a 196 means the username or password, not a token
            raise AuthenticationError(
                f"Openprovider refused the login of {self._username!r}: {error.description or error}",
                code=error.code,
                description=error.description,
            ) from None
        token = data.get("token") if isinstance(data, dict) else None
        if not token:
            raise AuthenticationError("Openprovider accepted the login but sent no token")
        return str(token)

    def _send(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any, token: str | None
    ) -> Any:
        query = _query(params)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"{self.base_url}{API_PREFIX}{path}"
        if query:
            url = f"{url}?{urlencode(query, doseq=True)}"
        started = time.monotonic()
        try:
            response = self._http.send(method, url, body, headers)
        except HTTPError as error:
            self._record(method, path, query, body, started, status=None, error=str(error))
            raise envelope.transport_error(error) from error
        answer = envelope.decoded_body(response)
        self._record(method, path, query, body, started, status=response.status_code, response=answer)
        return envelope.read(response, answer)

    def _record(
        self, method: str, path: str, query: dict[str, Any], body: Any, started: float, **outcome: Any
    ) -> None:
        if self._on_call is None:
            return
        duration = time.monotonic() - started
        if not self._record_bodies:
            body, outcome["response"] = None, None
        self._on_call(
            CallRecord.build(method, f"{API_PREFIX}{path}", query, duration=duration, request=body, **outcome)
        )


def _api_root(base_url: str) -> str:
    url = (base_url or "").strip().rstrip("/")
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"the Openprovider URL must start with https:// or http://, not {base_url!r}")
    return url


def _query(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Query values as Openprovider reads them: booleans as true/false, None left out."""
    query: dict[str, Any] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        query[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return query
