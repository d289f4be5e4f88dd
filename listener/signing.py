"""Standard Webhooks signatures: HMAC-SHA256 over ``"{id}.{timestamp}.{body}"``.

Verification works on the raw request bytes, accepts any configured secret (so a
secret can be rotated without downtime) and reports which one matched as a key id
that is safe to store and log.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import time

SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300
_VERSION = "v1"


class SignatureError(Exception):
    """The request is not proven to come from a holder of a configured secret."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def decode_secret(secret: str) -> bytes:
    """The HMAC key inside a ``whsec_<base64>`` secret."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)


def key_id(key: bytes) -> str:
    """A short, stable fingerprint of a key: it names the key without revealing it."""
    return hashlib.sha256(key).hexdigest()[:12]


def _digest(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> bytes:
    signed = b"%s.%s.%s" % (webhook_id.encode(), timestamp.encode(), body)
    return hmac.new(key, signed, hashlib.sha256).digest()


def sign(secret: str, webhook_id: str, timestamp: int | str, body: bytes) -> str:
    """The ``webhook-signature`` header value for one secret, as a sender computes it."""
    digest = _digest(decode_secret(secret), webhook_id, str(timestamp), body)
    return f"{_VERSION},{base64.b64encode(digest).decode()}"


@dataclasses.dataclass(frozen=True)
class Keyring:
    """The keys the listener accepts, each with its key id."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def from_secrets(cls, secrets: tuple[str, ...]) -> Keyring:
        keys = (decode_secret(secret) for secret in secrets)
        return cls(tuple((key_id(key), key) for key in keys))

    def verify(
        self,
        webhook_id: str,
        timestamp: str,
        signature_header: str,
        body: bytes,
        now: float | None = None,
    ) -> str:
        """Return the key id of the secret that signed ``body``; raise SignatureError if none did."""
        check_timestamp(timestamp, time.time() if now is None else now)
        presented = _presented_signatures(signature_header)
        for kid, key in self.keys:
            expected = _digest(key, webhook_id, timestamp, body)
            if any(hmac.compare_digest(expected, candidate) for candidate in presented):
                return kid
        raise SignatureError("bad_signature", "No webhook-signature value matches a configured secret.")


def check_timestamp(timestamp: str, now: float) -> None:
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise SignatureError("invalid_timestamp", "webhook-timestamp must be Unix time in whole seconds.")
    if abs(int(timestamp) - now) > TOLERANCE_SECONDS:
        raise SignatureError(
            "timestamp_out_of_range",
            f"webhook-timestamp is more than {TOLERANCE_SECONDS} seconds from the server's clock; "
            "check the sender's clock or resend the event with a fresh timestamp and signature.",
        )


def _presented_signatures(header: str) -> list[bytes]:
    digests = []
    for value in header.split():
        version, _, encoded = value.partition(",")
        if version != _VERSION:
            continue
        try:
            digests.append(base64.b64decode(encoded, validate=True))
        except ValueError:
            continue
    return digests
