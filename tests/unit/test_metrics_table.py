"""The By therapist table as the page hands it to the browser: durations to the minute, no figure left empty."""
import pandas as pd

from ui.metrics_table import MARK, readable


def test_hours_become_durations_to_the_minute_and_a_missing_figure_stays_empty():
    table = readable({"Therapist": ["Alice", "Bob"], "Median (h)": [1.5, None], "90th percentile (h)": [2.2583, 30.0],
                      "Within target": [50.0, None], "Faster than practice": [True, False]})

    assert table["Median"][0] == pd.Timedelta(hours=1, minutes=30)
    assert pd.isna(table["Median"][1])  # drawn as "—" (st.dataframe's placeholder), not "0 min"
    assert table["90th percentile"][0] == pd.Timedelta(hours=2, minutes=15)  # 2.2583 h: 2 h 15 min 29.9 s
    assert table["90th percentile"][1] == pd.Timedelta(hours=30)
    assert list(table["Faster than practice"]) == [MARK, ""]
    assert table.sort_values("90th percentile")["Therapist"].tolist() == ["Alice", "Bob"]  # by length, not by text
