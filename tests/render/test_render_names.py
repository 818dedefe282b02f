"""Kubernetes names, rack and node names, and Slurm hostlists."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capplan.render import hostlist, k8s_name, node_names, rack_name, unique_k8s_names
from capplan.render.names import is_label_key, is_label_value

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def expand_hostlist(expression: str) -> list[str]:
    """A small Slurm hostlist expander: `a[01-03,05],b` -> names."""
    names: list[str] = []
    for part in re.findall(r"[^,\[]+(?:\[[^\]]*\])?", expression):
        match = re.fullmatch(r"(.*)\[(.*)\]", part)
        if match is None:
            names.append(part)
            continue
        prefix, spans = match.groups()
        for span in spans.split(","):
            start, _, end = span.partition("-")
            width = len(start)
            for number in range(int(start), int(end or start) + 1):
                names.append(f"{prefix}{number:0{width}d}")
    return names


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("narvik", "narvik"),
        ("Kvandal_A", "kvandal-a"),
        ("hall a.1", "hall-a-1"),
        ("Tromsø hall", "tromso-hall"),
        ("Ærø  --  Glomfjord", "aero-glomfjord"),
        ("__x__", "x"),
        ("NVIDIA-GB300", "nvidia-gb300"),
        ("7th", "7th"),
    ],
)
def test_k8s_name_examples(text: str, expected: str) -> None:
    assert k8s_name(text) == expected


def test_k8s_name_truncates_with_a_stable_hash() -> None:
    long_a = "site_" + "a" * 80 + "_one"
    long_b = "site_" + "a" * 80 + "_two"
    name_a, name_b = k8s_name(long_a), k8s_name(long_b)
    assert len(name_a) == 63 and DNS1123_LABEL.match(name_a)
    assert name_a != name_b
    assert name_a[:-9] == name_b[:-9]
    assert k8s_name(long_a) == name_a  # stable


def test_k8s_name_of_nothing_usable_is_a_hash() -> None:
    assert DNS1123_LABEL.match(k8s_name("___"))
    assert k8s_name("日本") != k8s_name("中国")


@given(st.text(max_size=120))
def test_k8s_name_is_always_a_dns1123_label(text: str) -> None:
    name = k8s_name(text)
    assert DNS1123_LABEL.match(name) and len(name) <= 63


def test_colliding_names_all_get_a_hash() -> None:
    names = unique_k8s_names(["hall_a", "Hall-A", "hall_b"])
    assert names["hall_b"] == "hall-b"
    assert names["hall_a"] != names["Hall-A"]
    assert names["hall_a"].startswith("hall-a-") and names["Hall-A"].startswith("hall-a-")
    assert unique_k8s_names(["Hall-A", "hall_b", "hall_a"]) == names  # order-independent


@given(st.lists(st.text(max_size=70), max_size=12))
def test_unique_names_are_unique_and_valid(names: list[str]) -> None:
    result = unique_k8s_names(names)
    assert set(result) == set(names)
    assert len(set(result.values())) == len(result)
    assert all(DNS1123_LABEL.match(value) and len(value) <= 63 for value in result.values())


def test_rack_and_node_names() -> None:
    rack = rack_name("narvik", "kvandal-a", 7)
    assert rack == "narvik-kvandal-a-r0007"
    nodes = node_names(rack, 18)
    assert nodes[0] == "narvik-kvandal-a-r0007-n01" and nodes[-1] == "narvik-kvandal-a-r0007-n18"
    assert list(nodes) == sorted(nodes)
    assert node_names("r", 100)[0] == "r-n001"
    with pytest.raises(ValueError):
        rack_name("s", "h", 0)
    with pytest.raises(ValueError):
        node_names("r", 0)


def test_long_rack_names_stay_valid_and_distinct() -> None:
    site, hall = "s" * 40, "h" * 40
    racks = [rack_name(site, hall, ordinal) for ordinal in (1, 2)]
    assert racks[0] != racks[1]
    nodes = [node for rack in racks for node in node_names(rack, 18)]
    assert len(set(nodes)) == 36
    assert all(DNS1123_LABEL.match(node) and len(node) <= 63 for node in nodes)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["r1-n01", "r1-n02", "r1-n03"], "r1-n[01-03]"),
        (["r1-n01", "r1-n02", "r1-n03", "r1-n05"], "r1-n[01-03,05]"),
        (["a1"], "a1"),
        (["gpu", "a09", "a10", "a8"], "gpu,a[09-10],a8"),
        ([], ""),
    ],
)
def test_hostlist_examples(names: list[str], expected: str) -> None:
    assert hostlist(names) == expected


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["r1-n", "r2-n", "x"]), st.integers(0, 120), st.sampled_from([1, 2, 3])
        ),
        max_size=40,
    )
)
def test_hostlist_expands_to_its_input(parts: list[tuple[str, int, int]]) -> None:
    names = [f"{prefix}{number:0{width}d}" for prefix, number, width in parts]
    assert sorted(set(expand_hostlist(hostlist(names)))) == sorted(set(names))


def test_label_checks() -> None:
    assert is_label_key("capplan.io/site") and is_label_key("team")
    assert not is_label_key("Capplan.IO/site") and not is_label_key("a/b/c")
    assert is_label_value("") and is_label_value("NVIDIA-GB300")
    assert not is_label_value("has space") and not is_label_value("x" * 64)
