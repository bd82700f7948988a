// Load test: teams register, claim pool questions one at a time, answer them, read their snapshot.
//
// Each iteration of a virtual user (VU) is one new team:
//   POST /api/v1/join                   register with a unique name, get a bearer token
//   CLAIMS times:
//     POST /api/v1/me/claims            take the next question of the exclusive pool round
//     POST /api/v1/me/answers           answer it correctly (the round's claim_limit is 1)
//   GET  /api/v1/me                     the team's snapshot, once
//
// A 409 `pool_empty` on a claim is an expected outcome: it is counted (metric `pool_empty`)
// and ends the team's claiming, it is not an error. The pool should be large enough never
// to run dry (see `manage.py bench_contest --questions`).
//
// Needs the contest from `manage.py bench_contest`, as JSON in BENCH_CONTEST or in the file
// BENCH_CONTEST_FILE: {"code": "ABCD-EFGH", "round": 1, "answer": 42}.
// Run through k6/run.sh, or by hand against a running server:
//   BENCH_CONTEST="$(python manage.py bench_contest)" k6 run k6/register_and_claim.js
//
// Environment (all optional):
//   BASE_URLS      comma-separated server URLs, loopback only; VUs are spread over them
//                  round-robin (default http://127.0.0.1:8001)
//   VUS, DURATION  default 100 and 30s
//   CLAIMS         claim+answer rounds per team (default 3)
//   LABEL          name of this run's summary file (default "register_and_claim")
//   RESULTS_DIR    where the JSON summary goes (default k6/results, relative to the cwd)
//   P99_LIMIT_MS   a loose per-endpoint p99 guard, in ms (default 10000)

import http from "k6/http";
import { check, fail } from "k6";
import exec from "k6/execution";
import { Counter, Rate } from "k6/metrics";

const BENCH = JSON.parse(__ENV.BENCH_CONTEST || (__ENV.BENCH_CONTEST_FILE ? open(__ENV.BENCH_CONTEST_FILE) : "null"));
if (!BENCH || !BENCH.code || !BENCH.round || BENCH.answer === undefined) {
  throw new Error("Set BENCH_CONTEST (or BENCH_CONTEST_FILE) to the JSON printed by `manage.py bench_contest`.");
}

const BASE_URLS = (__ENV.BASE_URLS || "http://127.0.0.1:8001").split(",").map((u) => u.trim().replace(/\/+$/, ""));
for (const url of BASE_URLS) {
  // Load goes to this machine only.
  if (!/^http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(:\d+)?$/.test(url)) {
    throw new Error(`Refusing to load ${url}: only loopback addresses (127.0.0.0/8, localhost, [::1]).`);
  }
}

const VUS = parseInt(__ENV.VUS || "100", 10);
const DURATION = __ENV.DURATION || "30s";
const CLAIMS = parseInt(__ENV.CLAIMS || "3", 10);
const LABEL = __ENV.LABEL || "register_and_claim";
const RESULTS_DIR = (__ENV.RESULTS_DIR || "k6/results").replace(/\/+$/, "");
const P99_LIMIT_MS = parseInt(__ENV.P99_LIMIT_MS || "10000", 10);

export const ENDPOINTS = {
  join: "POST /api/v1/join",
  claim: "POST /api/v1/me/claims",
  answer: "POST /api/v1/me/answers",
  me: "GET /api/v1/me",
};

const poolEmpty = new Counter("pool_empty"); // expected 409s: the pool ran dry
const unexpectedConflicts = new Counter("unexpected_conflicts"); // any other 409 on a claim
const answerCorrect = new Rate("answer_correct");

// Only 2xx is success; a claim may also answer 409 (pool_empty, told apart by its body below).
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }));
const CLAIM_EXPECTED = http.expectedStatuses(201, 409);

const endpointThresholds = {};
for (const name of Object.values(ENDPOINTS)) {
  // These also make k6 keep per-endpoint sub-metrics, so the summary has p50/p95/p99 per endpoint.
  endpointThresholds[`http_req_duration{name:${name}}`] = [`p(99)<${P99_LIMIT_MS}`];
  endpointThresholds[`http_req_failed{name:${name}}`] = ["rate<0.01"];
}

export const options = {
  scenarios: {
    register_and_claim: { executor: "constant-vus", vus: VUS, duration: DURATION, gracefulStop: "15s" },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    checks: ["rate>0.99"],
    unexpected_conflicts: ["count<1"],
    "http_req_duration{expected_response:true}": [`p(99)<${P99_LIMIT_MS}`],
    ...endpointThresholds,
  },
  summaryTrendStats: ["avg", "min", "med", "p(90)", "p(95)", "p(99)", "max", "count"],
  userAgent: "quizserver-k6/1.0",
};

export function setup() {
  const res = http.get(`${BASE_URLS[0]}/healthz`, { tags: { name: "setup" } });
  if (res.status !== 200) fail(`${BASE_URLS[0]}/healthz answered ${res.status}`);
  // A run id keeps team names and idempotency keys unique across runs against one database.
  return { ...BENCH, runId: Date.now().toString(36) };
}

function errorCode(res) {
  try {
    return res.json("code");
  } catch (_) {
    return null;
  }
}

export default function (data) {
  const base = BASE_URLS[(exec.vu.idInTest - 1) % BASE_URLS.length];
  const iteration = exec.vu.iterationInScenario;
  const tag = `${data.runId}-${exec.vu.idInTest}-${iteration}`;
  const json = { "Content-Type": "application/json" };

  const join = http.post(
    `${base}/api/v1/join`,
    JSON.stringify({ code: data.code, team_name: `k6 ${tag}`, members: ["k6"] }),
    { headers: json, tags: { name: ENDPOINTS.join } },
  );
  if (!check(join, { "join: 201": (r) => r.status === 201 })) return;
  const headers = { ...json, Authorization: `Bearer ${join.json("token")}` };

  for (let i = 0; i < CLAIMS; i++) {
    const claim = http.post(`${base}/api/v1/me/claims`, JSON.stringify({ round: data.round }), {
      headers,
      tags: { name: ENDPOINTS.claim },
      responseCallback: CLAIM_EXPECTED,
    });
    if (claim.status === 409) {
      const code = errorCode(claim);
      check(claim, { "claim: 201 or 409 pool_empty": () => code === "pool_empty" });
      if (code === "pool_empty") {
        poolEmpty.add(1, { outcome: "pool_empty" });
      } else {
        unexpectedConflicts.add(1, { code: String(code) });
      }
      break;
    }
    if (!check(claim, { "claim: 201 or 409 pool_empty": (r) => r.status === 201 })) break;

    const answer = http.post(
      `${base}/api/v1/me/answers`,
      JSON.stringify({ question: claim.json("claim.question.id"), answer: data.answer }),
      { headers: { ...headers, "Idempotency-Key": `${tag}-${i}` }, tags: { name: ENDPOINTS.answer } },
    );
    const scored = check(answer, { "answer: 201": (r) => r.status === 201 });
    if (!scored) break;
    const correct = answer.json("answer.correct") === true;
    answerCorrect.add(correct);
    check(answer, { "answer: correct": () => correct });
  }

  const me = http.get(`${base}/api/v1/me`, { headers, tags: { name: ENDPOINTS.me } });
  check(me, { "me: 200": (r) => r.status === 200 });
}

// --- Summary: JSON to RESULTS_DIR, a compact table to stdout ----------------------------

function metric(data, name) {
  return data.metrics[name] ? data.metrics[name].values : null;
}

function ms(value) {
  return value === undefined || value === null ? "-" : value.toFixed(1);
}

function pad(text, width, right) {
  const s = String(text);
  return right ? s.padStart(width) : s.padEnd(width);
}

export function textTable(data) {
  const seconds = data.state.testRunDurationMs / 1000;
  const reqs = metric(data, "http_reqs");
  const iterations = metric(data, "iterations");
  const failed = metric(data, "http_req_failed");
  const pool = metric(data, "pool_empty");
  const unexpected = metric(data, "unexpected_conflicts");
  const checks = metric(data, "checks");
  const rows = [["endpoint", "count", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "failed"]];
  const row = (label, trend, failedRate) => {
    if (!trend) return;
    rows.push([
      label,
      trend.count,
      (trend.count / seconds).toFixed(1),
      ms(trend.med),
      ms(trend["p(95)"]),
      ms(trend["p(99)"]),
      ms(trend.max),
      failedRate ? `${(failedRate.rate * 100).toFixed(2)}%` : "-",
    ]);
  };
  for (const name of Object.values(ENDPOINTS)) {
    row(name, metric(data, `http_req_duration{name:${name}}`), metric(data, `http_req_failed{name:${name}}`));
  }
  row("all requests", metric(data, "http_req_duration"), failed);
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => String(r[col]).length)));
  const lines = rows.map((r) => r.map((cell, col) => pad(cell, widths[col], col > 0)).join("  "));
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));

  const thresholds = [];
  for (const [name, m] of Object.entries(data.metrics)) {
    for (const [expr, t] of Object.entries(m.thresholds || {})) {
      if (!t.ok) thresholds.push(`${name}: ${expr}`);
    }
  }
  return [
    "",
    `k6 ${LABEL}: ${VUS} VUs for ${DURATION} against ${BASE_URLS.join(", ")} (${seconds.toFixed(1)} s)`,
    `  requests   ${reqs ? reqs.count : 0} (${reqs ? reqs.rate.toFixed(1) : 0}/s)`,
    `  iterations ${iterations ? iterations.count : 0} (${iterations ? iterations.rate.toFixed(2) : 0}/s)`,
    `  failed     ${failed ? (failed.rate * 100).toFixed(2) : "0.00"}% of requests (threshold < 1%)`,
    `  pool_empty ${pool ? pool.count : 0} (expected 409s)   unexpected 409s: ${unexpected ? unexpected.count : 0}`,
    `  checks     ${checks ? (checks.rate * 100).toFixed(2) : "-"}% passed`,
    "",
    ...lines.map((l) => `  ${l}`),
    "",
    thresholds.length ? `  THRESHOLDS FAILED:\n    ${thresholds.join("\n    ")}` : "  all thresholds passed",
    "",
  ].join("\n");
}

export function handleSummary(data) {
  const file = `${RESULTS_DIR}/${LABEL}.json`;
  return {
    stdout: `${textTable(data)}  summary: ${file}\n`,
    [file]: JSON.stringify(data, null, 2),
  };
}
