"""Start the app: `python -m ui.serve [streamlit options]` (what `make run` does).

Streamlit still supports its older multipage mode, where every file directly in pages/ is its own
address. It decides once per process, from whether a pages/ folder exists, until the first
st.navigation call switches it off. Until then a link such as /session?id=3 (from an email) shows
"Page not found" on the first visit after a restart. Switching it off before the server starts
removes that. (Our page files sit one folder down and only define functions, so that mode would
find nothing to serve anyway.)
"""
import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from lib.config import ROOT


def main() -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(ROOT / "streamlit_app.py"), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
