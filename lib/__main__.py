"""Command line: python -m lib --help"""
from __future__ import annotations

import argparse
import getpass
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib", description="Booking Desk administration")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="create or upgrade the database schema")
    seed = sub.add_parser("seed-demo", help="load the demo practice (or a large data set)")
    seed.add_argument("--bookings", type=int, help="make a large synthetic data set with this many bookings")
    seed.add_argument("--therapists", type=int, default=2000, help="therapists in the large data set")
    seed.add_argument("--if-empty", action="store_true", help="do nothing if the database has users")
    imp = sub.add_parser("import-bookings", help="import bookings from the booking channel's CSV export")
    imp.add_argument("file")
    disp = sub.add_parser("dispatch", help="deliver queued emails and SMS")
    disp.add_argument("--once", action="store_true", help="deliver what is due now, then stop")
    users = sub.add_parser("users", help="manage users")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="add a therapist or manager")
    add.add_argument("username")
    add.add_argument("--name", required=True)
    add.add_argument("--email", required=True)
    add.add_argument("--role", choices=["therapist", "manager"], required=True)
    add.add_argument("--timezone", default="Europe/London")
    add.add_argument("--password", help="prompted for if left out")
    reset = users_sub.add_parser("reset-password", help="email someone a link to choose a new password (24 hours)")
    reset.add_argument("username")
    unlock = users_sub.add_parser("unlock", help="clear someone's failed sign-in attempts")
    unlock.add_argument("username")
    _data_lifecycle_commands(sub)
    args = parser.parse_args(argv)

    from lib.core import config
    from lib.core.errors import BookingDeskError

    if problem := config.check():  # a bad setting stops every command, naming the setting
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        return COMMANDS[args.command](args)
    except BookingDeskError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


def _migrate(args) -> int:
    from lib.bookings import metric_days
    from lib.core import db, migrate

    migrate.upgrade()
    with db.engine().begin() as conn:  # rows a previous release's servers wrote while this one was rolled out
        rewritten = metric_days.rebuild_stale(conn)
    if rewritten:
        print(f"rebuilt {rewritten} response-time figure rows written by the previous release")
    print("database is up to date")
    return 0


def _seed(args) -> int:
    from lib.demo import seed as demo_seed

    if args.if_empty and not demo_seed.is_empty():
        print("database already has data; not seeding")
        return 0
    if args.bookings:
        from lib.demo.bulk import seed_bulk

        started = time.monotonic()

        def progress(done: int) -> None:
            print(f"\r{done:,} / {args.bookings:,} bookings", end="", flush=True)

        seed_bulk(args.bookings, args.therapists, progress=progress)
        print(f"\nseeded {args.bookings:,} bookings for {args.therapists:,} therapists "
              f"in {time.monotonic() - started:.0f} s")
        return 0
    demo_seed.seed_demo()
    print("demo practice loaded: log in as alice, bob (therapists) or morgan (manager), "
          f"password {demo_seed.DEMO_PASSWORD}")
    return 0


def _import(args) -> int:
    from lib.imports import importer

    return importer.main(args.file)


def _dispatch(args) -> int:
    from lib import worker

    return worker.main(once=args.once)


def _users(args) -> int:
    from lib.core.db import unit_of_work
    from lib.notify.readiness import email_ready
    from lib.people import auth
    from lib.people import staff as people

    if args.users_command == "reset-password":
        email = people.send_reset(None, username=args.username)
        print(f"a link to choose a new password (valid 24 hours) is queued for {email}"
              + ("" if email_ready() else "; email is not set up (SMTP_HOST), so it will not be sent"))
        return 0
    if args.users_command == "unlock":
        print(f"{people.unlock(None, username=args.username)} can sign in again")
        return 0
    password = args.password or getpass.getpass("Password (12+ characters): ")
    with unit_of_work(write=True) as s:
        auth.add_user(s, args.username, args.name, args.email, args.role, password, timezone=args.timezone)
    print(f"added {args.role} {args.username}")
    return 0


def _data_lifecycle_commands(sub) -> None:
    bak = sub.add_parser("backup", help="a consistent copy of the database (encrypted if BOOKING_DESK_BACKUP_KEY is set)")
    bak.add_argument("file")
    res = sub.add_parser("restore", help="restore a backup into an empty database")
    res.add_argument("file")
    res.add_argument("--force", action="store_true", help="replace a database that is not empty")
    aud = sub.add_parser("audit", help="check or export the hash-chained audit trail")
    aud_sub = aud.add_subparsers(dest="audit_command", required=True)
    aud_sub.add_parser("verify", help="check the chain; exits non-zero at the first changed, removed or "
                                      "reordered entry")
    stream = aud_sub.add_parser("stream", help="write the entries as JSON lines, for a log system")
    stream.add_argument("--file", help="append to this file, carrying on after its last entry (default: stdout)")
    stream.add_argument("--after", type=int, default=None, help="start after this entry number")
    stream.add_argument("--follow", action="store_true", help="keep writing new entries as they are made")
    sub.add_parser("rotate-key", help="re-encrypt every assessment with the first key in "
                                      "BOOKING_DESK_ENCRYPTION_KEYS")


def _backup(args) -> int:
    from lib.lifecycle import backup

    done = backup.backup(args.file)
    print(f"backed up the {done.kind} database to {done.path}{' (encrypted)' if done.encrypted else ''}")
    return 0


def _restore(args) -> int:
    from lib.lifecycle import backup

    done = backup.restore(args.file, force=args.force)
    print(f"restored the {done.kind} database from {done.path}")
    return 0


def _audit(args) -> int:
    from lib.audit import chain as audit_chain

    if args.audit_command == "verify":
        verdict = audit_chain.verify()
        print(verdict, file=sys.stdout if verdict.ok else sys.stderr)
        return 0 if verdict.ok else 1
    if args.file:
        after = args.after if args.after is not None else audit_chain.last_seq_in(args.file)
        with open(args.file, "a", encoding="utf-8") as out:
            written = audit_chain.stream(out, after, follow=args.follow)
        print(f"wrote {written} entries to {args.file}", file=sys.stderr)
        return 0
    try:
        audit_chain.stream(sys.stdout, args.after or 0, follow=args.follow)
    except KeyboardInterrupt:
        pass
    return 0


def _rotate_key(args) -> int:
    from lib.lifecycle import rotate_key

    count = rotate_key.rotate_all()
    print(f"re-encrypted {count} assessments with the first key in BOOKING_DESK_ENCRYPTION_KEYS; "
          "the older keys can now be removed")
    return 0


COMMANDS = {"migrate": _migrate, "seed-demo": _seed, "import-bookings": _import, "dispatch": _dispatch,
            "users": _users, "backup": _backup, "restore": _restore, "audit": _audit, "rotate-key": _rotate_key}

if __name__ == "__main__":
    sys.exit(main())
