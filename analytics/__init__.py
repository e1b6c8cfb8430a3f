"""Party Building Insight (党建洞察): the product's logic. Never imports streamlit."""
