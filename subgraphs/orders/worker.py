"""``python -m subgraphs.orders.worker``: the ERP posting worker as a process of its own.

It reads the settings as every subgraph does (RETAIL_SUBGRAPH_* variables;
``--storage-url`` overrides): the outbox is the storage's durable stream, so
point it at the storage the orders subgraph writes (a SQLite file shared on
one machine, or Redis). Run as many as you like: entries are handed to one
worker at a time and a posting is leased per order number (see
:mod:`subgraphs.common.outbox`). ``--replay-dead-letters`` queues the failed
postings again (all, or ``--number`` ones) and exits.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from subgraphs.common.outbox import OutboxPolicy, replay_dead_letters
from subgraphs.common.settings import SubgraphSettings
from subgraphs.common.systems import open_systems
from subgraphs.orders.posting import ERP_POSTINGS, erp_worker, posting_key

__all__ = ["main", "run_worker"]


async def run_worker(settings: SubgraphSettings, policy: OutboxPolicy) -> None:
    """Post the ERP outbox until cancelled."""
    async with open_systems(settings) as systems:
        await erp_worker(systems, policy).run()


async def _replay(settings: SubgraphSettings, numbers: Sequence[str] | None) -> int:
    async with open_systems(settings) as systems:
        replayed = await replay_dead_letters(systems.storage.stream, ERP_POSTINGS, posting_key, numbers)
    print(f"queued {len(replayed)} dead-lettered posting(s) again")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    defaults = OutboxPolicy()
    parser = argparse.ArgumentParser(prog="python -m subgraphs.orders.worker", description=__doc__)
    parser.add_argument(
        "--storage-url", default=None, help="memory:// is useless here: sqlite:/// or redis://"
    )
    parser.add_argument("--batch", type=int, default=defaults.batch, help="entries posted at once")
    parser.add_argument(
        "--takeover",
        type=float,
        default=defaults.takeover_s,
        help="seconds idle before an entry of another worker is taken over",
    )
    parser.add_argument("--lease", type=float, default=defaults.lease_s, help="seconds one posting may take")
    parser.add_argument("--backoff-base", type=float, default=defaults.backoff_base_s)
    parser.add_argument("--backoff-max", type=float, default=defaults.backoff_max_s)
    parser.add_argument("--replay-dead-letters", action="store_true", help="requeue failed postings and exit")
    parser.add_argument("--number", action="append", help="with --replay-dead-letters: only this order")
    args = parser.parse_args(argv)
    settings = SubgraphSettings(**({"storage_url": args.storage_url} if args.storage_url else {}))
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s erp-outbox %(levelname)s %(message)s"
    )
    if args.replay_dead_letters:
        return asyncio.run(_replay(settings, args.number))
    policy = OutboxPolicy(
        attempts=settings.orders.erp_posting_attempts,
        batch=args.batch,
        takeover_s=args.takeover,
        lease_s=args.lease,
        backoff_base_s=args.backoff_base,
        backoff_max_s=args.backoff_max,
    )
    try:
        asyncio.run(run_worker(settings, policy))
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
