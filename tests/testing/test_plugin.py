"""The pytest plugin: fixtures used directly, and markers/failures checked with pytester."""

from __future__ import annotations

import pytest
from testing_helpers import collect, of_type

from voicelive.aio import VoiceLiveConnection
from voicelive.testing import Fault, MockServer, ScriptedResponder, cassettes

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


@pytest.mark.voicelive_cassette(cassettes.text_turn, match="strict")
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


STRICT_MODE_TESTS = """
import pytest

from voicelive.testing import cassettes


async def test_fixture_only(voicelive_connection):
    assert (await voicelive_connection.recv()).type == "session.created"


@pytest.mark.voicelive_server(session={"modalities": ["text"]})
async def test_marker_and_server(voicelive_server):
    assert voicelive_server.endpoint.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("name", [cassettes.text_turn, "voicelive.testing.cassettes.text_turn"])
async def test_packaged_cassette_by_path_or_dotted_name(voicelive_server, name, request):
    request.applymarker(pytest.mark.voicelive_cassette(name))


@pytest.mark.voicelive_cassette("voicelive.testing.cassettes.text_turn", match="strict")
async def test_dotted_name_replays(voicelive_connection):
    await voicelive_connection.session.update(
        session={"modalities": ["text"], "instructions": "Be brief."})
    await voicelive_connection.conversation.item.create(item={
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hello!"}]})
    await voicelive_connection.response.create()
    async for event in voicelive_connection:
        if event.type == "response.done":
            assert event.response.output[0].content[0].text == "You said: Hello!"
            break


async def test_unrelated_async_test_is_left_alone():
    pass
"""


def test_works_in_strict_mode_with_no_configuration_and_no_warnings(
    pytester: pytest.Pytester,
) -> None:
    """No asyncio_mode, no loop scope: the plugin marks its tests and sets the loop scope."""
    pytester.makepyfile(test_app=STRICT_MODE_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error", "--strict-markers")
    result.stdout.fnmatch_lines(["*mode=Mode.STRICT*asyncio_default_fixture_loop_scope=function*"])
    # pytest-asyncio leaves an unmarked async test to pytest, which fails it ("not natively
    # supported"): the plugin marks only tests that use voicelive.
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["FAILED test_app.py::test_unrelated_async_test_is_left_alone*"])
    assert "PytestDeprecationWarning" not in result.stdout.str()


def test_a_loop_scope_the_project_sets_is_kept(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = module\n")
    pytester.makepyfile(test_app="async def test_one(voicelive_server):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "error")
    result.stdout.fnmatch_lines(["*asyncio_default_fixture_loop_scope=module*"])
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        (
            '"cassettes/nope.jsonl"',
            "@pytest.mark.voicelive_cassette: cassette 'cassettes/nope.jsonl' not found "
            "(looked at {path}/cassettes/nope.jsonl); packaged examples: "
            "voicelive.testing.cassettes.audio_vad_interruption, .function_call, .text_turn",
        ),
        (
            '"voicelive.testing.cassettes.nope"',
            "@pytest.mark.voicelive_cassette: no packaged cassette named "
            "'voicelive.testing.cassettes.nope'; voicelive ships audio_vad_interruption, "
            "function_call, text_turn (in *)",
        ),
    ],
)
def test_a_missing_cassette_is_one_line(
    pytester: pytest.Pytester, marker: str, expected: str
) -> None:
    pytester.makepyfile(
        test_app=f"""
import pytest

@pytest.mark.voicelive_cassette({marker})
async def test_replay(voicelive_connection):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    block = out.split("ERROR at setup of test_replay", 1)[1].split("short test summary", 1)[0]
    lines = [line for line in block.splitlines()[1:] if line.strip() and not line.startswith("=")]
    assert len(lines) == 1, block
    pattern = expected.replace("{path}", str(pytester.path))
    result.stdout.fnmatch_lines([pattern])
    assert "pytest_asyncio" not in out
