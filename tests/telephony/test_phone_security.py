"""Refusals and bad input: each refused or reported clearly, the server serving on."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from telephony_support import AUTH_TOKEN, phone_stack

from voicelive.telephony import (
    AcsTokenVerifier,
    PhoneAgent,
    PhoneProtocolError,
    PhoneServer,
    PhoneServerConfig,
    StreamRefusedError,
    mask_number,
)
from voicelive.testing import FakeAcsCall, FakeTwilioCall

RESOURCE = "11111111-2222-3333-4444-555555555555"


def _keypair() -> tuple[Any, dict[str, Any]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
    return key, {"keys": [jwk]}


KEY, JWKS = _keypair()


def _token(**claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": "https://acscallautomation.communication.azure.com",
        "aud": RESOURCE,
        "iat": now,
        "exp": now + 3600,
        **claims,
    }
    return jwt.encode(payload, KEY, algorithm="RS256", headers={"kid": "k1"})


async def _one_good_call(server: PhoneServer, ended_before: int) -> None:
    call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
    await call.hangup()
    ended = await asyncio.wait_for(server.wait_ended(ended_before + 1), 10)
    assert ended[-1].by == "caller"


async def test_forged_or_missing_twilio_signature_is_refused() -> None:
    async with phone_stack() as (server, emulator):
        with pytest.raises(PermissionError, match="403: invalid X-Twilio-Signature"):
            await FakeTwilioCall.dial(server.url, signature="Zm9yZ2Vk")
        with pytest.raises(PermissionError, match="403"):
            await FakeTwilioCall.dial(server.url)  # unsigned
        with pytest.raises(PermissionError, match="403"):  # signed with another account's token
            await FakeTwilioCall.dial(server.url, auth_token="someone-else")
        assert emulator.connections == []
        await _one_good_call(server, 0)  # the server serves on


async def test_unknown_and_reused_stream_tokens_are_refused() -> None:
    async with phone_stack() as (server, emulator):
        bogus = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN, token="bogus")
        await bogus.wait_closed()
        await bogus.close()
        first = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        token = first.twiml.split('name="voicelive_token" value="')[1].split('"')[0]
        again = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN, token=token)
        await again.wait_closed()
        await again.close()
        await first.hangup()
        ended = await asyncio.wait_for(server.wait_ended(3), 10)
        assert len(emulator.connections) == 1  # only the genuine stream spent Voice Live time
    assert (bogus.close_code, bogus.close_reason) == (1008, "unknown or expired stream token")
    assert (again.close_code, again.close_reason) == (1008, "unknown or expired stream token")
    assert sorted(e.by for e in ended) == ["caller", "refused", "refused"]


async def test_malformed_frames_are_reported_and_the_call_goes_on() -> None:
    pressed: list[str] = []
    agent = PhoneAgent(on_dtmf=lambda call, digit: pressed.append(digit))
    async with phone_stack(agent) as (server, _):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN)
        await call.send_raw("this is not json")
        await call.send_raw('{"event": "media", "streamSid": "MZ1"}')
        await call.send_raw('{"no": "event"}')
        await call.press("1")
        await call.hangup()
        (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
    errors = server.calls[0].errors
    assert [type(e) for e in errors] == [PhoneProtocolError] * 3
    assert "not JSON" in str(errors[0])
    assert "bad 'media' message: media: Field required" in str(errors[1])
    assert "'event'" in str(errors[2])
    assert pressed == ["1"]
    assert ended.by == "caller"


@pytest.mark.parametrize("encoding", ["audio/l16", "audio/x-opus"])
async def test_twilio_start_with_an_unusable_encoding_is_refused(encoding: str) -> None:
    async with phone_stack() as (server, emulator):
        call = await FakeTwilioCall.dial(server.url, auth_token=AUTH_TOKEN, encoding=encoding)
        await call.wait_closed()
        await call.close()
        (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
        assert emulator.connections == []
        await _one_good_call(server, 1)
    assert ended.by == "refused"
    assert encoding in ended.reason
    assert call.close_code == 1008
    assert "expected audio/x-mulaw" in (call.close_reason or "")


async def test_acs_metadata_with_an_unusable_encoding_is_refused() -> None:
    async with phone_stack(config=PhoneServerConfig()) as (server, emulator):
        call = await FakeAcsCall.connect(server.url, encoding="OPUS")
        await call.wait_closed()
        await call.close()
        (ended,) = await asyncio.wait_for(server.wait_ended(1), 10)
        assert emulator.connections == []
    assert ended.by == "refused"
    assert "OPUS" in ended.reason
    assert call.close_code == 1008


async def test_acs_media_socket_needs_a_valid_call_automation_jwt() -> None:
    config = PhoneServerConfig(acs_resource_id=RESOURCE, acs_jwks=JWKS)
    async with phone_stack(config=config) as (server, emulator):
        for bad in (None, _token(aud="another-resource"), _token(exp=int(time.time()) - 7200)):
            with pytest.raises(aiohttp.WSServerHandshakeError) as info:
                await FakeAcsCall.connect(server.url, token=bad)
            assert info.value.status == 401
        assert emulator.connections == []
        call = await FakeAcsCall.connect(server.url, token=_token())
        await call.hangup()
        ended = await asyncio.wait_for(server.wait_ended(4), 10)
    assert [e.by for e in ended] == ["refused", "refused", "refused", "caller"]
    assert ended[0].reason == "missing ACS bearer token"
    assert "Audience" in ended[1].reason or "audience" in ended[1].reason


def test_acs_token_verifier_checks_issuer_and_key() -> None:
    verifier = AcsTokenVerifier(RESOURCE, jwks=JWKS)
    assert verifier.verify("Bearer " + _token())["aud"] == RESOURCE
    with pytest.raises(StreamRefusedError, match="issuer"):
        verifier.verify("Bearer " + _token(iss="https://evil.example"))
    other, _ = _keypair()
    forged = jwt.encode(
        {
            "iss": "https://acscallautomation.communication.azure.com",
            "aud": RESOURCE,
            "exp": int(time.time()) + 60,
        },
        other,
        algorithm="RS256",
        headers={"kid": "k1"},
    )
    with pytest.raises(StreamRefusedError, match="invalid ACS token"):
        verifier.verify("Bearer " + forged)


async def test_event_grid_validation_and_incoming_call(caplog: pytest.LogCaptureFixture) -> None:
    answered: list[tuple[str, str, str]] = []

    async def answer(context: str, callback: str, media: str) -> None:
        answered.append((context, callback, media))

    config = PhoneServerConfig(
        acs_resource_id=RESOURCE,
        acs_jwks=JWKS,
        acs_webhook_secret="s3cret",
        public_url="https://bot.example.com",
    )
    server = PhoneServer(PhoneAgent(), _never, config=config, port=0, acs_answer=answer)
    caplog.set_level(logging.INFO, logger="voicelive")
    async with server, aiohttp.ClientSession() as http:
        url = server.url + "/acs/incoming"
        validation = [
            {
                "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
                "data": {"validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"},
            }
        ]
        async with http.post(url, json=validation) as response:
            assert response.status == 403  # no secret
        async with http.post(url + "?secret=s3cret", json=validation) as response:
            assert response.status == 200
            assert await response.json() == {
                "validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"
            }
        incoming = [
            {
                "eventType": "Microsoft.Communication.IncomingCall",
                "data": {
                    "incomingCallContext": "ctx-123",
                    "from": {"kind": "phoneNumber", "phoneNumber": {"value": "+14255550199"}},
                },
            }
        ]
        async with http.post(url + "?secret=s3cret", json=incoming) as response:
            assert response.status == 200
    assert answered == [
        ("ctx-123", "https://bot.example.com/acs/callbacks", "wss://bot.example.com/acs/media")
    ]
    assert "4255550199" not in caplog.text
    assert "***0199" in caplog.text


async def _never() -> Any:
    raise AssertionError("no call should reach Voice Live")


async def test_without_credentials_the_server_binds_loopback_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="voicelive")
    server = PhoneServer(PhoneAgent(), _never, config=PhoneServerConfig(), host="0.0.0.0", port=0)
    assert server.host == "127.0.0.1"
    assert server.loopback_only
    assert "listening on 127.0.0.1 only" in caplog.text
    secured = PhoneServer(
        PhoneAgent(),
        _never,
        config=PhoneServerConfig(twilio_auth_token="tok-secret-123"),
        host="0.0.0.0",
    )
    assert secured.host == "0.0.0.0"
    assert "tok-secret-123" not in repr(secured.config)


def test_caller_numbers_are_masked() -> None:
    assert mask_number("+14155550123") == "***0123"
    assert mask_number("123") == "***"
    assert mask_number(None) == "?"


def test_missing_extras_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from voicelive.telephony import MissingExtraError, validate_twilio_signature

    monkeypatch.setitem(sys.modules, "twilio.request_validator", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'voicelive\[twilio\]'"):
        validate_twilio_signature("token", "https://x/twilio/voice", {}, "sig")
    monkeypatch.setitem(sys.modules, "jwt", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'voicelive\[acs\]'"):
        AcsTokenVerifier(RESOURCE, jwks=JWKS)
