"""Deliveries at the same moment, on PostgreSQL (row locks, several server threads): one booking each time."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.app_server import booking, deliver, serving_fresh, signed_headers
from tests.integration.test_booking_api import counts

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api-concurrency")
    with serving_fresh("postgres", folder) as srv:
        yield srv


def test_twenty_concurrent_deliveries_of_one_webhook_create_exactly_one_booking(pg_server):
    body = json.dumps(booking()).encode()
    headers = signed_headers(body, "msg_twenty_at_once")  # the channel retrying one delivery, 20 times at once
    before = counts(pg_server.database_url)

    def post(_):
        return requests.post(f"{pg_server.url}/api/v1/bookings", data=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(post, range(20)))
    assert [a.status_code for a in answers] == [201] * 20
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 19
    after = counts(pg_server.database_url)
    assert after["bookings"] == before["bookings"] + 1
    assert after["channel_deliveries"] == before["channel_deliveries"] + 1


def test_twenty_concurrent_deliveries_of_one_booking_under_different_ids_create_one(pg_server):
    sent = booking()
    before = counts(pg_server.database_url)
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: deliver(pg_server.url, sent), range(20)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 19
    assert counts(pg_server.database_url)["bookings"] == before["bookings"] + 1
