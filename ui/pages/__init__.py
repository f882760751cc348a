"""The pages streamlit_app.py routes to (Check, Teach, Analyze, About): one ``render()`` each."""
