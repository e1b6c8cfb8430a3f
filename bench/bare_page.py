"""The baseline of bench/first_visit_bench.py: a bare Streamlit page with one Plotly chart (12 points)."""

import plotly.graph_objects as go
import streamlit as st

st.title("Bare page")
quarters = [f"{year}Q{q}" for year in (2023, 2024, 2025) for q in (1, 2, 3, 4)]
st.plotly_chart(go.Figure(go.Scatter(x=quarters, y=[70 + (i % 5) for i in range(12)], mode="lines+markers")))
