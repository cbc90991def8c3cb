"""Booking Desk: `streamlit run streamlit_app.py` (or `make run`). The frame and login gate are in ui/shell.py.

Streamlit re-reads this file on every run, so it stays this small.
"""
from streamlit.runtime.pages_manager import PagesManager

from ui import shell

# Also when started as plain `streamlit run` (ui/serve.py explains; it covers the very first request too).
PagesManager.uses_pages_directory = False

shell.main()
