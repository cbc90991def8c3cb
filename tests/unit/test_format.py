"""Client text in markdown shows literally: no markup, no broken columns, no links, no icons, no HTML."""
import re

from ui.format import md_escape, md_table

ZW = "\u200b"


def visible(text: str) -> str:
    """What a reader sees once markdown drops its escapes (and the invisible zero-width spaces)."""
    return re.sub(r"\\(.)", r"\1", text).replace(ZW, "")


def test_a_table_cell_keeps_pipes_stars_and_tags_literal_and_on_one_line():
    text = md_table(["When", "Who"], [["Mon 10:00", "a|b **bold** <script>x</script>\nsecond\rline"], ["", "x"]])
    header, rule, first, second = text.splitlines()

    assert header == "| When | Who |" and rule == "|---|---|"
    assert first.count("|") - first.count("\\|") == 3  # the client's pipe does not make a third column
    assert "\\*\\*bold\\*\\*" in first and "\\<script\\>" in first and "second line" in first
    assert second == "| — | x |"  # an empty cell shows a dash
    assert visible(first) == "| Mon 10:00 | a|b **bold** <script>x</script> second line |"


def test_web_addresses_icons_and_colours_in_client_text_cannot_come_alive():
    text = md_escape("https://evil.example/login www.evil.example :material/warning: :streamlit: :red[x]")

    assert "https://" not in text and "www." not in text  # Streamlit links only whole http(s):// and www.
    assert ":material/" not in text.replace("\\", "") and ":streamlit:" not in text.replace("\\", "")
    assert visible(text) == "https://evil.example/login www.evil.example :material/warning: :streamlit: :red[x]"


def test_the_practices_own_links_may_stay_links():
    assert "https\\://zoom\\.example/j/1" in md_escape("https://zoom.example/j/1", links=True)


def test_escaping_leaves_plain_words_alone():
    assert md_escape("Hannah Whitfield") == "Hannah Whitfield"
    assert md_escape(None) == ""


def test_html_entities_in_client_text_stay_as_typed():
    text = md_escape("&lt;b&gt;entities&amp;amp;")

    assert re.search(r"(?<!\\)&", text) is None  # every & escaped: markdown would turn &lt; into <
    assert visible(text) == "&lt;b&gt;entities&amp;amp;"


def test_a_clients_own_line_breaks_are_kept_and_each_line_is_escaped():
    from ui.format import md_lines

    text = md_lines("First line **not bold**\r\n\n# not a heading\rthird")

    assert text.split("  \n") == [md_escape("First line **not bold**"), md_escape("# not a heading"), "third"]
    assert md_lines(None) == "" and md_lines("") == ""
