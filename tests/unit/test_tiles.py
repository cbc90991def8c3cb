"""Figure tiles (ui.tiles) are one HTML block in which every text is escaped."""
from ui.tiles import Tile, tiles_html


def test_every_text_in_the_tiles_is_escaped():
    hostile = '<img src=x onerror="window.__pwned=1">'
    html = tiles_html([Tile(hostile, hostile, hostile, hostile, True)], above=[hostile], info=hostile, below=[hostile])

    assert "<img" not in html and "onerror=\"" not in html
    assert html.count("&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;") == 11  # label, value, help, delta: twice each; notes above, info, below


def test_a_delta_is_coloured_by_whether_it_is_better():
    better, worse, same = (tiles_html([Tile("Median", "1 h", "help", "-1 h vs practice", b)]) for b in (True, False, None))

    assert 'class="bd-delta bd-better"' in better and 'class="bd-delta bd-worse"' in worse
    assert 'class="bd-delta bd-same"' in same
    # Colour is never the only signal (WCAG 1.4.1): better and worse are said in words too.
    assert "-1 h vs practice · better</div>" in better and "-1 h vs practice · worse</div>" in worse
    assert "-1 h vs practice</div>" in same
    assert "class=\"bd-delta" not in tiles_html([Tile("Requests", "6", "help")])  # no delta, no badge
