"""The pytest plugin: fixtures used directly, and markers/failures checked with pytester."""

from __future__ import annotations

import pytest
from testing_helpers import collect, of_type

from voicelive.aio import VoiceLiveConnection
from voicelive.testing import Fault, MockServer, ScriptedResponder

pytest_plugins = ["pytester"]


async def test_voicelive_connection_talks_to_the_emulator(
    voicelive_server: MockServer, voicelive_connection: VoiceLiveConnection
) -> None:
    created = await voicelive_connection.recv()
    assert created.type == "session.created"
    assert created.session.model == "gpt-realtime"
    connection = await voicelive_server.wait_for_connection()
    assert connection.headers["api-key"] == "voicelive-test-key"


@pytest.mark.voicelive_server(
    responder=ScriptedResponder(["from the marker"]), session={"modalities": ["text"]}
)
async def test_server_marker_configures_the_emulator(
    voicelive_connection: VoiceLiveConnection,
) -> None:
    await voicelive_connection.response.create()
    events = await collect(voicelive_connection)
    assert of_type(events, "response.text.done")[0].text == "from the marker"


@pytest.mark.voicelive_server(faults=[Fault.close(1011)])
@pytest.mark.voicelive_connection(connection_options={"max_msg_size": 2048})
async def test_fault_and_connection_markers(voicelive_connection: VoiceLiveConnection) -> None:
    from voicelive.exceptions import ConnectionClosedError

    with pytest.raises(ConnectionClosedError):
        await voicelive_connection.recv()


@pytest.mark.voicelive_cassette("../cassettes/text_turn.jsonl", match="strict")
async def test_cassette_marker_replays(voicelive_connection: VoiceLiveConnection) -> None:
    from cassette_flows import text_turn

    assert (await text_turn(voicelive_connection))["text"] == "You said: Hello!"


PLUGIN_TESTS = """
import pytest

@pytest.mark.voicelive_cassette("cassettes/text_turn.jsonl", match="strict")
async def test_replay_ok(voicelive_connection):
    await voicelive_connection.session.update(session={"modalities": ["text"], "instructions": "Be brief."})
    await voicelive_connection.conversation.item.create(
        item={"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hello!"}]}
    )
    await voicelive_connection.response.create()
    async for event in voicelive_connection:
        if event.type == "response.done":
            break

@pytest.mark.voicelive_cassette("cassettes/text_turn.jsonl", match="strict")
async def test_replay_mismatch(voicelive_connection):
    await voicelive_connection.session.update(session={"modalities": ["audio", "text"]})
    async for event in voicelive_connection:
        pass

async def test_emulator(voicelive_connection):
    assert (await voicelive_connection.recv()).type == "session.created"
"""


def test_markers_and_mismatch_reporting_with_pytester(pytester: pytest.Pytester) -> None:
    from cassette_flows import CASSETTES

    (pytester.path / "cassettes").mkdir()
    (pytester.path / "cassettes" / "text_turn.jsonl").write_text(
        (CASSETTES / "text_turn.jsonl").read_text()
    )
    pytester.makepyfile(test_app=PLUGIN_TESTS)
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "--strict-markers",
    )
    # the app sees the server close (1011); the teardown reports what differed
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*CassetteMismatchError: cassette mismatch at frame 2 of *text_turn.jsonl "
            "(match='strict'): 'session.modalities' has 2 elements, the recording has 1",
            '*  expected: {"type":"session.update","session":{"modalities":*"instructions":"Be brief."}}',
            "*ConnectionClosedError: WebSocket closed with code 1011: cassette mismatch*",
        ]
    )
