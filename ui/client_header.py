"""The top of every client page: the practice's logo (if one is set) and its name, so a client knows whose
page this is before typing anything."""
from __future__ import annotations

import base64

import streamlit as st

from lib.practice import brand as practice_brand
from ui import format as fmt


def header() -> practice_brand.Brand:
    brand = practice_brand.brand()
    row = st.container(horizontal=True, vertical_alignment="center", key="bd_practice_brand")
    if brand.logo and "," in brand.logo:
        row.image(base64.b64decode(brand.logo.split(",", 1)[1]), width=56, alt=f"{brand.name} logo")
    row.markdown(f"**{fmt.md_escape(brand.name)}**")
    return brand
