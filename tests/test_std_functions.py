"""pulumi-std's functions as a plan answers them offline, held against the std provider's own
descriptions and code (github.com/pulumi/pulumi-std, ``provider/<name>.go``)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from mlinfra.std_functions import FUNCTIONS, call


def result(name: str, **args):
    answer, failures = call(f"std:index:{name}", args)
    assert failures == [], failures
    return answer["result"]


def test_cidr_functions_match_the_providers_examples():
    # cidrsubnet.go: cidrsubnet("10.0.0.0/8", netnum: 2, newbits: 8) returns 10.2.0.0/16;
    # cidrsubnet("2607:f298:6051:516c::/64", netnum: 2, newbits: 8) returns 2607:f298:6051:516c:200::/72.
    assert result("cidrsubnet", input="10.0.0.0/8", newbits=8, netnum=2) == "10.2.0.0/16"
    assert result("cidrsubnet", input="2607:f298:6051:516c::/64", newbits=8, netnum=2) == "2607:f298:6051:516c:200::/72"
    # cidrhost.go: cidrhost("10.0.0.0/8", 2) returns 10.0.0.2 and cidrhost("10.0.0.0/8", -2) 10.255.255.254.
    assert result("cidrhost", input="10.0.0.0/8", host=2) == "10.0.0.2"
    assert result("cidrhost", input="10.0.0.0/8", host=-2) == "10.255.255.254"
    assert result("cidrnetmask", input="172.16.0.0/12") == "255.240.0.0"
    answer, failures = call("std:index:cidrsubnet", {"input": "10.0.0.0/24", "newbits": 2, "netnum": 9})
    assert answer == {} and "does not accommodate a subnet numbered 9" in failures[0][1]
    assert "invalid CIDR expression" in call("std:index:cidrhost", {"input": "ten", "host": 1})[1][0][1]


def test_file_functions_read_from_the_program_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the plan runs a program in its folder, as the CLI does
    (tmp_path / "policy.json").write_bytes(b'{"Version": "2012-10-17"}\n')
    data = (tmp_path / "policy.json").read_bytes()
    assert result("file", input="policy.json") == data.decode()
    assert result("filebase64", input="./policy.json") == base64.b64encode(data).decode()
    # filebase64sha256.go: base64Encode(sha256AsHex(contents)), the base64 of the hex digest.
    assert result("filebase64sha256", input="policy.json") == base64.b64encode(
        hashlib.sha256(data).hexdigest().encode()).decode()
    assert result("filemd5", input="policy.json") == hashlib.md5(data).hexdigest()
    assert result("fileexists", input="policy.json") is True and result("fileexists", input="nope") is False
    answer, failures = call("std:index:file", {"input": "missing.json"})
    assert answer == {}
    assert failures == [("", "file(missing.json) failed to read the contents because the file does not exist")]


def test_string_and_collection_functions_follow_the_provider():
    # base64sha256.go: the raw digest, "not equivalent of base64encode(sha256(string))".
    assert result("base64sha256", input="hello") == base64.b64encode(hashlib.sha256(b"hello").digest()).decode()
    assert result("base64encode", input="hi") == "aGk=" and result("base64decode", input="aGk=") == "hi"
    assert result("sha256", input="hello") == hashlib.sha256(b"hello").hexdigest()  # sha256.go: hex
    assert result("jsonencode", input={"a": [1, "b"]}) == '{"a":[1,"b"]}'
    # jsondecode.go unmarshals into a map: anything but an object comes back unchanged.
    assert result("jsondecode", input='{"a": 1}') == {"a": 1}
    assert result("jsondecode", input="[1, 2]") == "[1, 2]"
    assert result("replace", text="a-b-c", search="-", replace="_") == "a_b_c"
    assert result("replace", text="v1.2", search="/v(\\d)\\.(\\d)/", replace="$1-$2") == "1-2"
    assert result("format", input="%s-%d (%v) 100%%", args=["web", 3.0, [1]]) == "web-3 ([1]) 100%"
    assert result("keys", input={"b": 1, "a": 2}) == ["a", "b"]  # keys.go: lexically sorted
    assert result("element", input=["a", "b", "c"], index=4) == "b"  # modulo the length
    assert result("lookup", map={"a": 1}, key="b", default=2) == 2
    assert call("std:index:lookup", {"map": {"a": 1}, "key": "b"})[1] == [("", "key not found in input map")]
    assert result("flatten", input=[1, [2, [3]]]) == [1, 2, 3]
    assert result("concat", input=[[1], [2, 3]]) == [1, 2, 3]
    assert result("compact", input=["a", "", None, "b"]) == ["a", "b"]
    assert result("distinct", input=[1, 2, 1]) == [1, 2]
    assert result("merge", input=[{"a": 1}, {"a": 2, "b": 3}]) == {"a": 2, "b": 3}


def test_a_function_not_answered_offline_returns_nothing_and_bad_arguments_fail():
    assert "timestamp" not in FUNCTIONS  # the time of a run: not deterministic, left unset
    assert call("std:index:timestamp", {}) == ({}, [])
    answer, failures = call("std:index:join", {"separator": "-"})
    assert answer == {} and failures and "std:index:join" in failures[0][1]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_takes_the_arguments_the_sdk_sends(name):
    import importlib
    import inspect
    import re
    from pathlib import Path

    module = importlib.import_module(f"pulumi_std.{name}")
    sent = set(re.findall(r"__args__\['(\w+)'\]", Path(module.__file__).read_text()))
    taken = set(inspect.signature(FUNCTIONS[name]).parameters)
    assert sent == taken, f"{name}: the SDK sends {sorted(sent)}, the plan takes {sorted(taken)}"
