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
    args = parser.parse_args(argv)

    from lib.errors import BookingDeskError

    try:
        return COMMANDS[args.command](args)
    except BookingDeskError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2


def _migrate(args) -> int:
    from lib import migrate

    migrate.upgrade()
    print("database is up to date")
    return 0


def _seed(args) -> int:
    from lib import demo_seed

    if args.if_empty and not demo_seed.is_empty():
        print("database already has data; not seeding")
        return 0
    if args.bookings:
        from lib.bulk_seed import seed_bulk

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
    from lib import importer

    return importer.main(args.file)


def _dispatch(args) -> int:
    from lib.notify import dispatcher

    return dispatcher.main(once=args.once)


def _users(args) -> int:
    from lib import auth, people
    from lib.db import unit_of_work
    from lib.notify.readiness import email_ready

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


COMMANDS = {"migrate": _migrate, "seed-demo": _seed, "import-bookings": _import, "dispatch": _dispatch,
            "users": _users}

if __name__ == "__main__":
    sys.exit(main())
