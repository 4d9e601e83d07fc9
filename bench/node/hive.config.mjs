// Hive Gateway's configuration for the benchmark modes, chosen by environment variables:
//   BENCH_HIVE_SUBGRAPH_DEDUPE=true|false  de-duplicate identical in-flight subgraph requests (Hive's default: true)
//   BENCH_HIVE_INBOUND_DEDUPE=true|false   de-duplicate identical in-flight client queries (default: false)
const subgraphDedupe = process.env.BENCH_HIVE_SUBGRAPH_DEDUPE !== 'false';
const inboundDedupe = process.env.BENCH_HIVE_INBOUND_DEDUPE === 'true';

export const gatewayConfig = {
  transportEntries: {
    '*.http': { options: { deduplicateInflightRequests: subgraphDedupe } },
  },
  inboundInflightRequestDeduplication: inboundDedupe,
};
