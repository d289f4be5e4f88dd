"""Contact handles: one Openprovider handle per contact, reused, updated in place or created.

With ``OPBRIDGE_REUSE_HANDLES`` on (the default):
- identical contact data (its ``contact_hash``) reuses the handle recorded for it, once
  Openprovider confirms the handle still exists;
- the same person or company with other details (same ``identity_hash``) updates that
  handle in place, because Openprovider lets a handle change everything but its name
  and company;
- anything else gets a new handle.
With it off, each command creates its own handles, remembered in the command's state so
that a retry does not create them again.

Two commands for one new contact may run at once (different domains, one order). Threads
of a process wait on a lock per person; processes race to insert the contact's row with
an empty handle, and the loser tries again a little later. A row left empty longer than
a lease belongs to a worker that died while creating, and is taken over: the creation is
one call, and a lease outlasts three (core.settings checks it).
"""
from __future__ import annotations

import threading
import zlib
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from opclient import Contact, CustomerIdentityChanged, InvalidContact, OpenproviderClient, PermanentError
from outbox.models import Handle
from outbox.registry import Context, PermanentFailure, TransientFailure
from outbox.values import utcnow

HANDLE_NOT_FOUND = 176
BUSY_RETRY_SECONDS = 2.0
handles = Handle.__table__

_stripes = [threading.Lock() for _ in range(64)]


def contact_from(data: Mapping[str, Any] | None, role: str) -> Contact:
    if not data:
        raise PermanentFailure(f"The command has no {role} contact.", "invalid_contact")
    try:
        return Contact.from_dict(data)
    except InvalidContact as error:
        raise PermanentFailure(f"The {role} contact cannot become an Openprovider handle: {error}.",
                               "invalid_contact") from None


def handle_for(context: Context, contact: Contact, *, client_id: int | None = None, current: str | None = None) -> str:
    """The handle for ``contact``. ``current`` is a handle the domain already uses for this
    contact's role, to be updated in place when the person is the same."""
    if not context.services.settings.reuse_handles:
        return _own_handle(context, contact)
    with _stripes[zlib.crc32(contact.identity_hash.encode()) % len(_stripes)]:
        return _shared_handle(context, contact, client_id, current)


def _own_handle(context: Context, contact: Contact) -> str:
    made = dict(context.state.get("handles") or {})
    if contact.contact_hash not in made:
        made[contact.contact_hash] = context.services.openprovider.customers.create(contact)
        context.save_state(handles=made)
    return made[contact.contact_hash]


def _shared_handle(context: Context, contact: Contact, client_id: int | None, current: str | None) -> str:
    engine, client = context.services.engine, context.services.openprovider
    row = _row(engine, contact.contact_hash)
    if row is not None:
        if row.handle and _exists(client, row.handle):
            return row.handle
        if not row.handle and utcnow() - row.updated_at < timedelta(seconds=context.services.settings.lease_seconds):
            raise _busy(contact)
        _forget(engine, handles.c.id == row.id)
    candidate = current or _handle_of_person(engine, contact.identity_hash, client_id)
    if candidate and _updated_in_place(client, candidate, contact):
        _record_update(engine, candidate, contact, client_id)
        return candidate
    if not _claim(engine, contact, client_id):
        raise _busy(contact)
    try:
        handle = client.customers.create(contact)
    except BaseException:
        _forget(engine, handles.c.contact_hash == contact.contact_hash, handles.c.handle == "")
        raise
    with engine.begin() as conn:
        conn.execute(update(handles).where(handles.c.contact_hash == contact.contact_hash)
                     .values(handle=handle, updated_at=utcnow()))
    return handle


def _busy(contact: Contact) -> TransientFailure:
    return TransientFailure(
        f"Another worker is creating the handle for {contact.first_name} {contact.last_name} right now.",
        "handle_busy", retry_after=BUSY_RETRY_SECONDS,
    )


def _exists(client: OpenproviderClient, handle: str) -> bool:
    try:
        return not client.customers.get(handle).is_deleted
    except PermanentError as error:
        if error.code == HANDLE_NOT_FOUND:
            return False
        raise


def _updated_in_place(client: OpenproviderClient, handle: str, contact: Contact) -> bool:
    try:
        client.customers.update(handle, contact)
    except CustomerIdentityChanged:
        return False
    except PermanentError as error:
        if error.code == HANDLE_NOT_FOUND:
            return False
        raise
    return True


def _row(engine: Engine, contact_hash: str) -> Row | None:
    with engine.connect() as conn:
        return conn.execute(select(handles).where(handles.c.contact_hash == contact_hash)).first()


def _handle_of_person(engine: Engine, identity_hash: str, client_id: int | None) -> str | None:
    if client_id is None:
        return None
    query = (select(handles.c.handle)
             .where(handles.c.identity_hash == identity_hash, handles.c.whmcs_client_id == client_id,
                    handles.c.handle != "")
             .order_by(handles.c.id.desc()).limit(1))
    with engine.connect() as conn:
        return conn.scalar(query)


def _forget(engine: Engine, *where: Any) -> None:
    with engine.begin() as conn:
        conn.execute(delete(handles).where(*where))


def _values(contact: Contact, client_id: int | None, handle: str) -> dict[str, Any]:
    now = utcnow()
    return dict(contact_hash=contact.contact_hash, identity_hash=contact.identity_hash, handle=handle,
                whmcs_client_id=client_id, created_at=now, updated_at=now)


def _claim(engine: Engine, contact: Contact, client_id: int | None) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(insert(handles).values(**_values(contact, client_id, "")))
    except IntegrityError:
        return False
    return True


def _record_update(engine: Engine, handle: str, contact: Contact, client_id: int | None) -> None:
    """The handle now carries ``contact``: the rows of its old data must not lead to it."""
    try:
        with engine.begin() as conn:
            if client_id is None:
                client_id = conn.scalar(select(handles.c.whmcs_client_id).where(handles.c.handle == handle).limit(1))
            conn.execute(delete(handles).where(handles.c.handle == handle))
            conn.execute(insert(handles).values(**_values(contact, client_id, handle)))
    except IntegrityError:
        pass  # another worker recorded the same contact meanwhile; its row serves as well
