"""Streamlit pages; each is thin: read filters, call analytics, render."""
