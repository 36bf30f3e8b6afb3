"""URL building (PROTOCOL.md §1.1)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from voicelive._url import DEFAULT_API_VERSION, build_url, is_loopback_host, user_agent


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_https_becomes_wss_with_path_and_default_query() -> None:
    url = build_url("https://res.services.ai.azure.com", model="gpt-realtime")
    parts = urlsplit(url)
    assert parts.scheme == "wss"
    assert parts.netloc == "res.services.ai.azure.com"
    assert parts.path == "/voice-live/realtime"
    assert _query(url) == [
        ("api-version", DEFAULT_API_VERSION),
        ("x-ms-client-sdk", user_agent()),
        ("model", "gpt-realtime"),
    ]


def test_http_becomes_ws_and_other_schemes_are_kept() -> None:
    assert build_url("http://127.0.0.1:8080").startswith("ws://127.0.0.1:8080/voice-live/realtime?")
    assert build_url("wss://h.example/").startswith("wss://h.example/voice-live/realtime?")


def test_endpoint_path_is_kept_without_trailing_slash() -> None:
    assert urlsplit(build_url("https://h/custom/")).path == "/custom/voice-live/realtime"


def test_model_is_omitted_when_not_given() -> None:
    assert "model" not in dict(_query(build_url("https://h")))


def test_agent_parameters_in_order() -> None:
    url = build_url(
        "https://h",
        agent_name="a",
        project_name="p",
        agent_version="3",
        conversation_id="c",
        authentication_identity_client_id="cid",
        foundry_resource_override="other",
    )
    keys = [k for k, _ in _query(url)]
    assert keys == [
        "api-version",
        "x-ms-client-sdk",
        "agent-name",
        "agent-project-name",
        "agent-version",
        "conversation-id",
        "agent-authentication-identity-client-id",
        "foundry-resource-override",
    ]


@pytest.mark.parametrize(("name", "project"), [("a", None), (None, "p")])
def test_agent_name_and_project_are_required_together(
    name: str | None, project: str | None
) -> None:
    with pytest.raises(ValueError, match="together"):
        build_url("https://h", agent_name=name, project_name=project)


def test_caller_query_overrides_and_endpoint_query_only_fills_gaps() -> None:
    url = build_url(
        "https://h/?api-version=old&keep=1",
        api_version="2026-07-15",
        query={"features": "client_ec_reference:true", "flag": True},
    )
    query = dict(_query(url))
    assert query["api-version"] == "2026-07-15"
    assert query["keep"] == "1"
    assert query["features"] == "client_ec_reference:true"
    assert query["flag"] == "true"
    assert "features=client_ec_reference%3Atrue" in url


def test_caller_query_may_override_sdk_keys() -> None:
    query = dict(_query(build_url("https://h", model="a", query={"model": "b"})))
    assert query["model"] == "b"


@pytest.mark.parametrize("endpoint", ["", "not a url", "/relative/path"])
def test_bad_endpoint_is_a_clear_error(endpoint: str) -> None:
    with pytest.raises(ValueError, match="absolute URL"):
        build_url(endpoint)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.5.6.7", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("10.0.0.1", False),
        ("example.com", False),
        (None, False),
    ],
)
def test_is_loopback_host(host: str | None, expected: bool) -> None:
    assert is_loopback_host(host) is expected
