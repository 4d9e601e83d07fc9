"""The retail scenario: the apps' operations through our gateway, subgraphs and the sandbox (issue 6).

``python -m bench run --scenario retail`` runs it alone; ``make bench`` runs it
after the gateways. The pieces:

- :mod:`bench.retail.stack`: ``make run``'s stack on a free block of ports,
  every system at a fixed latency, pacing lifted, state in a temporary SQLite file;
- :mod:`bench.retail.subgraph`: a subgraph process with the span hook;
- :mod:`bench.retail.spans`: recording the subgraphs' CLIENT spans, and the chain they show;
- :mod:`bench.retail.workload`: the operations and their variables from the seeded world;
- :mod:`bench.retail.load`: k6 (``bench/k6/retail.js``) or the Python fallback, one record per request;
- :mod:`bench.retail.run`: the availability check, the dry run, the load and the per-request join;
- :mod:`bench.retail.report`: the report's section.

How the critical path and the overhead are measured: ``bench/README.md``.
"""
