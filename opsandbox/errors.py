"""Openprovider error answers: ``{code, desc, data}`` with a non-2xx status."""
from __future__ import annotations

# Texts marked "exact" in the API reference are copied as Openprovider sends them
# (typos included); the others are plausible wording for codes whose text is unknown.
DESCRIPTIONS = {
    3: "Invalid request",
    50: "Calls limit has been reached",
    176: "Handle not found",
    187: "This handle is still used by one or more domains",
    196: "Authentication/Authorization Failed",
    221: "2 nameservers or a group required",
    307: "Your request contains an invalid extension!",
    311: "The domain name you want to register is not free",
    313: "The domain name you want to transfer is free",
    317: "Authorization code is empty",
    318: "Authorization code is incorrect",
    320: "The domain is not in your account; please transfer it to your account first.",
    326: "This domain is already in your account",
    328: "The domain is locked at its current registrar",
    331: "Invalid owner handle",
    333: "Invalid admin handle",
    335: "Invalid tech handle",
    346: "Duplicate domain",
    355: "Invalid deletion type",
    366: "This action is prohibitted for current domain status.",
    376: "Restore is not allowed for this domain",
    805: "Zone already exists",
    817: "Duplicate record",
    872: "Zone specified is not found.",
}

# Openprovider documents no code for a malformed request; the v1beta API is a gRPC
# gateway, so the sandbox answers with gRPC's INVALID_ARGUMENT number.
INVALID_REQUEST = 3
AUTH_FAILED = 196


class ApiError(Exception):
    """An Openprovider refusal; the app turns it into the error envelope."""

    def __init__(self, code: int, detail: str = "", status: int = 500) -> None:
        self.code = code
        self.desc = DESCRIPTIONS[code]
        self.data = detail
        self.status = status
        super().__init__(f"{code} {self.desc} {detail}".strip())

    def body(self) -> dict:
        return {"code": self.code, "desc": self.desc, "data": self.data}


def invalid_request(detail: str) -> ApiError:
    return ApiError(INVALID_REQUEST, detail)
