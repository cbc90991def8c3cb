"""Figure tiles (ui.tiles): st.metric, a difference coloured by whether it is better and said in words."""
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest


def _tiles(better):
    from ui.tiles import Tile, draw

    draw([Tile("Median", "1 h", "Half were faster", "-1 h vs practice", better), Tile("Requests", "6", "help")],
         above=["Requests made in the last 30 days · Alice Moreno"])


def _page(better):
    return AppTest.from_function(_tiles, kwargs={"better": better}).run()


def test_a_difference_is_coloured_by_whether_it_is_better_and_said_in_words():
    for better, colour, word in ((True, "green", "better"), (False, "red", "worse"), (None, "gray", "")):
        at = _page(better)
        median, requests = at.metric
        assert (median.value, median.delta) == ("1 h", "-1 h vs practice")
        assert MetricProto.MetricColor.Name(median.proto.color) == colour.upper()
        assert median.proto.delta_description == word  # never colour alone (WCAG 1.4.1)
        assert not requests.delta  # no difference, no badge


def test_the_notes_above_are_shown():
    assert _page(True).caption[0].value == "Requests made in the last 30 days · Alice Moreno"
