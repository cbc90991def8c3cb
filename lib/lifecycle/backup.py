"""`python -m lib backup FILE` and `restore FILE [--force]`: copies that are proven to restore.

SQLite: the online backup API (a consistent copy while the app writes). PostgreSQL: `pg_dump` in custom
format (one snapshot). With BOOKING_DESK_BACKUP_KEY set (a Fernet key, kept apart from the database's own
keys and from the backups), the copy is encrypted in chunks, each carrying its place and whether it is the
last, so a reordered or cut-short file is refused rather than half restored.

A restore is all or nothing: SQLite's backup API replaces the whole file in one step; PostgreSQL's dump is
replayed by psql in one transaction. A database that holds anything is refused unless `force` is given.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from lib.audit import trail
from lib.core import config, db
from lib.core.db import unit_of_work
from lib.core.errors import BookingDeskError
from lib.core.models import Base
from lib.core.vocabulary import AuditAction

KEY_ENV = "BOOKING_DESK_BACKUP_KEY"
MAGIC = b"BOOKING-DESK-ENCRYPTED-BACKUP-1\n"
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
CHUNK = 4 * 1024 * 1024
SERVER_MAJOR = 15


class BackupFailed(BookingDeskError):
    message = "The backup or restore failed; nothing was changed."


@dataclass(frozen=True)
class Done:
    path: Path
    kind: str  # "sqlite" | "postgresql"
    encrypted: bool


def _backup_key() -> Fernet | None:
    key = config.settings().BOOKING_DESK_BACKUP_KEY
    if not key:
        return None
    try:
        return Fernet(key.encode())
    except ValueError:
        raise BackupFailed(f"{KEY_ENV} is not a Fernet key (32 url-safe base64-encoded bytes).") from None


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("This SQLite database is not a file, so there is nothing to back up.")
    return Path(database)


# --- PostgreSQL tools -------------------------------------------------------------------------------------

def _pg_env(url: str) -> dict:
    """libpq's settings from the SQLAlchemy URL (the password in the environment, not on the command line)."""
    u = make_url(url)
    env = dict(os.environ)
    env.update({k: str(v) for k, v in {"PGHOST": u.host, "PGPORT": u.port, "PGUSER": u.username,
                                        "PGPASSWORD": u.password, "PGDATABASE": u.database}.items() if v})
    if sslmode := u.query.get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env


def pg_tool(name: str) -> str:
    """The path of pg_dump/pg_restore/psql, of a version that can read this server's data."""
    path = shutil.which(name)
    if path is None:
        raise BackupFailed(f"{name} is not installed. On Debian: apt-get install postgresql-client "
                           f"(version {SERVER_MAJOR} or later, to match the server).")
    out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
    try:
        major = int(out.split()[-1].split(".")[0].split("-")[0])
    except (IndexError, ValueError):
        return path
    if major < SERVER_MAJOR:
        raise BackupFailed(f"{out.strip()} is older than the PostgreSQL {SERVER_MAJOR} server it would read; "
                           f"install postgresql-client-{SERVER_MAJOR}.")
    return path


def _run(cmd: list[str], env: dict, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, env=env, capture_output=True, **kw)
    if done.returncode != 0:
        err = done.stderr.decode(errors="replace") if isinstance(done.stderr, bytes) else done.stderr
        raise BackupFailed(f"{Path(cmd[0]).name} failed; nothing was changed:\n{err.strip()[-2000:]}")
    return done


# --- encryption of the copy ------------------------------------------------------------------------------

def _encrypt_file(plain: Path, target, key: Fernet) -> None:
    with open(plain, "rb") as src:
        target.write(MAGIC)
        index, chunk = 0, src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            token = key.encrypt(struct.pack(">Q?", index, not following) + chunk)
            target.write(struct.pack(">I", len(token)) + token)
            if not following:
                return
            index, chunk = index + 1, following


def _decrypt_file(path: Path, target, key: Fernet) -> None:
    with open(path, "rb") as src:
        if src.read(len(MAGIC)) != MAGIC:
            raise BackupFailed("This is not an encrypted Booking Desk backup.")
        index = 0
        while header := src.read(4):
            token = src.read(struct.unpack(">I", header)[0])
            try:
                plain = key.decrypt(token)
            except InvalidToken:
                raise BackupFailed(f"This backup can't be decrypted with {KEY_ENV} (wrong key, or the file "
                                   "was changed).") from None
            got, last = struct.unpack(">Q?", plain[:9])
            if got != index:
                raise BackupFailed("This backup's parts are out of order: the file was changed.")
            target.write(plain[9:])
            if last:
                return
            index += 1
        raise BackupFailed("This backup is cut short: its last part is missing.")


@contextmanager
def _private_dir() -> Iterator[Path]:
    """A folder only this user can read, for a plain copy on its way in or out; removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="booking-desk-backup-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --- backup ----------------------------------------------------------------------------------------------

def backup(file: str | Path, url: str | None = None, by: str = "command line") -> Done:
    """A consistent copy of the whole database in `file` (written to a temporary name, then moved)."""
    url = url or config.database_url()
    target = Path(file).resolve()
    key = _backup_key()
    kind = "postgresql" if db.is_postgres(url) else "sqlite"
    with unit_of_work(write=True, url=url) as s:  # recorded first, so the copy holds its own entry
        trail.record(s, by, AuditAction.BACKUP, detail=f"{kind} backup{' (encrypted)' if key else ''}")
    with _private_dir() as tmp:
        plain = tmp / "copy"
        if kind == "sqlite":
            source = sqlite3.connect(_sqlite_path(url))
            copy = sqlite3.connect(plain)
            try:
                with copy:
                    source.backup(copy)
            finally:
                copy.close()
                source.close()
        else:
            _run([pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={plain}"],
                 _pg_env(url))
        partial = target.with_name(target.name + ".partial")
        try:
            if key is None:
                shutil.copyfile(plain, partial)
            else:
                with open(partial, "wb") as out:
                    _encrypt_file(plain, out, key)
            os.chmod(partial, 0o600)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return Done(target, kind, key is not None)


# --- restore ---------------------------------------------------------------------------------------------

def rows_held(url: str) -> int:
    """Rows in the application's tables (0: an empty database, safe to restore into)."""
    eng = db.engine(url)
    present = set(inspect(eng).get_table_names())
    total = 0
    with eng.connect() as conn:
        for t in Base.metadata.sorted_tables:
            if t.name in present:
                total += conn.scalar(select(func.count()).select_from(t)) or 0
    return total


def _kind_of(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupFailed("This file is not a Booking Desk backup (neither a SQLite database nor a pg_dump archive).")


def restore(file: str | Path, force: bool = False, url: str | None = None, by: str = "command line") -> Done:
    url = url or config.database_url()
    source = Path(file)
    if not source.is_file():
        raise BackupFailed(f"There is no backup at {source}.")
    held = rows_held(url)
    if held and not force:
        raise BackupFailed(f"The database is not empty ({held:,} rows). Restoring would replace everything in "
                           "it: run the restore again with --force if that is what you want.")
    kind = "postgresql" if db.is_postgres(url) else "sqlite"
    with open(source, "rb") as fh:
        encrypted = fh.read(len(MAGIC)) == MAGIC
    with _private_dir() as tmp:
        plain = source
        if encrypted:
            key = _backup_key()
            if key is None:
                raise BackupFailed(f"This backup is encrypted: set {KEY_ENV} to the key it was made with.")
            plain = tmp / "copy"
            with open(plain, "wb") as out:
                _decrypt_file(source, out, key)
        made_by = _kind_of(plain)
        if made_by != kind:
            raise BackupFailed(f"This is a {made_by} backup and the database is {kind}: restore it into a "
                               f"{made_by} database (or migrate the data across separately).")
        db.dispose_all()  # no pooled connection may hold the old contents open
        if kind == "sqlite":
            _restore_sqlite(plain, _sqlite_path(url))
        else:
            _restore_postgres(plain, url)
    db.dispose_all()
    with unit_of_work(write=True, url=url) as s:
        trail.record(s, by, AuditAction.RESTORE, detail=f"{kind} restore{' (encrypted copy)' if encrypted else ''}"
                                              f"{' over existing data (--force)' if held else ''}")
    return Done(source, kind, encrypted)


def _restore_sqlite(plain: Path, target: Path) -> None:
    check = sqlite3.connect(f"file:{plain}?mode=ro", uri=True)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupFailed("This backup is damaged (SQLite's integrity check failed); nothing was changed.")
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target, timeout=30)
        try:
            check.backup(dest)  # replaces the whole destination in one step, or leaves it as it was
        finally:
            dest.close()
    finally:
        check.close()


def _restore_postgres(plain: Path, url: str) -> None:
    env = _pg_env(url)
    eng = db.engine(url)
    with eng.connect() as conn:
        tables = list(conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")))
    preamble = "".join(f'DROP TABLE IF EXISTS "{t}" CASCADE;\n' for t in tables)
    eng.dispose()
    script = _run([pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(plain)], env).stdout
    _run([pg_tool("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
          "--file=-"], env, input=preamble.encode() + script)
