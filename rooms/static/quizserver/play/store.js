// The team's picture of the contest: built from the socket's snapshot, then kept up to
// date by its events (docs/PROTOCOL.md) and by the answers to this device's own requests.
// Reducers only change data; app.js draws it.

export function emptyState() {
  return {
    contest: null, // the snapshot's contest: code, title, status, rounds, live, join…
    team: null,
    score: 0,
    scoreSeq: -1, // the contest position the score is from, so an older standing cannot undo it
    standing: null,
    standingSeq: -1,
    leaderboard: null,
    leaderboardSeq: -1,
    rounds: [], // the team's rounds, with their mystery boxes
    boxesSeq: -1, // the position of the newest `mystery.remaining` applied
    claims: new Map(), // claim id → claim
    answers: new Map(), // question id → the team's answers to it, oldest first
    runs: new Map(), // question id → the latest sample run
    announcements: [],
    frozenAt: null,
    reveal: null, // the team's own step of the last reveal after a freeze
  };
}

export function applySnapshot(state, data, seq) {
  const fresh = emptyState();
  fresh.runs = state.runs; // runs are not in snapshots; keep what this device saw
  fresh.contest = data.contest;
  fresh.team = data.team;
  fresh.score = data.team.score;
  fresh.scoreSeq = seq;
  fresh.standing = data.standing;
  fresh.standingSeq = seq;
  fresh.leaderboard = data.leaderboard;
  fresh.leaderboardSeq = seq;
  fresh.rounds = data.rounds;
  fresh.frozenAt = data.standing.frozen_at || data.leaderboard.frozen_at || null;
  for (const claim of data.claims) fresh.claims.set(claim.id, claim);
  for (const answer of data.answers) {
    // A long answer this device already read keeps its text (the snapshot has its size).
    const known = answer.given === undefined && (state.answers.get(answer.question) || []).find((a) => a.id === answer.id);
    putAnswer(fresh, known && known.given !== undefined ? { ...answer, given: known.given } : answer);
  }
  fresh.announcements = data.announcements.slice().sort((a, b) => a.seq - b.seq);
  fresh.reveal = state.reveal;
  return fresh;
}

const PROGRESS = { queued: 0, running: 1, scored: 2 };

// An answer's newest view wins; a reply to this device's POST can arrive after the socket
// already said the answer was judged, and must not take it back to "queued". What the team
// sent (`given`) never changes: once any view brought it, it stays, since a pushed view
// of a long answer carries only its size (`given_size`).
export function putAnswer(state, answer) {
  const list = state.answers.get(answer.question) || [];
  const at = list.findIndex((a) => a.id === answer.id);
  if (at >= 0) {
    const known = list[at];
    const newer = (PROGRESS[answer.status] ?? 0) >= (PROGRESS[known.status] ?? 0) ? { ...answer } : { ...known };
    if (newer.given === undefined) {
      const given = answer.given !== undefined ? answer.given : known.given;
      if (given !== undefined) newer.given = given;
    }
    list[at] = newer;
  } else list.push({ ...answer });
  list.sort((a, b) => a.id - b.id);
  state.answers.set(answer.question, list);
  for (const claim of state.claims.values()) {
    if (claim.question.id === answer.question && claim.status === "held") claim.status = "answered";
  }
}

// The team's answers whose `given` was too large for a push: read them over HTTP.
export function answersWithoutGiven(state) {
  const missing = [];
  for (const list of state.answers.values()) for (const a of list) if (a.given === undefined && a.given_size !== undefined) missing.push(a);
  return missing;
}

export function latestAnswer(state, questionId) {
  const list = state.answers.get(questionId);
  return list && list.length ? list[list.length - 1] : null;
}

function roundById(list, id) {
  return list.find((r) => r.id === id) || null;
}

function setRoundStatus(state, id, status) {
  const publicRound = roundById(state.contest.rounds, id);
  if (publicRound) publicRound.status = status;
  const teamRound = roundById(state.rounds, id);
  if (teamRound) teamRound.status = status;
  if (status === "active" && publicRound) state.contest.current_round = { ...publicRound };
  else if (state.contest.current_round && state.contest.current_round.id === id) state.contest.current_round.status = status;
}

function ownTeam(state, data) {
  return state.team && data.team === state.team.id;
}

// Each handler returns an optional note for people: {text, tone, quiet} (announced to
// screen readers; shown as a toast too unless `quiet`: the page already shows it), or nothing.
const EVENTS = {
  "contest.status": (state, data) => {
    state.contest.status = data.status;
    const words = { running: "The contest is running.", paused: "The contest is paused.", finished: "The contest is over.", lobby: "The lobby is open." };
    return words[data.status] ? { text: words[data.status] } : null;
  },
  "contest.updated": (state, data) => {
    state.contest.title = data.title;
  },
  "round.created": (state, data) => {
    const round = { id: data.round, kind: data.kind, title: data.title, position: data.position, status: "pending" };
    if (!roundById(state.contest.rounds, round.id)) state.contest.rounds.push(round);
    if (!roundById(state.rounds, round.id)) state.rounds.push({ ...round, mystery_boxes: [] });
    return { refresh: true };
  },
  "round.status": (state, data) => {
    setRoundStatus(state, data.round, data.status);
    const round = roundById(state.contest.rounds, data.round);
    const title = round ? round.title : "A round";
    if (data.status === "active") return { text: `${title} has started.`, refresh: true };
    if (data.status === "closed") return { text: `${title} has ended.` };
    return null;
  },
  "team.joined": (state) => {
    state.contest.teams += 1;
  },
  "team.disqualified": (state, data) => {
    if (state.team && data.team.id === state.team.id) {
      state.team.status = "disqualified";
      return { text: "Your team was disqualified by the quizmaster.", tone: "bad" };
    }
    return null;
  },
  announcement: (state, data, msg) => {
    state.announcements.push({ seq: msg.seq, text: data.text, at: msg.at });
    return { text: `Announcement: ${data.text}`, quiet: true }; // the banner shows it
  },
  "claim.created": (state, data) => {
    if (!ownTeam(state, data)) return null;
    state.claims.set(data.claim.id, data.claim);
    return null;
  },
  "mystery.opened": (state, data) => {
    if (!ownTeam(state, data)) return null;
    state.claims.set(data.claim.id, data.claim);
    state.score = data.score;
    return null; // what is left of the boxes comes in `mystery.remaining`, to every team
  },
  "mystery.remaining": (state, data, msg) => {
    const round = roundById(state.rounds, data.round);
    const box = round && round.mystery_boxes.find((b) => b.difficulty === data.difficulty);
    state.boxesSeq = Math.max(state.boxesSeq, msg.seq);
    if (!box || box.remaining === data.remaining) return null;
    box.remaining = data.remaining;
    if (data.remaining > 0 || round.status !== "active") return null;
    return { text: `The ${data.difficulty} mystery boxes of ${round.title} are sold out.`, quiet: true };
  },
  "answer.recorded": (state, data) => {
    if (!ownTeam(state, data)) return null;
    putAnswer(state, data.answer);
    state.score = data.score;
    if (data.rank !== null && state.standing) state.standing = { ...state.standing, rank: data.rank };
    return null;
  },
  "answer.scored": (state, data) => {
    if (!ownTeam(state, data)) return null;
    putAnswer(state, data.answer);
    state.score = data.score;
    return { scored: data.answer };
  },
  "score.adjusted": (state, data) => {
    if (!ownTeam(state, data)) return null;
    state.score = data.score;
    const sign = data.points > 0 ? "+" : "";
    return { text: `Score adjusted by the quizmaster: ${sign}${data.points} (${data.reason}).`, tone: data.points > 0 ? "good" : "bad" };
  },
  "team.accommodated": (state, data) => {
    if (!ownTeam(state, data)) return null;
    state.team = { ...state.team, extra_time_s: data.extra_time_s, speed_exempt: data.speed_exempt };
    return null;
  },
  "question.opened": (state, data) => {
    state.contest.live = { live: data.live, question: data.question, answer: null };
    state.contest.current_question = data.question;
    return { text: `Question ${data.live.position}: ${data.question.prompt}`, quiet: true };
  },
  "question.status": (state, data) => {
    const current = state.contest.live;
    if (!current || current.live.id !== data.live.id) return { refresh: true };
    current.live = data.live;
    const words = {
      pause: "The question is paused.",
      resume: "The question is running again.",
      extend: "More time was added.",
      close: "Time is up.",
      skip: "The question was skipped.",
    };
    return { text: words[data.action], quiet: true };
  },
  "question.revealed": (state, data) => {
    state.contest.live = { live: data.live, question: data.question, answer: data.answer };
    return { text: "The answer is revealed.", quiet: true };
  },
  "contest.frozen": (state, data) => {
    state.frozenAt = data.frozen_at;
    return { text: "The leaderboard is frozen: you still see your own score." };
  },
  "contest.unfrozen": (state, data) => {
    state.frozenAt = null;
    const mine = state.team && data.steps.find((s) => s.team === state.team.id);
    state.reveal = mine || null;
    if (!mine) return { text: "The frozen standings have been revealed." };
    return { text: `Standings revealed: your team went from rank ${mine.from_rank} to rank ${mine.to_rank}.` };
  },
  "run.done": (state, data) => {
    if (!ownTeam(state, data)) return null;
    const known = state.runs.get(data.run.question);
    if (!known || known.id <= data.run.id) state.runs.set(data.run.question, data.run); // the latest run wins
    return { run: data.run };
  },
};

export function applyEvent(state, msg) {
  const handler = EVENTS[msg.type];
  if (!handler || !state.contest) return null;
  const before = state.score;
  const note = handler(state, msg.data, msg) || null;
  if (state.score !== before || "score" in msg.data) state.scoreSeq = Math.max(state.scoreSeq, msg.seq);
  return note;
}

// State messages: the newest (highest seq) of each type wins.
export function applyState(state, msg) {
  if (msg.type === "leaderboard" && msg.seq >= state.leaderboardSeq) {
    state.leaderboard = { frozen_at: msg.frozen_at, total: msg.total, teams: msg.teams };
    state.leaderboardSeq = msg.seq;
    state.frozenAt = msg.frozen_at;
    return true;
  }
  if (msg.type === "standing" && msg.seq >= state.standingSeq) {
    state.standing = { frozen_at: msg.frozen_at, total: msg.total, rank: msg.rank, score: msg.score, neighbours: msg.neighbours };
    state.standingSeq = msg.seq;
    if (!msg.frozen_at && msg.seq >= state.scoreSeq) {
      state.score = msg.score;
      state.scoreSeq = msg.seq;
    }
    return true;
  }
  return false;
}

// The rounds /api/v1/me knows (mystery boxes and what is left of them, the claim limit),
// merged in. The socket stays the authority on round status; /me adds what the events do
// not carry. `keepRemaining`: a `mystery.remaining` came while /me was being read, so the
// boxes already known keep the count it brought (the reply may be older).
export function applyRounds(state, rounds, { keepRemaining = false } = {}) {
  for (const fetched of rounds) {
    const known = roundById(state.rounds, fetched.id);
    if (!known) {
      state.rounds.push(fetched);
      continue;
    }
    const boxes = fetched.mystery_boxes.map((box) => {
      const was = keepRemaining && (known.mystery_boxes || []).find((b) => b.difficulty === box.difficulty);
      return was ? { ...box, remaining: was.remaining } : box;
    });
    Object.assign(known, { mystery_boxes: boxes, claim_limit: fetched.claim_limit, exclusive: fetched.exclusive });
  }
}

// How many pool questions of a round the team holds unanswered, and the most it may.
export function claimsHeld(state, round) {
  let held = 0;
  for (const claim of state.claims.values()) if (claim.round === round.id && claim.kind === "pool" && claim.status === "held") held += 1;
  return { held, limit: round.claim_limit ?? null };
}
