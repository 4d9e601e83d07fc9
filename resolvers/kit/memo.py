"""What was computed from values handed out again unchanged, kept by their identity.

The connector cache hands out the *same* decoded value for every hit on an
unchanged entry (:class:`resolvers.kit.cache.DecodedMemo`), and connectors treat
what they read as read-only. So a mapping from such a value (a wire order to
our :class:`~resolvers.domain.OrderRecord`) or a merge of such records gives
the same answer as long as its inputs are the very same objects: an
:class:`IdentityMemo` keeps the last results by the identity of their inputs
(plus any plain key, such as a ``stale`` flag). It holds its inputs, so an id
is never reused while its entry lives, and checks them with ``is`` on every
hit. A fresh read (new objects) simply misses, and the least recently used
entries go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["MEMO_ENTRIES", "IdentityMemo"]

V = TypeVar("V")

MEMO_ENTRIES = 4096
"""Results kept per memo (a few thousand orders: the working set of a busy order desk)."""


class IdentityMemo(Generic[V]):
    """``compute()``'s result per (identity of ``inputs``, ``key``); the last ``size`` of them."""

    def __init__(self, size: int = MEMO_ENTRIES) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[Hashable, ...], tuple[tuple[object, ...], V]] = OrderedDict()

    def get(self, inputs: tuple[object, ...], key: Hashable, compute: Callable[[], V]) -> V:
        index = (*map(id, inputs), key)
        found = self._entries.get(index)
        if found is not None and all(kept is given for kept, given in zip(found[0], inputs, strict=True)):
            self._entries.move_to_end(index)
            return found[1]
        value = compute()
        self._entries[index] = (inputs, value)
        self._entries.move_to_end(index)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)
