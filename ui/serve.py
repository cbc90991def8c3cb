"""`python -m ui.serve [streamlit options]`: the same as `streamlit run streamlit_app.py [options]`.

Kept for scripts that start the app this way. streamlit_app.py defines the st.App that `streamlit run`
serves under uvicorn (server/app.py: routes, security headers, lifespan, deep links after a restart).
"""
import sys

from streamlit.web import cli

from lib.core.config import ROOT


def main() -> None:
    sys.argv = ["streamlit", "run", str(ROOT / "streamlit_app.py"), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
