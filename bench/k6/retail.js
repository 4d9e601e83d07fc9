// The retail scenario's k6 script: constant virtual users sending the apps' operations through our gateway.
//
// Environment:
//   BENCH_URL             the gateway's /graphql
//   BENCH_REQUESTS        the workload (bench/retail/workload.py, Workload.write):
//                         {operations, reads: [[op, body]], submits: [body], returns: [body],
//                          submitShare, returnShare, placeholder}
//   BENCH_VUS             virtual users (default 50)
//   BENCH_DURATION        how long (default 60s)
//   BENCH_SUMMARY         where to write the end-of-test summary as JSON
//   BENCH_RECORDS         "1": one console line per request, [traceId, op, duration ms, ok]
//                         (run with --log-format raw --console-output FILE)
//   BENCH_RETAIL_RETURNS  "0": send no AuthorizeReturn (the warm-up: the pool is for the measured run)
//   BENCH_THINK_MS        a virtual user's pause after each answer, on average (uniform between half and
//                         one and a half times it; default 0: the next request at once)
//
// Each iteration: a SubmitOrder (submitShare of them, a fresh idempotency key and payment reference), an
// AuthorizeReturn (returnShare, while this VU's slice of the pool lasts: entries VU-1, VU-1+VUs, ...), or else
// a read: an operation picked at random, all equally often, then one of its variable sets. Every request
// carries its own sampled W3C traceparent, which the gateway forwards to the subgraphs, so the subgraphs'
// CLIENT spans of its system calls can be matched to it afterwards. An answer passes when the status is
// 200, the JSON has no "errors" and no null root field, and a write's userErrors are empty.
import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';

const data = JSON.parse(open(__ENV.BENCH_REQUESTS));
const endpoint = __ENV.BENCH_URL;
const vus = Number(__ENV.BENCH_VUS || 50);
const records = __ENV.BENCH_RECORDS === '1';
const returnsOn = __ENV.BENCH_RETAIL_RETURNS !== '0';
const thinkS = Number(__ENV.BENCH_THINK_MS || 0) / 1000;
const wrongAnswers = new Counter('bench_wrong_answers');
const SUBMIT = 'storefront/SubmitOrder';
const RETURN = 'cs-portal/AuthorizeReturn';

const byOperation = {};
for (const [op, body] of data.reads) {
  if (byOperation[op] === undefined) byOperation[op] = [];
  byOperation[op].push(body);
}
const operations = Object.keys(byOperation).sort();
let nextReturn = -1;
let reported = 0;

export const options = {
  scenarios: {
    load: {
      executor: 'constant-vus',
      vus: vus,
      duration: __ENV.BENCH_DURATION || '60s',
      gracefulStop: '30s',
    },
  },
  summaryTrendStats: [
    'avg', 'min', 'max', 'p(1)', 'p(5)', 'p(10)', 'p(25)', 'p(50)', 'p(75)', 'p(90)', 'p(95)',
    'p(97.5)', 'p(99)', 'p(99.5)', 'p(99.9)',
  ],
};

const HEX = '0123456789abcdef';

function hex(length) {
  let out = '';
  for (let i = 0; i < length; i += 1) out += HEX[Math.floor(Math.random() * 16)];
  return out;
}

function pick(items) {
  return items[Math.floor(Math.random() * items.length)];
}

function fresh(template) {
  return template.split(data.placeholder).join(`${__VU}-${__ITER}-${hex(12)}`);
}

function rightAnswer(response, kind) {
  if (response.status !== 200 || typeof response.body !== 'string') return false;
  let answer;
  try {
    answer = JSON.parse(response.body);
  } catch (e) {
    return false;
  }
  if (answer === null || typeof answer !== 'object' || answer.errors !== undefined) return false;
  if (answer.data === null || typeof answer.data !== 'object') return false;
  const roots = Object.values(answer.data);
  if (roots.length === 0 || roots.some((value) => value === null)) return false;
  if (kind === 'submit') return roots[0].order !== null && roots[0].userErrors.length === 0;
  if (kind === 'return') return roots[0].return !== null && roots[0].userErrors.length === 0;
  return true;
}

export default function () {
  if (nextReturn < 0) nextReturn = __VU - 1;
  let kind = 'read';
  let op;
  let body;
  const roll = Math.random();
  if (roll < data.submitShare) {
    kind = 'submit';
    op = SUBMIT;
    body = fresh(pick(data.submits));
  } else if (returnsOn && roll < data.submitShare + data.returnShare && nextReturn < data.returns.length) {
    kind = 'return';
    op = RETURN;
    body = fresh(data.returns[nextReturn]);
    nextReturn += vus;
  } else {
    op = pick(operations);
    body = pick(byOperation[op]);
  }
  const trace = hex(32);
  const response = http.post(endpoint, body, {
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      traceparent: `00-${trace}-${hex(16)}-01`,
    },
    timeout: '60s',
    tags: { name: op },
  });
  const ok = check(response, { 'answer is complete and error-free': (r) => rightAnswer(r, kind) });
  if (!ok) {
    wrongAnswers.add(1);
    if (reported < 3) {
      reported += 1;
      const text = typeof response.body === 'string' ? response.body.slice(0, 500) : String(response.error);
      console.warn(`wrong answer (status ${response.status}) to ${op}: ${text}`);
    }
  }
  if (records) console.log(JSON.stringify([trace, op, response.timings.duration, ok ? 1 : 0]));
  if (thinkS > 0) sleep(thinkS * (0.5 + Math.random()));
}

export function handleSummary(summary) {
  const out = {};
  if (__ENV.BENCH_SUMMARY) out[__ENV.BENCH_SUMMARY] = JSON.stringify(summary);
  const reqs = summary.metrics.http_reqs ? summary.metrics.http_reqs.values : { count: 0, rate: 0 };
  const wrong = summary.metrics.bench_wrong_answers ? summary.metrics.bench_wrong_answers.values.count : 0;
  const d = summary.metrics.http_req_duration ? summary.metrics.http_req_duration.values : {};
  out.stdout = `k6: ${reqs.count} requests, ${reqs.rate.toFixed(1)}/s, p50 ${Number(d['p(50)']).toFixed(2)} ms, ` +
    `p99 ${Number(d['p(99)']).toFixed(2)} ms, wrong answers ${wrong}\n`;
  return out;
}
