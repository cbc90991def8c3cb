"""Client text in markdown tables shows literally: no markup, no broken columns, no HTML."""
from ui.format import md_escape, md_table


def test_a_table_cell_keeps_pipes_stars_and_tags_literal_and_on_one_line():
    text = md_table(["When", "Who"], [["Mon 10:00", "a|b **bold** <script>x</script>\nsecond line"], ["", "x"]])
    header, rule, first, second = text.splitlines()

    assert header == "| When | Who |" and rule == "|---|---|"
    assert first.count("|") - first.count("\\|") == 3  # the client's pipe does not make a third column
    assert "\\*\\*bold\\*\\*" in first and "\\<script\\>" in first and "second line" in first
    assert second == "| — | x |"  # an empty cell shows a dash


def test_escaping_leaves_plain_words_alone():
    assert md_escape("Hannah Whitfield") == "Hannah Whitfield"
    assert md_escape(None) == ""
