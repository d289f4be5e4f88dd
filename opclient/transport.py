"""HTTP for the client: one urllib3 pool, shared by every thread, and a plain answer.

requests re-reads the proxy environment and merges session settings on every call, which
cost more processor time than the rest of a call; a dispatcher makes thousands of calls,
all to one host. So proxy and CA bundle are taken from the environment once, as requests
would take them, and calls go straight to urllib3.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import requests
import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError, TimeoutError

__all__ = ["Answer", "HTTPError", "Transport", "timed_out"]


@dataclasses.dataclass(frozen=True)
class Answer:
    """What the envelope reads of a response (the attributes it shares with requests')."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class Transport:
    def __init__(self, base_url: str, *, pool_size: int, timeout: tuple[float, float], headers: dict[str, str]) -> None:
        environment = requests.Session().merge_environment_settings(base_url, {}, None, None, None)
        proxy = requests.utils.select_proxy(base_url, environment["proxies"])
        verify = environment["verify"]
        options: dict[str, Any] = {
            "num_pools": 1,
            "maxsize": pool_size,
            "retries": False,  # whether to try again is the caller's decision
            "timeout": urllib3.Timeout(connect=timeout[0], read=timeout[1]),
            # never unverified: credentials, tokens and auth codes travel here
            "cert_reqs": "CERT_REQUIRED",
            "ca_certs": verify if isinstance(verify, str) else requests.certs.where(),
        }
        self._pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)
        self._headers = headers

    def send(self, method: str, url: str, body: Any, headers: dict[str, str]) -> Answer:
        """Raises urllib3's ``HTTPError`` when no answer arrives."""
        if body is not None:
            headers = {**headers, "Content-Type": "application/json"}
            body = json.dumps(body, allow_nan=False).encode("utf-8")
        response = self._pool.request(method, url, body=body, headers={**self._headers, **headers})
        return Answer(response.status, response.headers, response.data)

    def close(self) -> None:
        self._pool.clear()


def timed_out(error: HTTPError) -> bool:
    # urllib3 counts a refused connection as a connect timeout; it is a failure to connect.
    return isinstance(error, TimeoutError) and not isinstance(error, NewConnectionError)
