"""The catalogue's admin routes, over HTTP, after a refresh from the sandbox."""
from __future__ import annotations

import pytest

from opclient import OpenproviderClient
from outbox.catalogue import refresh_catalogue
from tests.admin.conftest import api


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_tlds_are_listed_searched_and_shown(admin) -> None:  # noqa: ANN001
    assert api(admin, "GET", "/tlds").json() == {"tlds": []}
    with OpenproviderClient(admin.sandbox_url, "sandbox", "sandbox") as client:
        refresh_catalogue(client, admin.app.extensions["opbridge"].engine)
    listed = api(admin, "GET", "/tlds", params={"search": ".co"}).json()["tlds"]
    assert [tld["name"] for tld in listed] == ["co.uk", "com", "com.au"]
    eu = api(admin, "GET", "/tlds/eu").json()
    assert eu["registry_fields"][0]["name"] == "country_of_citizenship" and eu["registry_fields"][0]["target"] == "extension"
    assert eu["prices"]["create"] == "9.50" and eu["refreshed_at"].endswith("Z")
    missing = api(admin, "GET", "/tlds/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert api(admin, "GET", "/tlds", params={"search": ""}).status_code == 400
