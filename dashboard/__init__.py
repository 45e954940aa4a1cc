"""lapak's dashboard: the published marts for people who never write SQL (Streamlit, Bahasa Indonesia / English).

Run it with `make dashboard` (or `python -m dashboard`); see docs/dashboard.md.
"""
