import pytest


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """st.cache_* are shared across AppTest instances in one process."""
    import streamlit as st

    from ui import shell_state

    st.cache_data.clear()
    st.cache_resource.clear()
    shell_state.forget()
    yield
