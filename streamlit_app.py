"""Booking Desk: `streamlit run streamlit_app.py` (or `make run`). The frame and login gate are in ui/shell.py.

Streamlit runs this file as __main__ on every page view, so that part stays this small. Imported as a
module, it is the server: `streamlit run` finds `app` below and serves it under uvicorn (st.App), with
the routes, security headers and lifespan of server/app.py.
"""
import streamlit as st

if __name__ == "__main__":
    from ui import shell

    shell.main()
else:
    from lib.core import config

    if problem := config.check():  # a bad setting stops the server before it serves anything, naming it
        raise SystemExit(problem)
    from server.app import lifespan, middleware, routes

    app = st.App(__file__, routes=routes(), middleware=middleware(), lifespan=lifespan)
