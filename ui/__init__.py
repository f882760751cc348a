"""Streamlit pages on top of :mod:`engine`. No scoring logic lives here."""
