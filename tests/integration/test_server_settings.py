"""The settings `streamlit run` reads from .streamlit/config.toml, as a server started in the project sees them."""
import json
import subprocess
import sys

from tests.conftest import ROOT

READ = """
import json
from streamlit import config
names = ["runner.postScriptGC", "runner.magicEnabled", "theme.primaryColor", "client.showErrorDetails",
         "browser.gatherUsageStats"]
print(json.dumps({n: config.get_option(n) for n in names} | {"where": config.get_where_defined("runner.postScriptGC")}))
"""


def _served_settings() -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}  # the project's file only, not a developer's ~/.streamlit
    done = subprocess.run([sys.executable, "-c", READ], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_server_does_not_pause_for_a_full_garbage_collection_after_every_click():
    """Streamlit's default: gc.collect(2) after each run, about 90 ms that each redraw waits for (bench/redraw.py)."""
    settings = _served_settings()
    assert settings["runner.postScriptGC"] is False
    assert settings["where"] == str(ROOT / ".streamlit" / "config.toml")
    assert settings["runner.magicEnabled"] is False


def test_the_server_shows_the_purple_theme_and_never_a_traceback():
    settings = _served_settings()
    assert settings["theme.primaryColor"] == "#6B3FA0"
    assert settings["client.showErrorDetails"] == "none"
    assert settings["browser.gatherUsageStats"] is False
