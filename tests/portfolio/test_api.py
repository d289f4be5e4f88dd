"""The admin API's bulk transfer in: checked, reported without auth codes, queued once, followed."""
from __future__ import annotations

import requests
from cryptography.fernet import Fernet

from listener import create_app
from tests.support import serve_wsgi

TOKEN = "portfolio-api-token-0123456"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def test_transfers_through_the_admin_api(make_harness) -> None:
    harness = make_harness(admin_tokens=TOKEN, at_rest_keys=Fernet.generate_key().decode())
    [handle] = harness.openprovider.seed({"customers": [{"name": {"first_name": "Jan", "last_name": "Smit"},
                                                          "email": "jan@example.nl",
                                                          "address": {"country": "NL"}}],
                                          "registry": [{"name": "api-move.com", "auth_code": "Api-Code-77",
                                                        "name_servers": ["ns1.old.example", "ns2.old.example"]}]})[
        "customers"]
    rows = [{"domain": "api-move.com", "auth_code": "Api-Code-77", "handle": handle},
            {"domain": "api-free.com", "auth_code": "Api-Code-78", "handle": handle},
            {"domain": "api-move.com", "auth_code": "Api-Code-77", "handle": handle}]
    with serve_wsgi(create_app(harness.settings)) as url:
        api = f"{url}/api/v1/portfolio"
        checked = requests.post(f"{api}/transfers", json={"rows": rows}, headers=HEADERS, timeout=30)
        refused = requests.post(f"{api}/transfers", json={"rows": rows, "apply": True}, headers=HEADERS, timeout=30)
        applied = requests.post(f"{api}/transfers", json={"rows": rows[:1], "apply": True}, headers=HEADERS, timeout=30)
        again = requests.post(f"{api}/transfers", json={"rows": rows[:1], "apply": True}, headers=HEADERS, timeout=30)
        malformed = requests.post(f"{api}/transfers", json={"rows": [{"domain": "x.com"}]}, headers=HEADERS, timeout=30)
        harness.drain()
        status = requests.get(f"{api}/transfers/1", headers=HEADERS, timeout=30)
        missing = requests.get(f"{api}/transfers/9", headers=HEADERS, timeout=30)
        no_token = requests.get(f"{api}/transfers/1", timeout=30)

    report = checked.json()
    assert checked.status_code == 200 and (report["dry_run"], report["problems"], report["batch"]) == (True, 2, None)
    assert [row["outcome"] for row in report["rows"]] == [
        "keeps ns1.old.example ns2.old.example", "the domain is not registered anywhere: register it instead",
        "the domain is on line 1 already"]
    assert (refused.status_code, refused.json()["queued"], refused.json()["batch"]) == (200, 0, None)
    assert (applied.json()["batch"], applied.json()["queued"]) == (1, 1)
    assert (again.json()["queued"], again.json()["rows"][0]["outcome"]) == (0, "skipped: in batch 1 already (queued)")
    assert malformed.status_code == 422 and malformed.json()["error"] == "invalid_transfer"
    [domain] = status.json()["domains"]
    assert (domain["domain"], domain["state"], status.json()["counts"]) == ("api-move.com", "requested", {"requested": 1})
    assert missing.status_code == 404 and no_token.status_code == 401
    for answer in (checked, refused, applied, again, malformed, status):
        assert "Api-Code-7" not in answer.text
    assert harness.op_domain("api-move.com")["name_servers"][0]["name"] == "ns1.old.example"
