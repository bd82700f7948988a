// How each contest event changes the console's picture of the contest (state.js). Each
// handler gets the state, the event's data, the whole event record, and `live`: whether the
// event happened after the snapshot (history must not override what the snapshot says).

import { announce } from "../common/ui.js";

const FEED_SIZE = 200;

function describeAnswer(answer) {
  if (answer.correct === true) return `answered correctly (+${answer.points})`;
  if (answer.correct === false) return "answered wrong";
  return "answered (waiting for a score)";
}

// How each event changes the console's picture. `live`: it happened after the snapshot.
export const HANDLERS = {
  "contest.status"(s, d, r, live) {
    if (live && s.contest.status !== d.status) {
      s.contest = { ...s.contest, status: d.status };
      s.emit("contest");
      announce(`The contest is now ${d.status}.`);
    }
  },
  "contest.updated"(s, d, r, live) {
    if (live) s.refreshContest();
  },
  "round.created"(s, d, r, live) {
    if (live) s.refreshContest().then(() => s.loadQuestions(d.round));
  },
  "round.status"(s, d, r, live) {
    const round = s.round(d.round);
    if (live && round && round.status !== d.status) {
      round.status = d.status;
      s.emit("contest");
    }
  },
  "round.questions_added"(s, d, r, live) {
    if (live) s.refreshContest().then(() => s.loadQuestions(d.round));
  },
  // Another console (or the API) corrected a question: show it as it is now, here too.
  "question.updated"(s, d, r, live) {
    if (live) s.loadQuestions(d.round).catch(() => {});
  },
  "team.joined"(s, d, r, live) {
    if (live && !s.teams.has(d.team.id)) {
      const starting = s.contest.settings?.starting_points ?? 0;
      s.teams.set(d.team.id, { ...d.team, members: [], score: starting, status: "active", devices: 0 });
      s.emit("teams");
      announce(`${d.team.name} joined.`);
      s.refreshTeams().catch(() => {});
    }
    s.addFeed(r, null, d.team.id, "joined the contest");
  },
  "team.disqualified"(s, d, r, live) {
    const team = s.teams.get(d.team.id);
    if (live && team) {
      team.status = "disqualified";
      s.emit("teams");
    }
    s.addFeed(r, null, d.team.id, `was disqualified${d.reason ? `: ${d.reason}` : ""}`);
  },
  "team.accommodated"(s, d, r, live) {
    const team = s.teams.get(d.team);
    if (live && team) {
      Object.assign(team, { extra_time_s: d.extra_time_s, speed_exempt: d.speed_exempt });
      s.emit("teams");
    }
  },
  announcement(s, d, r) {
    if (!s.announcements.some((a) => a.seq === r.seq)) {
      s.announcements = [...s.announcements, { seq: r.seq, text: d.text, at: r.at }].sort((a, b) => a.seq - b.seq);
      s.emit("announcements");
    }
  },
  "claim.created"(s, d, r) {
    const stats = s.poolStats(d.claim.round);
    stats.claims += 1;
    stats.claimed.add(d.claim.question.id);
    const what = d.claim.kind === "mystery" ? "got a mystery question" : "claimed";
    s.addFeed(r, d.claim.round, d.team, `${what}: ${d.claim.question.prompt}`);
  },
  "mystery.opened"(s, d, r, live) {
    s.poolStats(d.claim.round).boxes += 1;
    s.setScore(d.team, d.score, live);
    s.addFeed(r, d.claim.round, d.team, `opened a mystery box (${d.difficulty}, cost ${d.cost})`);
  },
  "answer.recorded"(s, d, r, live) {
    const questionId = d.answer.question;
    if (!s.answered.has(questionId)) s.answered.set(questionId, new Set());
    s.answered.get(questionId).add(d.team);
    s.emit("answered");
    s.setScore(d.team, d.score, live);
    const roundId = s.roundOf(questionId);
    const round = roundId ? s.round(roundId) : null;
    if (round && round.kind === "pool") s.poolStats(roundId).results.set(d.answer.id, d.answer.correct);
    const q = s.question(questionId);
    s.addFeed(r, roundId, d.team, `${describeAnswer(d.answer)}${q ? `: ${q.prompt}` : ""}`);
  },
  "answer.scored"(s, d, r, live) {
    s.setScore(d.team, d.score, live);
    const roundId = s.roundOf(d.answer.question);
    const round = roundId ? s.round(roundId) : null;
    if (round && round.kind === "pool") {
      s.poolStats(roundId).results.set(d.answer.id, d.answer.correct);
      const q = s.question(d.answer.question);
      const verdict = d.answer.judge?.verdict ? `judged ${d.answer.judge.verdict}` : "scored";
      s.addFeed(r, roundId, d.team, `${verdict} (+${d.answer.points})${q ? `: ${q.prompt}` : ""}`);
    }
    if (live) s.emit("scored");
  },
  "score.adjusted"(s, d, r, live) {
    s.setScore(d.team, d.score, live);
    s.addFeed(r, null, d.team, `score adjusted by ${d.points > 0 ? "+" : ""}${d.points}: ${d.reason}`);
  },
  "question.opened"(s, d) {
    s.liveVersion += 1;
    s.live.set(d.live.round, { live: d.live, question: d.question, answer: null });
    s.emit("live");
  },
  "question.status"(s, d) {
    s.liveVersion += 1;
    const current = s.live.get(d.live.round);
    const same = current && current.live?.id === d.live.id;
    s.live.set(d.live.round, { question: null, answer: null, ...(same ? current : {}), live: d.live });
    s.emit("live");
  },
  "question.revealed"(s, d) {
    s.liveVersion += 1;
    s.live.set(d.live.round, { live: d.live, question: d.question, answer: d.answer });
    s.emit("live");
  },
  "contest.frozen"(s, d, r, live) {
    if (live) {
      s.frozen = { frozen: true, frozen_at: d.frozen_at };
      s.emit("freeze");
    }
  },
  "contest.unfrozen"(s, d, r, live) {
    if (live) {
      s.frozen = { frozen: false, frozen_at: null };
      s.reveal = { steps: d.steps, frozen_at: d.frozen_at };
      s.emit("freeze");
    }
  },
  "regrade.done"(s, d, r, live) {
    // Each changed answer came as `answer.scored` with the team's new score; the teams'
    // list is read again as well, in case one of those was missed.
    if (live) s.refreshTeams().catch(() => {});
    s.regrades.set(d.regrade, { question: d.question, changes: d.changes || {} });
    s.emit("regrade");
    const moved = Object.values(d.changes || {}).filter((v) => v !== 0).length;
    s.addFeed(r, null, null, `Regrade finished: ${moved} team${moved === 1 ? "" : "s"} changed.`);
  },
  "team.focus"(s, d, r, live) {
    s.focusLog.unshift({ seq: r.seq, at: r.at, ...d });
    s.focusLog.sort((a, b) => b.seq - a.seq);
    if (s.focusLog.length > FEED_SIZE) s.focusLog.length = FEED_SIZE;
    if (live) {
      s.focusAvailable = true;
      if (!s.focus.has(d.team)) s.focus.set(d.team, new Map());
      const devices = s.focus.get(d.team);
      const row = devices.get(d.device) || { device: d.device, count: 0, away_ms: 0, last_at: r.at };
      row.count += 1;
      row.away_ms += d.away_ms;
      row.last_at = r.at;
      devices.set(d.device, row);
    }
    s.emit("focus");
  },
};
