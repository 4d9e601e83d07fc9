"""Pacing by calculated query cost: hundreds of concurrent reads never see Shopify's THROTTLED.

The store's bucket is scaled to keep the test short: Shopify's standard plan
is 1000 points restoring 50/s (20 s to refill); here it is 100 points restoring
500/s (the bucket divided and the restore rate multiplied by 10). Each read is
``variants_by_skus([sku])`` with the cache off (requested cost 5), so 500 reads
ask 2,500 points: 25 bucketfuls, about 5 s of restore.

The scaling makes latency matter 100 times more than at Shopify's rates (a
request 50 ms late is 25 points of a 100-point bucket here, 2.5 of 1000
there), which is what the exchange's reserve and in-flight bound are for
(:mod:`resolvers.shopify.exchange`). THROTTLED answers are counted by the
connector's exchange (``graphql.throttled``); each one is retried by the kit
after the throttle's wait, so the sandbox saw 500 + that many requests.
"""

from __future__ import annotations

import asyncio

from resolvers.shopify import ShopifyConnector, ShopifySettings
from sandbox.world import World
from storage.memory import MemoryTokenBuckets
from tests.resolvers.connectors.conftest import LiveKitFactory, RunSystem
from tests.resolvers.connectors.test_shopify_support import TOKEN, directory_of, policy, shop

SCALED = {"cost_bucket_size": 100.0, "cost_restore_rate": 500.0}
NO_CACHE = {"variants": {"cache": {"ttl": 0.0, "stale_ttl": 0.0}}}
HANDFUL = 5


async def test_500_concurrent_reads_finish_without_throttled_errors_and_hardly_any_throttled_answers(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    skus = [v.sku for v in world.variants]
    reads = [skus[i % len(skus)] for i in range(500)]
    async with shop(run_system, make_live_kit, world, knobs=SCALED, operations=NO_CACHE) as s:
        assert s.kit.policies.resolve("shopify", "variants").cache.ttl == 0
        got = await asyncio.gather(*(s.connector.variants_by_skus([sku]) for sku in reads))
        calls = s.graphql_calls()
        throttled = s.connector.graphql.throttled
    assert [found[0].sku if found[0] else None for found in got] == reads
    assert throttled <= HANDFUL
    assert calls == 500 + throttled, "one request per read, plus the retry of each throttled one"


async def test_two_connectors_sharing_one_bucket_store_pace_together(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    """Two gateway instances (two kits) share the store's one bucket through one TokenBuckets."""
    shared = MemoryTokenBuckets()
    skus = [v.sku for v in world.variants]
    async with run_system("shopify", knobs=SCALED, access_token=TOKEN) as system:
        settings = ShopifySettings(base_url=system.url, access_token=TOKEN)
        policies = policy(settings, rate={"rate": 500.0, "burst": 100.0}, operations=NO_CACHE)
        connectors = [
            ShopifyConnector(make_live_kit(policies, buckets=shared), settings, directory_of(world))
            for _ in range(2)
        ]
        kits = [c.kit for c in connectors]
        assert kits[0].limiter.bucket_key("shopify") == kits[1].limiter.bucket_key("shopify")
        got = await asyncio.gather(
            *(connectors[i % 2].variants_by_skus([skus[i % len(skus)]]) for i in range(500))
        )
        calls = system.calls("/graphql.json")
    throttled = sum(c.graphql.throttled for c in connectors)
    assert all(found[0] is not None for found in got)
    assert throttled <= HANDFUL
    assert calls == 500 + throttled
