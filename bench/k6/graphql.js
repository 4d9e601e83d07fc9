// The benchmark's generic k6 script: constant virtual users POSTing GraphQL requests, every answer checked.
//
// Environment:
//   BENCH_URL        the endpoint (a request may name its own "url")
//   BENCH_REQUESTS   a JSON file: [{"body": "<request JSON>", "expected": "<answer JSON>" | null, "url"?}]
//   BENCH_VUS        virtual users (default 50)
//   BENCH_DURATION   how long (default 60s)
//   BENCH_SUMMARY    where to write the end-of-test summary as JSON
//
// Each iteration sends one request: the only one, or one picked at random. An answer passes when the
// status is 200 and the body is the expected JSON (byte for byte, maybe with a final newline, or else
// equal after parsing, in any key order) with no "errors"; when no answer is expected, when it is JSON
// without "errors".
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const requests = JSON.parse(open(__ENV.BENCH_REQUESTS));
const endpoint = __ENV.BENCH_URL;
const params = {
  headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
  timeout: '30s',
};
const wrongAnswers = new Counter('bench_wrong_answers');
let reported = 0;

export const options = {
  scenarios: {
    load: {
      executor: 'constant-vus',
      vus: Number(__ENV.BENCH_VUS || 50),
      duration: __ENV.BENCH_DURATION || '60s',
      gracefulStop: '10s',
    },
  },
  summaryTrendStats: [
    'avg', 'min', 'max', 'p(1)', 'p(5)', 'p(10)', 'p(25)', 'p(50)', 'p(75)', 'p(90)', 'p(95)',
    'p(97.5)', 'p(99)', 'p(99.5)', 'p(99.9)',
  ],
};

function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !sameJson(a[key], b[key])) return false;
  }
  return true;
}

function rightAnswer(body, request) {
  if (typeof body !== 'string') return false;
  if (request.expected !== null) {
    // Byte for byte (Apollo Server ends its JSON with a newline).
    if (body === request.expected) return true;
    if (request.withNewline === undefined) request.withNewline = request.expected + '\n';
    if (body === request.withNewline) return true;
  }
  let answer;
  try {
    answer = JSON.parse(body);
  } catch (e) {
    return false;
  }
  if (answer === null || typeof answer !== 'object' || answer.errors !== undefined) return false;
  if (request.expected === null) return true;
  if (request.parsed === undefined) request.parsed = JSON.parse(request.expected);
  return sameJson(answer, request.parsed);
}

export default function () {
  const request = requests.length === 1 ? requests[0] : requests[Math.floor(Math.random() * requests.length)];
  const response = http.post(request.url || endpoint, request.body, params);
  const ok = check(response, {
    'status is 200': (r) => r.status === 200,
    'answer is complete and error-free': (r) => rightAnswer(r.body, request),
  });
  if (!ok) {
    wrongAnswers.add(1);
    if (reported < 3) {
      reported += 1;
      const body = typeof response.body === 'string' ? response.body.slice(0, 500) : String(response.error);
      console.warn(`wrong answer (status ${response.status}) to ${request.body.slice(0, 120)}: ${body}`);
    }
  }
}

export function handleSummary(data) {
  const out = {};
  if (__ENV.BENCH_SUMMARY) out[__ENV.BENCH_SUMMARY] = JSON.stringify(data);
  const reqs = data.metrics.http_reqs ? data.metrics.http_reqs.values : { count: 0, rate: 0 };
  const wrong = data.metrics.bench_wrong_answers ? data.metrics.bench_wrong_answers.values.count : 0;
  const d = data.metrics.http_req_duration ? data.metrics.http_req_duration.values : {};
  out.stdout = `k6: ${reqs.count} requests, ${reqs.rate.toFixed(1)}/s, p50 ${Number(d['p(50)']).toFixed(2)} ms, ` +
    `p99 ${Number(d['p(99)']).toFixed(2)} ms, wrong answers ${wrong}\n`;
  return out;
}
