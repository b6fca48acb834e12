"""Departments and the roster from HR files: a dry-run plan, then an all-or-nothing apply.

Joiners get an account without a password (they set one through the invitation link); movers lose
their department-scoped grants and every session; leavers are deactivated at once and keep their
history. Each joiner, mover and leaver leaves a PersonnelEvent for the campaigns room to act on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from learning import clock
from learning.accounts.grants import end_for_people
from learning.accounts.hrfiles import (
    MAX_PROBLEMS,
    DepartmentRow,
    FileProblem,
    FileRejected,
    RosterRow,
    read_departments,
    read_roster,
)
from learning.accounts.invitations import invite
from learning.accounts.models import Department, PendingImport, PersonnelEvent, User
from learning.accounts.signals import people_left
from learning.audit.services import Entry, record_many

KINDS = ("new", "changed", "transferred", "leaving", "unchanged")
BATCH = 5000


@dataclass
class Change:
    kind: str
    line: int
    key: str  # employee number or department code
    name: str
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)


@dataclass
class Plan:
    """What an import would do (dry run) or did (after apply)."""

    kind: str  # "departments" or "roster"
    changes: list[Change]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(c.kind for c in self.changes)
        return {kind: counted.get(kind, 0) for kind in KINDS}

    @property
    def writes_nothing(self) -> bool:
        return all(c.kind == "unchanged" for c in self.changes)

    def of(self, kind: str, limit: int | None = None) -> list[Change]:
        found = [c for c in self.changes if c.kind == kind]
        return found[:limit] if limit else found


def claim(session: Session, pending: PendingImport) -> bytes | None:
    """Marks the upload applied before it is applied, in one conditional UPDATE; returns its file, or None
    when it was applied already (by another request, perhaps at this very moment: on PostgreSQL this
    UPDATE waits for that one's transaction and then finds the row no longer pending). A failing apply
    rolls the claim back with the rest. The file itself is dropped: HR data is kept only until it is used.
    """
    data = pending.data
    claimed = session.execute(
        update(PendingImport)
        .where(PendingImport.id == pending.id, PendingImport.status == "pending")
        .values(status="applied", applied_at=clock.now(), data=b"")
        .execution_options(synchronize_session=False)
    ).rowcount
    return data if claimed == 1 else None


# Departments ------------------------------------------------------------------------------------


def plan_departments(session: Session, data: bytes) -> tuple[Plan, list[DepartmentRow]]:
    """Reads the file (raising FileRejected) and compares it with the departments in the system. A department
    abolished or merged is "leaving"; the file is refused, naming the line, where one would close with people
    still in it, with a department under it left open, or merge into a department that is closed too."""
    existing = {d.code: d for d in session.scalars(select(Department))}
    by_id = {d.id: d.code for d in existing.values()}
    rows = read_departments(data, {code: by_id.get(d.parent_id) for code, d in existing.items()})
    changes = []
    for row in rows:
        current = existing.get(row.code)
        status = row.status or (current.status if current else "active")
        merged_into = row.merged_into if row.status else (by_id.get(current.merged_into_id) if current else None)
        after = {"name_ja": row.name_ja, "name_en": row.name_en, "parent": row.parent_code, "status": status}
        after["merged_into"] = merged_into
        if current is None:
            changes.append(Change("new", row.line, row.code, row.name_ja, {}, after))
            continue
        before = {
            "name_ja": current.name_ja,
            "name_en": current.name_en,
            "parent": by_id.get(current.parent_id),
            "status": current.status,
            "merged_into": by_id.get(current.merged_into_id),
        }
        if before == after:
            kind = "unchanged"
        elif status != "active" and before["status"] == "active":
            kind = "leaving"
        elif before["parent"] != row.parent_code:
            kind = "transferred"
        else:
            kind = "changed"
        changes.append(Change(kind, row.line, row.code, row.name_ja, before, after))
    _check_closing(session, changes, existing)
    return Plan("departments", changes), rows


def _check_closing(session: Session, changes: list[Change], existing: dict[str, Department]) -> None:
    """Refuses the file where a department closes that still has people, or an open department under it."""
    by_id = {d.id: d.code for d in existing.values()}
    final = {code: (by_id.get(d.parent_id), d.status) for code, d in existing.items()}
    final |= {c.key: (c.after["parent"], c.after["status"]) for c in changes}
    open_children: dict[str, list[str]] = {}
    for code, (parent, status) in sorted(final.items()):
        if parent is not None and status == "active":
            open_children.setdefault(parent, []).append(code)
    closing = [c for c in changes if c.after["status"] != "active"]
    ids = [existing[c.key].id for c in closing if c.key in existing]
    staff = (
        dict(
            session.execute(
                select(User.department_id, func.count())
                .where(User.department_id.in_(ids), User.status != "left")
                .group_by(User.department_id)
            ).all()
        )
        if ids
        else {}
    )
    problems = []
    for c in closing:
        department = existing.get(c.key)
        if department is not None and staff.get(department.id):
            values = {"value": c.key, "n": staff[department.id]}
            problems.append(FileProblem(c.line, "status", "people_remain", values))
        if c.key in open_children:
            values = {"value": c.key, "child": open_children[c.key][0]}
            problems.append(FileProblem(c.line, "status", "children_remain", values))
        target = c.after["merged_into"]
        if target is not None and final.get(target, (None, "active"))[1] != "active":
            problems.append(FileProblem(c.line, "merged_into", "merged_into_closed", {"value": target}))
    if problems:
        raise FileRejected(sorted(problems, key=lambda p: p.line)[:MAX_PROBLEMS])


def apply_departments(session: Session, data: bytes, actor_id: int | None) -> Plan:
    """Creates, updates and closes departments in one go (parents first, so any order in the file works).
    A closed department stays, with its names: assignments and closed periods keep pointing at it."""
    plan, rows = plan_departments(session, data)
    if plan.writes_nothing:
        return plan
    now = clock.now()
    existing = {d.code: d for d in session.scalars(select(Department))}
    for row in rows:
        department = existing.get(row.code)
        if department is None:
            department = existing[row.code] = Department(code=row.code, name_ja=row.name_ja, name_en=row.name_en)
            session.add(department)
        department.name_ja, department.name_en = row.name_ja, row.name_en
    session.flush()
    closed = []
    for change, row in zip(plan.changes, rows, strict=True):
        department = existing[row.code]
        department.parent_id = existing[row.parent_code].id if row.parent_code else None
        status, merged_into = change.after["status"], change.after["merged_into"]
        if status != department.status or (merged_into and existing[merged_into].id != department.merged_into_id):
            department.closed_at = None if status == "active" else (department.closed_at or now)
            if status != "active" and department.status == "active":
                closed.append(Entry("department_closed", actor_id, ("department", department.id), details={
                    "code": row.code, "status": status, "merged_into": merged_into,
                }))  # fmt: skip
            department.status = status
            department.merged_into_id = existing[merged_into].id if merged_into else None
    session.flush()
    record_many(session, [*closed, Entry("department_import", actor_id, details=plan.counts)])
    return plan


# Roster -----------------------------------------------------------------------------------------


def plan_roster(session: Session, data: bytes) -> tuple[Plan, list[RosterRow]]:
    """Reads the roster (raising FileRejected) and sorts each row into new / changed / transferred /
    leaving / unchanged. People missing from the file are left as they are."""
    departments = session.execute(select(Department.code, Department.id, Department.status)).all()
    codes = {d.code: d.id for d in departments}
    rows = read_roster(data, set(codes), {d.code for d in departments if d.status != "active"})
    current = {
        row.employee_no: row
        for row in session.execute(
            select(
                User.id,
                User.employee_no,
                User.name,
                User.name_kana,
                User.email,
                User.department_id,
                User.status,
                User.employment_type,
            )
        )
    }
    names = {v: k for k, v in codes.items()}
    changes = []
    for row in rows:
        after = {"name": row.name, "email": row.email, "department": row.department_code, "status": row.status}
        known = current.get(row.employee_no)
        if row.has_kana or known is None:
            after["name_kana"] = row.name_kana
        else:
            after["name_kana"] = known.name_kana  # a file without the column leaves readings as they are
        if row.has_employment or known is None:
            after["employment_type"] = row.employment_type
        else:
            after["employment_type"] = known.employment_type  # likewise the kinds of employment
        if known is None:
            changes.append(Change("new", row.line, row.employee_no, row.name, {}, after))
            continue
        before = {
            "name": known.name,
            "email": known.email,
            "department": names.get(known.department_id),
            "status": known.status,
            "name_kana": known.name_kana,
            "employment_type": known.employment_type,
        }
        if before == after:
            kind = "unchanged"
        elif row.status == "left" and known.status != "left":
            kind = "leaving"
        elif before["department"] != row.department_code:
            kind = "transferred"
        else:
            kind = "changed"
        changes.append(Change(kind, row.line, row.employee_no, row.name, before, after))
    return Plan("roster", changes), rows


def apply_roster(
    session: Session, data: bytes, actor_id: int | None, progress=None, invite_joiners: bool = False
) -> Plan:
    """Applies the roster in the caller's transaction: all of it, or (on any error) none of it.

    With `invite_joiners`, each active joiner with an email address is sent an invitation link.
    """
    plan, _rows = plan_roster(session, data)
    if plan.writes_nothing:
        return plan
    now = clock.now()
    codes = dict(session.execute(select(Department.code, Department.id)).all())
    tick = progress or (lambda n: None)
    _insert_joiners(session, plan.of("new"), codes, now, tick)
    ids = dict(session.execute(select(User.employee_no, User.id)).all())
    _update_people(
        session, plan.of("changed") + plan.of("transferred") + plan.of("leaving"), ids, codes, tick, actor_id
    )
    audit, events = _history(plan, ids, codes, now, actor_id)
    if events:
        session.execute(insert(PersonnelEvent), events)
    if invite_joiners:
        joiners = [
            (ids[c.key], c.after["name"], c.after["email"], "ja")
            for c in plan.of("new")
            if c.after["status"] == "active"
        ]
        invite(session, joiners)
    record_many(session, [*audit, Entry("roster_import", actor_id, details=plan.counts)])
    return plan


def _insert_joiners(session: Session, new: list[Change], codes: dict[str, int], now, tick) -> None:
    for start in range(0, len(new), BATCH):
        chunk = new[start : start + BATCH]
        session.execute(
            insert(User),
            [
                {
                    "employee_no": c.key,
                    "name": c.after["name"],
                    "name_kana": c.after["name_kana"],
                    "email": c.after["email"],
                    "status": c.after["status"],
                    "employment_type": c.after["employment_type"],
                    "department_id": codes[c.after["department"]],
                    "locale": "ja",
                    "session_version": 1,
                    "must_change_password": False,
                    "is_demo": False,
                    "created_at": now,
                }
                for c in chunk
            ],
        )
        tick(len(chunk))


def _update_people(
    session: Session, moved: list[Change], ids: dict[str, int], codes: dict[str, int], tick, actor_id: int | None
) -> None:
    """New names, addresses, departments and statuses; then sessions end and grants go where access changed."""
    rows = [
        {
            "uid": ids[c.key],
            "name": c.after["name"],
            "name_kana": c.after["name_kana"],
            "email": c.after["email"],
            "status": c.after["status"],
            "employment_type": c.after["employment_type"],
            "department_id": codes[c.after["department"]],
        }
        for c in moved
    ]
    users = User.__table__
    statement = (
        update(users)
        .where(users.c.id == bindparam("uid"))
        .values(
            name=bindparam("name"),
            name_kana=bindparam("name_kana"),
            email=bindparam("email"),
            status=bindparam("status"),
            employment_type=bindparam("employment_type"),
            department_id=bindparam("department_id"),
        )
    )
    for start in range(0, len(rows), BATCH):
        session.execute(statement, rows[start : start + BATCH])
        tick(len(rows[start : start + BATCH]))
    # Sessions end at once for everyone whose access changes: movers, leavers, anyone no longer active.
    _end_sessions(
        session, [ids[c.key] for c in moved if c.kind in ("transferred", "leaving") or c.after["status"] != "active"]
    )
    # A transfer ends the grants tied to a department; leaving ends every grant; each is its own event.
    end_for_people(session, [ids[c.key] for c in moved if c.kind == "transferred"], "transfer", actor_id, True)
    leavers = [ids[c.key] for c in moved if c.kind == "leaving"]
    end_for_people(session, leavers, "left", actor_id, False)
    if leavers:
        people_left.send(None, session=session, user_ids=leavers)


def _history(plan: Plan, ids: dict[str, int], codes: dict[str, int], now, actor_id: int | None):
    """The audit entries and personnel events of an applied roster."""
    audit: list[Entry] = []
    events: list[dict] = []
    for c in plan.changes:
        uid = ids.get(c.key)
        was, now_at = codes.get(c.before.get("department")), codes.get(c.after["department"])
        active = c.after["status"] == "active"
        if c.kind == "new":
            audit.append(Entry("user_created", actor_id, ("user", uid), details={"employee_no": c.key}))
            if active:
                events.append(_event(uid, "hire", now, None, now_at))
        elif c.kind == "transferred":
            audit.append(
                Entry(
                    "user_transferred",
                    actor_id,
                    ("user", uid),
                    details={"from": c.before["department"], "to": c.after["department"]},
                )
            )
            if active:
                events.append(_event(uid, "transfer", now, was, now_at))
        elif c.kind == "leaving":
            audit.append(Entry("user_deactivated", actor_id, ("user", uid), details={"reason": "left"}))
            events.append(_event(uid, "leave", now, was, None))
        elif c.kind == "changed":
            if c.before["status"] != "active" and active:  # back from leave, or rehired
                events.append(_event(uid, "hire", now, None, now_at))
            audit.append(
                Entry(
                    "user_updated",
                    actor_id,
                    ("user", uid),
                    details={
                        k: v for k, v in c.after.items() if c.before.get(k) != v and k not in ("name", "name_kana")
                    },
                )
            )
    return audit, events


def _event(user_id: int, kind: str, at, from_id: int | None, to_id: int | None) -> dict:
    return {
        "user_id": user_id,
        "kind": kind,
        "at": at,
        "from_department_id": from_id,
        "to_department_id": to_id,
        "processed_at": None,
    }


def _end_sessions(session: Session, user_ids: list[int]) -> None:
    for start in range(0, len(user_ids), BATCH):
        chunk = user_ids[start : start + BATCH]
        session.execute(
            update(User)
            .where(User.id.in_(chunk))
            .values(session_version=User.session_version + 1)
            .execution_options(synchronize_session=False)
        )
