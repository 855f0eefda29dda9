"""Subnet CIDR math: per-AZ private and public subnets inside the VPC, never overlapping."""

from __future__ import annotations

import ipaddress
import itertools

import pytest

from components.cidr import plan_subnets


@pytest.mark.parametrize("cidr, az_count", [
    (cidr, azs) for cidr in ("10.0.0.0/16", "10.30.0.0/16", "172.16.0.0/20", "192.168.0.0/23") for azs in (1, 2, 3, 4)
] + [("192.168.0.0/24", azs) for azs in (1, 2, 3)])
def test_subnets_are_inside_the_vpc_and_disjoint(cidr, az_count):
    plan = plan_subnets(cidr, az_count)
    vpc = ipaddress.IPv4Network(cidr)
    subnets = [ipaddress.IPv4Network(s) for s in plan.private + plan.public]
    assert len(plan.private) == len(plan.public) == az_count
    assert all(s.subnet_of(vpc) for s in subnets)
    for a, b in itertools.combinations(subnets, 2):
        assert not a.overlaps(b), (a, b)


def test_private_subnets_are_larger_than_public_ones():
    plan = plan_subnets("10.0.0.0/16", 3)
    assert plan.private == ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"]
    assert plan.public == ["10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20"]


def test_plan_is_deterministic_and_adding_a_third_az_keeps_the_first_two():
    two, three = plan_subnets("10.20.0.0/16", 2), plan_subnets("10.20.0.0/16", 3)
    assert plan_subnets("10.20.0.0/16", 2) == two
    assert three.private[:2] == two.private
    assert three.public[:2] == two.public


def test_smallest_public_subnet_is_a_slash_28():
    plan = plan_subnets("10.0.0.0/24", 3)
    assert plan.public[-1] == "10.0.0.224/28"


def test_four_azs_need_more_than_a_slash_24():
    with pytest.raises(ValueError, match=r"192\.168\.0\.0/24 is too small for 4 availability zones: .*/29"):
        plan_subnets("192.168.0.0/24", 4)


def test_too_small_cidr_names_cidr_az_count_and_the_limit():
    with pytest.raises(ValueError, match=r"10\.0\.0\.0/26 is too small for 3 availability zones.*/28.*at most /24"):
        plan_subnets("10.0.0.0/26", 3)


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "not-a-cidr", "10.0.0.1/16"])
def test_malformed_cidr_is_rejected(cidr):
    with pytest.raises(ValueError, match=f"VPC CIDR '{cidr}' is not an IPv4 network"):
        plan_subnets(cidr, 2)


def test_larger_than_slash_16_is_rejected():
    with pytest.raises(ValueError, match=r"10\.0\.0\.0/8 is larger than AWS allows"):
        plan_subnets("10.0.0.0/8", 2)


def test_zero_azs_is_rejected():
    with pytest.raises(ValueError, match="at least 1, got 0"):
        plan_subnets("10.0.0.0/16", 0)
