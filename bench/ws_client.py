"""A signed-in Streamlit session without a browser: Streamlit's own websocket protocol (protobuf BackMsg /
ForwardMsg over /_stcore/stream), as the browser speaks it. One object per session; many run in one
asyncio loop. It only ever connects to 127.0.0.1.

A run is "answered" when the server sends `script_finished` for it. Widgets are found by their label in
the deltas (each widget's proto carries its id and label), and set as the browser does: the whole set of
widget values with each rerun, a button's click as a trigger value.
"""
from __future__ import annotations

import asyncio
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

_WIDGET_FIELDS = ("text_input", "button", "checkbox", "toggle", "selectbox", "radio", "date_input", "text_area",
                  "number_input", "multiselect", "slider", "button_group", "segmented_control")


class _Json:
    """A component's value, sent as JSON (a widget's is sent typed)."""

    def __init__(self, text: str):
        self.text = text


class Session:
    def __init__(self, port: int):
        self.url = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.ws = None
        self.widgets: dict[str, tuple[str, str]] = {}  # label -> (id, kind)
        self.values: dict[str, object] = {}  # id -> value kept and sent with every run
        self.texts: list[str] = []
        self.cookie_writers: list[str] = []  # the cookie components that wrote a cookie in the last run
        self.page_hash = ""
        self.page_name = ""
        self.query = ""

    async def connect(self) -> None:
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=30)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def _state(self, query: str, trigger: str | None):
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query
        cs.page_script_hash = self.page_hash
        cs.page_name = self.page_name
        for wid, value in self.values.items():
            w = cs.widget_states.widgets.add()
            w.id = wid
            if isinstance(value, _Json):
                w.json_value = value.text
            elif isinstance(value, bool):
                w.bool_value = value
            else:
                w.string_value = str(value)
        if trigger is not None:
            w = cs.widget_states.widgets.add()
            w.id, w.trigger_value = trigger, True
        return msg

    async def run(self, trigger_label: str | None = None, timeout: float = 60.0) -> float:
        """Rerun (as a click or a page load does) and wait for the run to finish; seconds taken.

        A run that reruns itself (st.rerun) counts until the last one finishes."""
        trigger = self.widgets[trigger_label][0] if trigger_label else None
        self.texts, self.cookie_writers, started = [], [], time.perf_counter()
        await self.ws.send(self._state(self.query, trigger).SerializeToString())
        deadline = started + timeout
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), max(0.1, deadline - time.perf_counter()))
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":  # the page this run drew, as the browser keeps it for the next run
                self._page_from(fwd.navigation)
            elif kind == "delta":
                self._read(fwd.delta)
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return time.perf_counter() - started

    def _page_from(self, navigation) -> None:
        """The hash of the page at this session's address, sent with every rerun as the browser does: without
        it the server would run the app's default page (the dashboard), not the page this session opened."""
        for p in navigation.app_pages:
            if p.url_pathname == self.page_name or (not self.page_name and p.is_default):
                self.page_hash = p.page_script_hash
                return

    def _read(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind in _WIDGET_FIELDS:
            proto = getattr(el, kind)
            label = getattr(proto, "label", "")
            if label and getattr(proto, "id", ""):
                self.widgets[label] = (proto.id, kind)
        elif kind == "component_instance" and '"method": "set"' in el.component_instance.json_args:
            self.cookie_writers.append(el.component_instance.id)
        elif kind == "markdown":
            self.texts.append(el.markdown.body)
        elif kind == "heading":
            self.texts.append(el.heading.body)

    async def cookies_written(self) -> None:
        """What the browser does after a run that set a cookie: the cookie component reports it wrote it (its
        value turns true), which reruns the page. Without it the app would keep drawing its cookie writer on
        every run, as for a browser whose cookie never got written (ui.login)."""
        if self.cookie_writers:
            for wid in self.cookie_writers:
                self.values[wid] = _Json("true")
            await self.run()

    def fill(self, label: str, value) -> None:
        self.values[self.widgets[label][0]] = value

    async def flip(self, label: str) -> float:
        """A click on a toggle: its value flipped, and the rerun that follows; seconds taken."""
        wid = self.widgets[label][0]
        self.values[wid] = not self.values.get(wid, False)
        return await self.run()

    def shows(self, text: str) -> bool:
        return any(text in t for t in self.texts)
