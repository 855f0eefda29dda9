"""Lex V2 audio logs: encrypted with a customer-managed key, on a bot alias and on a bot's test alias."""

from __future__ import annotations

from pathlib import Path

from policies.rules.lex import BOT, BOT_ALIAS, lex_audio_logs_cmk
from policy_helpers import UNKNOWN, found
from sdk_inputs import assert_inputs_in_sdk

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def audio(enabled=True, key=KEY):
    bucket = {"s3BucketArn": "arn:aws:s3:::bot-audio", "logPrefix": "audio/"}
    return {"enabled": enabled, "destination": {"s3Bucket": {**bucket, **({"kmsKeyArn": key} if key else {})}}}


def alias(*logs):
    return {"botId": "BOT1", "botAliasName": "live", "conversationLogSettings": {"audioLogSettings": list(logs)}}


def test_the_inputs_read_are_in_the_sdk():
    path = ("conversationLogSettings", "audioLogSettings", "destination", "s3Bucket", "kmsKeyArn")
    assert_inputs_in_sdk(BOT_ALIAS, path)
    assert_inputs_in_sdk(BOT_ALIAS, path[:2] + ("enabled",))
    assert_inputs_in_sdk(BOT, ("testBotAliasSettings", *path))


def test_audio_logged_with_a_customer_managed_key_passes():
    assert found(lex_audio_logs_cmk, BOT_ALIAS, alias(audio())) == []
    assert found(lex_audio_logs_cmk, BOT_ALIAS, alias(audio(enabled=False, key=None))) == []  # not logged
    assert found(lex_audio_logs_cmk, BOT_ALIAS, {"botId": "BOT1", "botAliasName": "live"}) == []  # no logs
    assert found(lex_audio_logs_cmk, BOT_ALIAS, alias(audio(key=UNKNOWN))) == []
    assert found(lex_audio_logs_cmk, BOT_ALIAS, {"conversationLogSettings": UNKNOWN}) == []


def test_audio_logged_without_a_customer_managed_key_is_reported():
    assert found(lex_audio_logs_cmk, BOT_ALIAS, alias(audio(), audio(key=None))) == [
        f"{BOT_ALIAS} 'subject' records its users' audio (audioLogSettings[1]) to S3 without a customer-managed KMS "
        "key (destination.s3Bucket.kmsKeyArn)"]
    assert len(found(lex_audio_logs_cmk, BOT_ALIAS, alias(audio(key="arn:aws:kms:us-east-1:1:alias/aws/s3")))) == 1
    assert len(found(lex_audio_logs_cmk, BOT_ALIAS, alias(audio(key="alias/aws/s3")))) == 1  # the bare alias too
    test_alias = {"name": "support", "testBotAliasSettings": alias(audio(key=None))}
    assert len(found(lex_audio_logs_cmk, BOT, test_alias)) == 1
    assert found(lex_audio_logs_cmk, BOT, {"name": "support", "testBotAliasSettings": alias(audio())}) == []


def test_the_docs_describe_the_rule():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "policies.md").read_text()
    assert "| `lex-audio-logs-cmk` |" in docs
