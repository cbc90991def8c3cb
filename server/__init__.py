"""The HTTP layer around the Streamlit app (st.App): routes, middleware and the lifespan. No rules here."""
