"""The DNSSEC page of the client area and the admin's key list, through the registrar
module (php-cli), the real listener under gunicorn, the worker and the Openprovider
sandbox; and the page's template rendered with Smarty 3.1, the engine WHMCS 8 ships.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from opclient import OpenproviderClient
from outbox.catalogue import refresh_catalogue
from tests.registrar.conftest import PHP, REPO, Opbridge, Whmcs

pytestmark = pytest.mark.skipif(PHP is None, reason="php-cli is not installed (apt-get install php-cli php-curl php-sqlite3)")

SMARTY = Path("/usr/share/php/smarty3/Smarty.class.php")
TEMPLATE = REPO / "whmcs" / "modules" / "registrars" / "opbridge" / "templates" / "dnssec.tpl"
RENDER = Path(__file__).with_name("render_template.php")
KSK = {"flags": "257", "alg": "13", "protocol": "3",
       "pub_key": "mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="}
ZSK = {**KSK, "flags": "256", "pub_key": "oJMRESz5E4gYzS/q6XDrvU1qMPYIjCWzJaOau8XNEZeqCYKD5ar0IRd8KqXXFJkqmVfRvMGPmM1x8fGAa2XhSA=="}


def params(name: str = "signed.nl", **extra: Any) -> dict[str, Any]:
    sld, tld = name.split(".", 1)
    return {"domainid": 52, "domainname": name, "sld": sld, "tld": tld, "registrar": "opbridge", **extra}


def page(whmcs: Whmcs, post: dict[str, str] | None = None, name: str = "signed.nl") -> dict[str, Any]:
    answer = whmcs.call("DNSSEC", params(name), post=post)["result"]
    assert answer["templatefile"] == "templates/dnssec"
    assert set(answer["vars"]) == {"domain", "domainid", "keys", "enabled", "tld", "refusals", "message", "error"}
    return answer["vars"]


def held_keys(opbridge: Opbridge, name: str = "signed.nl") -> list[tuple[int, int]]:
    domain = opbridge.sandbox.domain(name)
    assert domain["is_dnssec_enabled"] is bool(domain["dnssec_keys"])
    return [(key["flags"], key["alg"]) for key in domain["dnssec_keys"]]


def test_keys_are_added_and_removed_within_the_tlds_limits(opbridge: Opbridge, whmcs: Whmcs) -> None:
    opbridge.sandbox.seed(tlds={"nl": {"dnssec_algorithms": [8, 13], "dnssec_max_records_amount": 2}},
                          domains=[{"name": "signed.nl"}])
    shown = page(whmcs)
    assert (shown["keys"], shown["enabled"], shown["error"]) == ([], False, "")
    assert shown["tld"] == {"allowed": True, "algorithms": [8, 13], "max_keys": 2}

    added = page(whmcs, {"action": "add", **KSK})
    assert (added["refusals"], added["error"]) == ([], "")
    assert added["message"].startswith("The key is being added")
    assert opbridge.drain() == {"done": 1}
    assert held_keys(opbridge) == [(257, 13)]

    # One sentence per limit; nothing is queued for a refused key.
    refused = page(whmcs, {"action": "add", **ZSK, "alg": "5"})
    assert refused["refusals"] == ["The .nl registry does not take algorithm 5; it takes 8, 13."]
    malformed = page(whmcs, {"action": "add", **ZSK, "pub_key": "not base64!", "flags": "300"})
    assert malformed["refusals"] == ["flags: Must be 257 (a key-signing key) or 256 (a zone-signing key).",
                                     "pub_key: Must be the key's public key in base64, as the DNS host shows it."]
    assert page(whmcs, {"action": "add", **ZSK})["message"]
    assert opbridge.drain() == {"done": 2}
    full = page(whmcs, {"action": "add", **KSK, "pub_key": "YSB0aGlyZCBzaWduaW5nIGtleSwgMzIgYnl0ZXMgb2s="})
    assert full["refusals"] == ["signed.nl already has 2 keys, the most the .nl registry takes: remove one first."]
    assert [(key["flags"], key["alg"], key["pub_key"]) for key in full["keys"]] == [
        (257, 13, KSK["pub_key"]), (256, 13, ZSK["pub_key"])]

    assert page(whmcs, {"action": "remove", **KSK})["message"].startswith("The key is being removed")
    assert opbridge.drain() == {"done": 3}
    assert held_keys(opbridge) == [(256, 13)]
    summary = whmcs.call("DNSSECKeys", params())["result"]
    assert summary == {"success": True, "message": "signed.nl has 1 DNSSEC key(s): flags 256, algorithm 13, key "
                       "oJMRESz5E4gYzS/q… (the registry takes algorithms 8, 13, at most 2 keys)."}


def test_a_tld_without_dnssec_refuses_on_the_page_and_in_the_worker(opbridge: Opbridge, whmcs: Whmcs) -> None:
    opbridge.sandbox.seed(tlds={"be": {"dnssec_allowed": False, "dnssec_keys_allowed": False}},
                          domains=[{"name": "plain.be"}, {"name": "signed.nl"}])
    shown = page(whmcs, {"action": "add", **KSK}, name="plain.be")
    assert shown["tld"]["allowed"] is False
    assert shown["refusals"] == ["The .be registry takes no DNSSEC keys, so none can be added to plain.be."]

    # The TLD changes its mind between the page's check and the worker: the worker refuses.
    assert page(whmcs, {"action": "add", **KSK})["message"]
    opbridge.sandbox.seed(tlds={"nl": {"dnssec_allowed": False}})
    assert opbridge.drain() == {"dead": 1}
    [(error,)] = opbridge.query("SELECT last_error FROM commands")
    assert error == "The .nl registry takes no DNSSEC keys, so none can be added to signed.nl."
    assert held_keys(opbridge) == []


def test_the_tld_catalogue_answers_for_the_tld_once_it_is_filled(opbridge: Opbridge, whmcs: Whmcs) -> None:
    sandbox = opbridge.sandbox
    sandbox.seed(tlds={"nl": {"dnssec_algorithms": [8, 13]}}, domains=[{"name": "signed.nl"}])
    with OpenproviderClient(sandbox.url, "sandbox", "sandbox") as client:
        refresh_catalogue(client, opbridge.engine)
    sandbox.seed(tlds={"nl": {"dnssec_algorithms": [8, 13, 15]}})  # changed since the catalogue's refresh
    sandbox.reset_counters()

    shown = page(whmcs, {"action": "add", **KSK, "alg": "15"})
    assert shown["tld"]["algorithms"] == [8, 13]
    assert shown["refusals"] == ["The .nl registry does not take algorithm 15; it takes 8, 13."]
    assert "get_tld" not in sandbox.counters()["calls"]


@pytest.mark.skipif(not SMARTY.exists(), reason="Smarty 3 is not installed (apt-get install smarty3)")
def test_the_page_renders_with_smarty_and_escapes_everything(tmp_path: Path) -> None:
    hostile = '"><script>alert(1)</script>'
    values = {
        "domain": f"x{hostile}.nl", "domainid": 52, "enabled": True, "message": f"ok {hostile}",
        "error": f"bad {hostile}", "refusals": [f"no {hostile}"],
        "tld": {"allowed": True, "algorithms": [13, hostile], "max_keys": 2},
        "keys": [{"flags": 257, "alg": 13, "protocol": 3, "pub_key": f"AAAA{hostile}", "readonly": False},
                 {"flags": 256, "alg": 13, "protocol": 3, "pub_key": "BBBB", "readonly": True}],
    }
    html = render(tmp_path, values)
    assert "<script>" not in html and "&lt;script&gt;" in html
    # domain, error, message, refusal, algorithm (text, option value and label), key (shown and posted)
    assert html.count("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") == 9
    assert html.count('name="action" value="remove"') == 1  # the read-only key has no button
    assert 'value="AAAA&quot;&gt;&lt;script&gt;' in html

    bare = render(tmp_path, {**values, "tld": {"allowed": False, "algorithms": [], "max_keys": 0}, "keys": [],
                             "refusals": [], "message": "", "error": ""})
    assert "takes no DNSSEC keys" in bare and "No DNSSEC keys" in bare and "Add a key" not in bare


def render(work: Path, values: dict[str, Any]) -> str:
    env = {**os.environ, "OPBRIDGE_SMARTY": str(SMARTY), "OPBRIDGE_SMARTY_WORK": str(work)}
    done = subprocess.run([shutil.which("php") or "php", str(RENDER), str(TEMPLATE), json.dumps(values)],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout
