"""What handlers call out to, built once per worker process and shared by its threads."""
from __future__ import annotations

import functools

from sqlalchemy import Engine

from opclient.client import DEFAULT_POOL_SIZE, OpenproviderClient
from outbox import calllog
from outbox.sealing import Sealer
from core.settings import Settings, require
from whmcsapi.client import WhmcsClient

# Below the registrar module's default timeout (5 s), which WHMCS's page waits for opbridge.
QUICK_READ_SECONDS = 3.0


class OutboxServices:
    """Clients are built on first use, so a worker that only runs WHMCS commands never
    needs Openprovider credentials, and the other way round."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

    @functools.cached_property
    def openprovider(self) -> OpenproviderClient:
        require(self.settings, "op_username", "op_password")
        # One pooled connection per dispatcher thread, so none is opened and dropped per call.
        pool_size = max(DEFAULT_POOL_SIZE, self.settings.worker_threads)
        return OpenproviderClient.from_settings(self.settings, on_call=calllog.record, pool_size=pool_size)

    @functools.cached_property
    def openprovider_quick(self) -> OpenproviderClient:
        """For reads a WHMCS page waits on: it gives up on Openprovider after
        QUICK_READ_SECONDS, so opbridge can still answer the page with a sentence."""
        require(self.settings, "op_username", "op_password")
        wait = min(float(self.settings.op_timeout_seconds), QUICK_READ_SECONDS)
        return OpenproviderClient.from_settings(self.settings, on_call=calllog.record, read_timeout=wait,
                                                connect_timeout=wait)

    @functools.cached_property
    def whmcs(self) -> WhmcsClient:
        require(self.settings, "whmcs_url", "whmcs_identifier", "whmcs_secret")
        return WhmcsClient.from_settings(self.settings, on_call=calllog.record)

    @functools.cached_property
    def sealer(self) -> Sealer:
        return Sealer.from_settings(self.settings)
