"""SendAdminEmail and LogActivity, recorded by the sandbox."""
from __future__ import annotations

import pytest

from whmcsapi import WhmcsPermanentError, WhmcsValidationError


def test_admin_email_is_sent_as_a_custom_html_message(client, admin):
    html = "<h1>Activity</h1><table><tr><td>example.nl</td></tr></table>"

    client.send_admin_email("OpenProvider Activity E-mail", html)

    sent = admin.get("/requests", action="SendAdminEmail")[-1]
    assert (sent["customsubject"], sent["custommessage"], sent["type"]) == (
        "OpenProvider Activity E-mail", html, "system",
    )
    assert "messagename" not in sent
    emails = admin.get("/emails")
    assert [(email["subject"], email["message"], email["type"]) for email in emails] == [
        ("OpenProvider Activity E-mail", html, "system"),
    ]


def test_admin_email_type_is_checked(client, admin):
    with pytest.raises(WhmcsValidationError):
        client.send_admin_email("s", "<p>m</p>", type="billing")
    client.send_admin_email("s", "<p>m</p>", type="account")

    assert [email["type"] for email in admin.get("/emails")] == ["account"]


def test_a_template_the_sandbox_lacks_is_refused(client, admin):
    with pytest.raises(WhmcsPermanentError, match="Email Template not found"):
        client.call("SendAdminEmail", {"messagename": "Nightly Report"})
    assert admin.get("/emails") == []


def test_activity_lines_are_recorded(client, admin):
    client.log_activity("The domain name request has failed - example.nl", client_id=3)
    client.log_activity("opbridge sync finished")

    lines = admin.get("/activity")
    assert [(line["description"], line["clientid"]) for line in lines] == [
        ("The domain name request has failed - example.nl", 3),
        ("opbridge sync finished", None),
    ]


def test_activity_needs_a_description(client, admin):
    with pytest.raises(WhmcsPermanentError):
        client.log_activity("  ")
    assert admin.get("/activity") == []
