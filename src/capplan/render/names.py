"""Deterministic, Kubernetes-safe names derived from `.cap` names.

Generated manifests, hostnames, Slurm blocks and file paths all need names that are
valid DNS-1123 labels (lowercase alphanumerics and `-`, at most 63 characters). A
`.cap` identifier such as `Kvandal_A` or a free string such as `"Tromsø hall"` is
not one, so every such name goes through :func:`k8s_name`. The mapping must be a pure
function of its input (no counters, no hash seeds): the same plan must give the same
bytes on every machine, and a rename in the output is a real resource being deleted
and re-created by Argo CD/Flux.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping

MAX_LABEL_LENGTH = 63
"""DNS-1123 label limit (Kubernetes object names of most kinds, label values, hostnames)."""

HASH_LENGTH = 8
"""Hex digits of the stable suffix added when a name is truncated or would collide."""

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_SEPARATORS = re.compile(r"[\s_./:\\]+")
_INVALID = re.compile(r"[^a-z0-9-]+")
_DASHES = re.compile(r"-{2,}")
_TRAILING_NUMBER = re.compile(r"^(.*?)(\d+)$")

# Letters that NFKD does not decompose into ASCII; enough for the Nordic/UK/Iberian
# site names this tool meets. Anything else non-ASCII is dropped (and collisions that
# follow from dropping get a hash suffix).
_TRANSLITERATE = str.maketrans(
    {"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ß": "ss", "đ": "d", "Đ": "d", "ł": "l", "Ł": "l"}
)


def is_dns1123_label(text: str) -> bool:
    """True if `text` is a valid DNS-1123 label (<= 63 characters)."""
    return len(text) <= MAX_LABEL_LENGTH and bool(_DNS1123_LABEL.match(text))


def is_dns1123_subdomain(text: str) -> bool:
    """True if `text` is a valid DNS-1123 subdomain (<= 253 characters)."""
    return len(text) <= 253 and bool(_DNS1123_SUBDOMAIN.match(text))


def is_label_key(key: str) -> bool:
    """True if `key` is a valid Kubernetes label key: `[prefix/]name`."""
    prefix, sep, name = key.rpartition("/")
    if sep and not is_dns1123_subdomain(prefix):
        return False
    return len(name) <= MAX_LABEL_LENGTH and bool(_LABEL_NAME.match(name))


def is_label_value(value: str) -> bool:
    """True if `value` is a valid Kubernetes label value (may be empty)."""
    return value == "" or (len(value) <= MAX_LABEL_LENGTH and bool(_LABEL_NAME.match(value)))


def short_hash(text: str, length: int = HASH_LENGTH) -> str:
    """A stable hex digest of `text`: sha256, so it does not depend on PYTHONHASHSEED."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def _slug(text: str) -> str:
    """Lowercase ASCII with `-` for separators; may be empty or too long."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
        .encode("ascii", "ignore")
        .decode("ascii")
        .lower()
    )
    dashed = _INVALID.sub("-", _SEPARATORS.sub("-", ascii_text))
    return _DASHES.sub("-", dashed).strip("-")


def _with_hash(base: str, original: str, max_length: int, hash_length: int) -> str:
    """`base` cut to fit, plus `-<hash of original>`: unique per original, stable."""
    digest = short_hash(original, hash_length)
    head = base[: max_length - hash_length - 1].rstrip("-")
    return f"{head}-{digest}" if head else digest


def k8s_name(text: str, max_length: int = MAX_LABEL_LENGTH) -> str:
    """A DNS-1123 label for `text`.

    Lowercases, maps `_`, whitespace, `.`, `/` and `:` to `-`, drops other invalid
    characters, and collapses dashes. If the result is longer than `max_length`, it is
    cut and given a hash suffix of the *original* text, so two long names that share a
    prefix stay distinct. An input with no usable character becomes its hash.
    """
    base = _slug(text)
    if not base:
        return short_hash(text)
    if len(base) > max_length:
        return _with_hash(base, text, max_length, HASH_LENGTH)
    return base


def unique_k8s_names(names: Iterable[str], max_length: int = MAX_LABEL_LENGTH) -> dict[str, str]:
    """Map each name to a DNS-1123 label, distinct for distinct names.

    Names whose plain :func:`k8s_name` would collide (`hall_a` and `Hall-A`) all get a
    hash suffix, not just the "second" one: the result then does not depend on the
    order the names come in. Adding a colliding name later therefore renames the
    existing one too; that is the price of order independence, and is rare.
    """
    originals = sorted(set(names))
    result = {name: k8s_name(name, max_length) for name in originals}
    for hash_length in (HASH_LENGTH, 16, 64):
        groups: defaultdict[str, list[str]] = defaultdict(list)
        for name in originals:
            groups[result[name]].append(name)
        clashes = [group for group in groups.values() if len(group) > 1]
        if not clashes:
            return result
        for group in clashes:
            for name in group:
                result[name] = _with_hash(_slug(name), name, max_length, hash_length)
    raise ValueError(f"cannot make unique Kubernetes names for {originals!r}")


def rack_name(site_k8s_name: str, hall_k8s_name: str, ordinal: int) -> str:
    """The name of the `ordinal`-th rack (1-based) of a hall: `<site>-<hall>-r0001`.

    Used for the NetBox rack, the Slurm block, the `capplan.io/rack` node label and
    as the stem of node hostnames. render/build.py numbers a hall's racks by go-live
    day, then the lot's place in the source, then the rack's index in its lot, so a
    lot's rename, or a lot going live later, renames no rack (docs/render.md).
    """
    if ordinal < 1:
        raise ValueError("rack ordinals start at 1")
    return k8s_name(f"{site_k8s_name}-{hall_k8s_name}-r{ordinal:04d}")


def node_names(rack: str, count: int) -> tuple[str, ...]:
    """Hostnames of the `count` compute nodes (trays) of a rack: `<rack>-n01` ...

    Zero-padded so that names sort in tray order and compress into a Slurm hostlist
    range (`<rack>-n[01-18]`).
    """
    if count < 1:
        raise ValueError("a rack has at least one node")
    width = max(2, len(str(count)))
    names = (f"{rack}-n{index:0{width}d}" for index in range(1, count + 1))
    if k8s_name(rack) == rack and len(rack) + 2 + width <= MAX_LABEL_LENGTH:
        # `rack` is already a label (rack_name's are) and `-nNN` keeps it one: k8s_name
        # would return each name as it is, so a rack of 18 trays slugs once, not 18 times
        return tuple(names)
    return tuple(k8s_name(name) for name in names)


def hostlist(names: Iterable[str]) -> str:
    """Compress hostnames into a Slurm hostlist expression.

    Names that share a prefix and end in equally wide numbers become ranges:
    `r1-n01,r1-n02,r1-n03,r1-n05` -> `r1-n[01-03,05]`. Groups keep the order in which
    their first member appears; numbers inside a group are sorted. Names without a
    trailing number are listed as they are. The expression expands to exactly the
    input names (duplicates dropped).
    """
    groups: dict[tuple[str, int], set[int]] = {}
    order: list[tuple[str, int] | str] = []
    seen_plain: set[str] = set()
    for name in names:
        match = _TRAILING_NUMBER.match(name)
        if match is None:
            if name not in seen_plain:
                seen_plain.add(name)
                order.append(name)
            continue
        key = (match.group(1), len(match.group(2)))
        if key not in groups:
            groups[key] = set()
            order.append(key)
        groups[key].add(int(match.group(2)))
    return ",".join(
        item if isinstance(item, str) else _range_expression(item, groups[item]) for item in order
    )


def _range_expression(key: tuple[str, int], numbers: set[int]) -> str:
    """`prefix[01-03,05]` for a group of numbered names (bare name if only one)."""
    prefix, width = key
    ordered = sorted(numbers)
    if len(ordered) == 1:
        return f"{prefix}{ordered[0]:0{width}d}"
    spans: list[str] = []
    start = previous = ordered[0]
    for number in [*ordered[1:], None]:
        if number is not None and number == previous + 1:
            previous = number
            continue
        spans.append(
            f"{start:0{width}d}" if start == previous else f"{start:0{width}d}-{previous:0{width}d}"
        )
        if number is not None:
            start = previous = number
    return f"{prefix}[{','.join(spans)}]"


def invalid_labels(labels: Mapping[str, str]) -> list[str]:
    """The `key=value` pairs of `labels` that Kubernetes would reject, sorted."""
    return sorted(
        f"{key}={value}"
        for key, value in labels.items()
        if not (is_label_key(key) and is_label_value(value))
    )
