"""Vendors: found by name or id, listed, and their contact recorded."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .engine import Repository, retry_locked
from .rows import VendorName
from .tables import AuditEvent, Vendor


def vendor_named(session: Session, name: str) -> Vendor:
    """The vendor with this name, created (and flushed, so it has its id) if it is new: insert or get. On
    PostgreSQL another transaction may insert the same new name between the look-up and the insert (two workbooks
    of a new vendor at once): the insert, in a savepoint, then meets the unique name, and the vendor it committed
    is read instead. (On SQLite a write transaction holds the write lock from its start: no other can.)"""
    vendor = session.exec(select(Vendor).where(Vendor.name == name)).first()
    if vendor is None:
        try:
            with session.begin_nested():
                vendor = Vendor(name=name)
                session.add(vendor)
        except IntegrityError:
            vendor = session.exec(select(Vendor).where(Vendor.name == name)).one()
    return vendor


class Vendors(Repository):
    def find(self, name_or_id: str) -> Vendor | None:
        """A vendor by exact name, id, case-insensitive name, or the start of one name only."""
        with self.session() as s:
            found = s.exec(select(Vendor).where((Vendor.name == name_or_id) | (Vendor.id == name_or_id))).first()
            if found is None:
                found = s.exec(select(Vendor).where(func.lower(Vendor.name) == name_or_id.lower())).first()
            if found is None and name_or_id.strip():
                prefix = name_or_id.strip().lower()  # % and _ are letters here, not patterns (autoescape)
                matches = list(s.exec(select(Vendor).where(func.lower(Vendor.name).startswith(prefix, autoescape=True))
                                      .limit(2)))
                found = matches[0] if len(matches) == 1 else None
            return found

    def named(self, name: str) -> Vendor | None:
        """The vendor with exactly this name (as an intake stores a submission under), or None."""
        with self.session() as s:
            return s.exec(select(Vendor).where(Vendor.name == name)).first()

    def get(self, vendor_id: str) -> Vendor | None:
        with self.session() as s:
            return s.get(Vendor, vendor_id)

    def next_ids(self, after: str | None, limit: int) -> list[str]:
        """Up to `limit` vendor ids after `after` (from the first when None), in id order: a page of a keyset walk
        over the vendor table's primary key, read whole (no cursor is left open while the caller writes)."""
        query = select(Vendor.id).order_by(Vendor.id).limit(limit)
        if after is not None:
            query = query.where(Vendor.id > after)
        with self.connect() as conn:
            return list(conn.execute(query).scalars())

    def names_after(self, after: str | None, limit: int) -> list[VendorName]:
        """Up to `limit` vendors (id, name) whose names come after `after` (from the first when None), in name
        order: a page of a keyset walk over the unique, indexed names, read whole (no cursor is left open)."""
        query = select(Vendor.id, Vendor.name).order_by(Vendor.name).limit(limit)
        if after is not None:
            query = query.where(Vendor.name > after)
        with self.connect() as conn:
            return [VendorName(*row) for row in conn.execute(query)]

    def all(self) -> list[Vendor]:
        """Every vendor, in name order."""
        with self.session() as s:
            return list(s.exec(select(Vendor).order_by(Vendor.name)))

    def names(self) -> Iterator[VendorName]:
        """(id, name) of every vendor."""
        with self.connect() as conn:
            for row in conn.execute(select(Vendor.id, Vendor.name)):
                yield VendorName(*row)

    @retry_locked
    def set_contact(self, vendor_name: str, email: str | None) -> Vendor:
        """Record the vendor's contact (creating the vendor, as issuing a form to it does)."""
        with self.writing() as s:
            vendor = vendor_named(s, vendor_name)
            if vendor.contact_email != email:
                vendor.contact_email = email
                s.add(vendor)
                s.add(AuditEvent(action="contact_set", vendor_id=vendor.id, subject=email))
            s.commit()
            return vendor

    @retry_locked
    def set_owner(self, vendor_id: str, owner: str | None, *, actor: str | None) -> Vendor | None:
        """Give the vendor to an analyst (None: to no one), audited; None when there is no such vendor."""
        with self.writing() as s:
            vendor = s.get(Vendor, vendor_id)
            if vendor is not None and vendor.owner != owner:
                s.add(AuditEvent(action="owner_set", actor=actor, vendor_id=vendor.id, subject=owner or "",
                                 detail={"before": vendor.owner}))
                vendor.owner = owner
                s.add(vendor)
            s.commit()
            if vendor is not None:
                s.refresh(vendor)
            return vendor
