"""Bearer tokens as Openprovider issues them: 32 hex characters, valid two days."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

TOKEN_LIFETIME = timedelta(days=2)


class TokenStore:
    """Issued tokens and their expiry; callers hold the state lock."""

    def __init__(self, lifetime: timedelta = TOKEN_LIFETIME) -> None:
        self.lifetime = lifetime
        self._expiry: dict[str, datetime] = {}
        self._calls_left: int | None = None

    def issue(self, now: datetime) -> str:
        token = secrets.token_hex(16)
        self._expiry[token] = now + self.lifetime
        return token

    def accept(self, token: str, now: datetime) -> bool:
        """Whether ``token`` may make this call; counts the call against a set fuse."""
        expiry = self._expiry.get(token)
        if expiry is None or now >= expiry:
            return False
        if self._calls_left is not None:
            self._calls_left -= 1
            if self._calls_left <= 0:
                self.expire_all()
        return True

    def expire_all(self) -> None:
        self._expiry.clear()
        self._calls_left = None

    def expire_after_calls(self, calls: int) -> None:
        """Let ``calls`` more authenticated calls through, then expire every token."""
        if calls <= 0:
            self.expire_all()
        else:
            self._calls_left = calls

    def snapshot(self) -> dict:
        return {"active": len(self._expiry), "expire_after_calls": self._calls_left,
                "lifetime_seconds": int(self.lifetime.total_seconds())}
