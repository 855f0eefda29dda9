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


def test_every_action_has_the_full_references_access_level_and_resource_level_support():
    full = _full()
    for prefix, service in full.items():
        if not (isinstance(service, dict) and "privileges" in service):
            continue
        for name, privilege in service["privileges"].items():
            (found,) = iam_reference.privileges(f"{prefix}:{name}")
            assert found.name == f"{service['prefix']}:{name}"
            assert found.access_level == privilege["access_level"], found.name
            # Restrictable: the reference lists a resource type (the row without one is "*" only).
            assert found.restrictable == any(privilege["resource_types"]), found.name
    assert iam_reference.matching_actions("iam:PutRolePolicy")[0].access_level == "Permissions management"


def test_privileges_agree_with_policy_sentrys_expansion_levels_and_wildcard_only_actions():
    # The upstream definition of what cloudsplaining (Checkov CKV_AWS_355, _289, _290) expands and keeps:
    # policy_sentry's determine_actions_to_expand, remove_actions_not_matching_access_level, and
    # get_action_data's resource_arn_format "*" for actions without resource-level permissions.
    from policy_sentry.analysis.expand import determine_actions_to_expand
    from policy_sentry.querying.actions import get_action_data, remove_actions_not_matching_access_level

    for pattern in ("s3:Put*", "iam:*", "sts:*", "kms:*", "secretsmanager:Get*", "ssm:GetParameter*", "ec2:Describe*"):
        ours = iam_reference.privileges(pattern)
        assert sorted(p.name.lower() for p in ours) == sorted(a.lower() for a in determine_actions_to_expand([pattern]))
        for level in ("Write", "Permissions management", "Read"):
            theirs = remove_actions_not_matching_access_level([p.name for p in ours], level)
            assert sorted(p.name for p in ours if p.access_level == level) == sorted(theirs), (pattern, level)
        for p in ours:
            prefix, name = p.name.split(":")
            rows = get_action_data(prefix, name)[prefix]
            assert p.restrictable == (len(rows) > 1 or rows[0]["resource_arn_format"] != "*"), p.name
    assert not iam_reference.privileges("sts:GetSessionToken")[0].restrictable
    assert iam_reference.privileges("s3:GetObject")[0].restrictable
    assert len(iam_reference.privileges("*")) == sum(len(iam_reference.privileges(f"{prefix}:*"))
                                                     for prefix in iam_reference.reference())
    assert iam_reference.privileges("nosuchservice:Get*") == () and iam_reference.privileges("s3") == ()


def test_arn_templates_are_the_resource_types_arns_of_an_action():
    full = _full()
    assert iam_reference.arn_templates("sts:AssumeRole") == (full["iam"]["resources"]["role"]["arn"],)
    assert set(iam_reference.arn_templates("s3:GetObject")) == {
        full["s3"]["resources"][t]["arn"] for t in ("object", "accesspointobject")}
    assert iam_reference.arn_templates("sts:GetSessionToken") == ()
    assert iam_reference.arn_templates("nosuch:Thing") == ()
