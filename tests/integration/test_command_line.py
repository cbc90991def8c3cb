"""python -m lib: migrate, seed-demo (--if-empty), users add — as an operator runs them."""
import os
import subprocess
import sys

from sqlalchemy import create_engine, func, select

from lib.core.models import Booking, User
from tests.conftest import ROOT


def _lib(url, *args, input_text=None):
    env = os.environ | {"DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "lib", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180, input=input_text)


def _count(url, stmt):
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(stmt)
    finally:
        engine.dispose()


def test_migrate_seed_and_add_a_user_on_a_fresh_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert _lib(url, "migrate").returncode == 0
    seeded = _lib(url, "seed-demo", "--if-empty")
    assert seeded.returncode == 0 and "alice" in seeded.stdout
    again = _lib(url, "seed-demo", "--if-empty")
    assert again.returncode == 0 and "not seeding" in again.stdout
    assert _count(url, select(func.count()).select_from(User).where(User.username.in_(["alice", "bob", "morgan"]))) == 3
    statuses = _count(url, select(func.count(func.distinct(Booking.session_type))))
    assert statuses == 4  # every session type is in the demo

    weak = _lib(url, "users", "add", "carol", "--name", "Carol King", "--email", "carol@practice.example",
                "--role", "therapist", "--password", "short")
    assert weak.returncode == 2 and "12 characters" in weak.stderr
    ok = _lib(url, "users", "add", "carol", "--name", "Carol King", "--email", "carol@practice.example",
              "--role", "therapist", "--password", "a-long-and-unusual-passphrase")
    assert ok.returncode == 0, ok.stderr
    duplicate = _lib(url, "users", "add", "carol", "--name", "Carol", "--email", "c2@practice.example",
                     "--role", "manager", "--password", "another-long-passphrase")
    assert duplicate.returncode == 2 and "already a user" in duplicate.stderr


def test_large_synthetic_data_set(tmp_path):
    url = f"sqlite:///{tmp_path / 'big.db'}"
    assert _lib(url, "migrate").returncode == 0
    done = _lib(url, "seed-demo", "--bookings", "3000", "--therapists", "20")
    assert done.returncode == 0, done.stderr
    assert _count(url, select(func.count()).select_from(Booking)) == 3000
    assert _count(url, select(func.count()).select_from(User)) == 20
    # Answered requests carry their stored response time, as the metrics expect.
    assert _count(url, select(func.count()).select_from(Booking).where(
        Booking.first_response_at.is_not(None), Booking.response_business_seconds.is_(None))) == 0
