// What this device remembers between visits, in localStorage: the team token per contest
// (so a reload or a closed tab comes back as the same team), this device's id for the
// fair-play reports, drafts of long answers, and answers sent without a reply yet (so a
// retry re-sends the same Idempotency-Key and the server scores it once).

import { newKey } from "../common/api.js";

const PREFIX = "quizserver.play.";

// Join codes as the server stores them: 8 characters, no dash, upper case. People type
// I/L for 1 and O for 0, as the server reads them too.
export function normaliseCode(raw) {
  return String(raw || "")
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, "")
    .replace(/[IL]/g, "1")
    .replace(/O/g, "0");
}

function read(key, fallback = null) {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch (error) {
    return fallback; // storage disabled (private mode) or a value from an older version
  }
}

function write(key, value) {
  try {
    if (value === null || value === undefined) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch (error) {
    // Storage full or disabled: the app still works, it only forgets on reload.
  }
}

// {token, team: {id, name}, title} for the contest, or null.
export function teamFor(code) {
  const saved = read(`team.${normaliseCode(code)}`);
  return saved && typeof saved.token === "string" ? saved : null;
}

export function rememberTeam(code, token, team = null, title = null) {
  const clean = normaliseCode(code);
  const earlier = teamFor(clean) || {};
  write(`team.${clean}`, { token, team: team || earlier.team || null, title: title || earlier.title || null });
  write("last", clean);
}

export function forgetTeam(code) {
  const clean = normaliseCode(code);
  write(`team.${clean}`, null);
  write(`pending.${clean}`, null);
  if (read("last") === clean) write("last", null);
}

// The contest this device played last, for /play/ without a code.
export function lastCode() {
  const code = read("last");
  return code && teamFor(code) ? code : null;
}

// A random id for this device, 1-64 characters of [A-Za-z0-9_-], kept for good.
export function deviceId() {
  let id = read("device");
  if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    id = `d-${newKey().slice(0, 20)}`;
    write("device", id);
  }
  return id;
}

// Answers sent without a reply (a network error, a 5xx): {question: {key, body}}. The
// same key goes with the same body; a changed answer gets a new key (and the server says
// `already_answered` if the first one did arrive).
export function pendingKey(code, questionId, body) {
  const all = read(`pending.${normaliseCode(code)}`, {});
  const earlier = all[questionId];
  const text = JSON.stringify(body);
  if (earlier && earlier.body === text) return earlier.key;
  const key = newKey();
  all[questionId] = { key, body: text };
  write(`pending.${normaliseCode(code)}`, all);
  return key;
}

export function pendingAll(code) {
  const all = read(`pending.${normaliseCode(code)}`, {});
  return Object.entries(all).map(([question, item]) => ({
    question: Number(question),
    key: item.key,
    body: JSON.parse(item.body),
  }));
}

export function pendingDone(code, questionId) {
  const all = read(`pending.${normaliseCode(code)}`, {});
  if (!(questionId in all)) return;
  delete all[questionId];
  write(`pending.${normaliseCode(code)}`, Object.keys(all).length ? all : null);
}

// Drafts of code and essays, so a reload does not throw away a team's work.
export function draftGet(code, questionId, field) {
  return read(`draft.${normaliseCode(code)}.${questionId}.${field}`);
}

export function draftSet(code, questionId, field, value) {
  write(`draft.${normaliseCode(code)}.${questionId}.${field}`, value === "" ? null : value);
}
