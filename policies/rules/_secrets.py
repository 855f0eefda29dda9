"""Pulumi secrets as rules see them: a string that arrived as a Pulumi secret is a ``SecretString``.

The policy SDK drops the secret marker when it deserializes properties for a rule
(``pulumi_policy.deserialize._deserialize_property`` returns the plaintext), so a rule could not tell
a value the program passed as ``pulumi.Output.secret(...)`` from a literal. ``keep_secret_strings()``
(called by each pack's ``__main__.py`` before the pack serves) wraps that function so string
secrets come out as ``SecretString``: a ``str`` in every way (other rules compare, parse and match
it unchanged), which ``is_secret`` recognises. ``plain()`` in ``_props`` does the same for the
``{sig: secret, value: ...}`` form that tests and serialized plans carry.
"""

from __future__ import annotations

from typing import Any

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


class SecretString(str):
    """A string value that arrived as a Pulumi secret."""

    __slots__ = ()


def is_secret(value: Any) -> bool:
    """True for a ``SecretString`` and for a still-wrapped secret ``{sig: secret, value: ...}``."""
    if isinstance(value, SecretString):
        return True
    try:
        return value[SIG_KEY] == SECRET_SIG  # type: ignore[index]
    except Exception:  # noqa: BLE001 - not a mapping, or no signature
        return False


def keep_secret_strings() -> None:
    """Make the policy SDK deserialize string secrets as ``SecretString`` (idempotent)."""
    from pulumi_policy import deserialize

    original = deserialize._deserialize_property
    if getattr(original, "_keeps_secret_strings", False):
        return

    def _deserialize_property(prop: Any, proxy_secrets: bool = False) -> Any:
        value = original(prop, proxy_secrets)
        if (isinstance(value, str) and not isinstance(value, SecretString) and isinstance(prop, dict)
                and prop.get(SIG_KEY) == SECRET_SIG):
            return SecretString(value)
        return value

    _deserialize_property._keeps_secret_strings = True  # type: ignore[attr-defined]
    # Without a secret signature in it, a value comes out as ``original`` returns it (mlinfra's
    # in-process review relies on that).
    _deserialize_property.unsigned_result_as = original  # type: ignore[attr-defined]
    deserialize._deserialize_property = _deserialize_property
