"""Booking Desk application library. No Streamlit below this line."""
