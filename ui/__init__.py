"""Small Streamlit helpers the pages share (login gate, formatting, friendly errors)."""
