"""A bad setting stops the app at start-up with a message naming it, not when it is first used."""
import subprocess
import sys

import pytest

from lib.__main__ import main
from lib.core import config
from tests.app_server import free_port
from tests.conftest import ROOT


@pytest.mark.parametrize(("name", "value"), [("SMTP_PORT", "abc"), ("BOOKING_DESK_IDLE_MINUTES", "-5"),
                                             ("SMTP_TLS", "tls13"), ("BOOKING_DESK_BCRYPT_ROUNDS", "99")])
def test_a_bad_value_is_named(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    problem = config.check()
    assert problem and name in problem
    with pytest.raises(config.BadSetting):
        config.settings()


def test_good_values_are_typed_and_empty_means_unset(monkeypatch):
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("SMTP_TLS", "SSL")
    monkeypatch.setenv("BOOKING_DESK_DISPATCHER", "off")
    monkeypatch.setenv("SMTP_HOST", "")
    s = config.settings()
    assert (s.SMTP_PORT, s.SMTP_TLS, s.BOOKING_DESK_DISPATCHER, s.SMTP_HOST) == (2525, "ssl", False, None)


def test_every_command_refuses_to_run_with_a_bad_setting(monkeypatch, capsys):
    monkeypatch.setenv("SMTP_PORT", "abc")
    assert main(["migrate"]) == 2
    assert "SMTP_PORT" in capsys.readouterr().err


def test_the_server_stops_at_start_up_naming_the_setting(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "BOOKING_DESK_IDLE_MINUTES": "soon",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "BOOKING_DESK_DISPATCHER": "off"}
    done = subprocess.run([sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
                           "--server.port", str(free_port()), "--server.headless", "true"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "BOOKING_DESK_IDLE_MINUTES" in done.stdout + done.stderr
