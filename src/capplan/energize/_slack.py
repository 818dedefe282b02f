"""Slack (capacity minus live load) over the compressed time axis, as a min segment tree."""

from __future__ import annotations

from collections.abc import Sequence


class SlackTree:
    """Slack per axis segment, as a min segment tree.

    The only update is a suffix add (a rack stays live to the end) and the only
    queries are suffix minima, so each internal node keeps ``min(children) +
    pending`` without push-down and every operation is one flat O(log n) loop.
    Padding leaves hold ``pad``, which the caller makes larger than any slack or
    need, so they never bind.
    """

    __slots__ = ("_lz", "_mn", "_size")

    def __init__(self, slack: Sequence[int], pad: int) -> None:
        size = 1
        while size < len(slack):
            size *= 2
        mn = [pad] * (2 * size)
        mn[size : size + len(slack)] = slack
        for node in range(size - 1, 0, -1):
            a, b = mn[2 * node], mn[2 * node + 1]
            mn[node] = a if a < b else b
        self._mn = mn
        self._lz = [0] * (2 * size)
        self._size = size

    def earliest(self, lo: int, need: int) -> int:
        """Smallest index >= lo from which slack >= need up to the end (n: never)."""
        mn = self._mn
        if mn[1] >= need:
            return lo
        lz = self._lz
        size = self._size
        node, acc = 1, 0
        while node < size:  # descend to the last index whose slack < need
            acc += lz[node]
            node = 2 * node + 1
            if mn[node] + acc >= need:
                node -= 1
        after = node - size + 1
        return after if after > lo else lo

    def suffix_min(self, index: int) -> int:
        """Minimum slack from ``index`` to the end."""
        mn, lz = self._mn, self._lz
        node = index + self._size
        res = mn[node]
        while node > 1:
            if not node & 1:
                right = mn[node + 1]
                if right < res:
                    res = right
            node >>= 1
            res += lz[node]
        return res

    def load(self, index: int, amount: int) -> None:
        """Take ``amount`` of slack from ``index`` to the end."""
        mn, lz = self._mn, self._lz
        node = index + self._size
        mn[node] -= amount
        while node > 1:
            left = node & ~1
            if node == left:  # the right sibling lies wholly inside the suffix
                mn[node + 1] -= amount
                lz[node + 1] -= amount
            a, b = mn[left], mn[left + 1]
            node >>= 1
            mn[node] = (a if a < b else b) + lz[node]
