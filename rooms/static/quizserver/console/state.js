// One contest as the console holds it: loaded over HTTP, then kept current by the contest
// socket (as its host). Views subscribe to topics and redraw only what changed.
//
// After the first snapshot the console asks the server to replay the contest's event log
// from the start (when it is short enough to be replayed), so that a reloaded console still
// knows who answered the live question, what happened in the pools, and each team's score
// over time. Events up to the snapshot are history: they never override the snapshot.

import { api } from "../common/api.js";
import { ContestSocket } from "../common/socket.js";
import { call, session } from "./session.js";
import { HANDLERS } from "./state-events.js";

const REPLAY_LIMIT = 500; // WS_RESUME_MAX_EVENTS: beyond it the server sends a snapshot instead
const FEED_SIZE = 200;

export class ContestState {
  constructor(contestId) {
    this.id = contestId;
    this.contest = null;
    this.teams = new Map(); // id → team with `devices`
    this.board = { teams: [], frozen_at: null };
    this.announcements = [];
    this.questions = new Map(); // round id → questions with answers
    this.live = new Map(); // round id → {live, question, answer}
    this.answered = new Map(); // question id → Set of team ids
    this.pool = new Map(); // round id → {claims, answers, correct, wrong, boxes, claimed: Set}
    this.feed = []; // newest first: {seq, at, round, team, text}
    this.history = new Map(); // seq → {seq, type, at, data}: for the score chart
    this.focus = new Map(); // team id → Map(device → {count, away_ms, last_at})
    this.focusAvailable = false;
    this.focusLog = []; // newest first
    this.frozen = { frozen: false, frozen_at: null };
    this.reveal = null;
    this.regrades = new Map(); // regrade id → {question, changes}: the regrades seen finishing
    this.status = "connecting";
    this.epoch = null; // the event log the positions below belong to (docs/PROTOCOL.md)
    this.historyUpTo = Infinity; // events with seq ≤ this are history (until the snapshot says)
    this.backfilled = false;
    this.lastEvent = null;
    this.liveVersion = 0; // counts live question events: a reply older than one is stale
    this.reads = { contest: 0, teams: 0 }; // the newest read of each: older replies are dropped
    this.listeners = new Set();
    this.socket = null;
  }

  on(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(topic) {
    for (const listener of [...this.listeners]) listener(topic);
  }

  async load() {
    this.setContest(await call(`/contests/${this.id}`));
    const [teams, board] = await Promise.all([
      call(`/contests/${this.id}/teams`),
      call(`/contests/${this.id}/leaderboard`),
    ]);
    for (const team of teams) this.teams.set(team.id, { ...team, devices: 0 });
    this.board = board;
    await Promise.all([this.loadAllQuestions(), this.loadLive(), this.loadFocus()]);
    this.connect();
  }

  setContest(contest) {
    this.contest = contest;
    const freezeAt = contest.settings?.freeze_at;
    if (freezeAt && !this.frozen.frozen && Date.parse(freezeAt) <= Date.now()) {
      this.frozen = { frozen: true, frozen_at: freezeAt };
    }
    this.emit("contest");
  }

  // Reads that may overlap (several events each asking for one) keep the newest: a reply
  // that comes back after a later one's is older than what is shown.
  async refreshContest() {
    const read = ++this.reads.contest;
    const contest = await call(`/contests/${this.id}`);
    if (read === this.reads.contest) this.setContest(contest);
  }

  async refreshTeams() {
    const read = ++this.reads.teams;
    const teams = await call(`/contests/${this.id}/teams`);
    if (read !== this.reads.teams) return;
    for (const team of teams) this.teams.set(team.id, { devices: 0, ...this.teams.get(team.id), ...team });
    this.emit("teams");
  }

  async loadAllQuestions() {
    await Promise.all((this.contest.rounds || []).map((r) => this.loadQuestions(r.id)));
  }

  async loadQuestions(roundId) {
    this.questions.set(roundId, await call(`/rounds/${roundId}/questions`));
    this.emit("questions");
  }

  async loadLive() {
    const version = this.liveVersion;
    const pub = await api(`/public/${encodeURIComponent(this.contest.code)}`).catch(() => null);
    // An event about a live question since the read was asked is newer than the reply.
    if (pub && pub.live && version === this.liveVersion) this.live.set(pub.live.live.round, pub.live);
  }

  // A live question's state from an HTTP reply asked when `liveVersion` was `version`: kept
  // unless an event about a live question came meanwhile (the events are the newer word).
  setLiveFromReply(roundId, live, version) {
    if (version !== this.liveVersion) return false;
    const previous = this.live.get(roundId);
    const sameQuestion = previous && previous.live.id === live.id;
    this.live.set(roundId, { ...(sameQuestion ? previous : { question: null, answer: null }), live });
    this.emit("live");
    return true;
  }

  async loadFocus() {
    try {
      const data = await call(`/contests/${this.id}/focus`);
      this.focus = new Map();
      for (const row of data.teams || []) {
        this.focus.set(row.team, new Map(row.devices.map((d) => [d.device, { ...d }])));
      }
      this.focusAvailable = true;
    } catch (error) {
      this.focusAvailable = false; // not on this server: show nothing
    }
    this.emit("focus");
  }

  roundOf(questionId) {
    for (const [roundId, questions] of this.questions) {
      if (questions.some((q) => q.id === questionId)) return roundId;
    }
    return null;
  }

  question(questionId) {
    for (const questions of this.questions.values()) {
      const found = questions.find((q) => q.id === questionId);
      if (found) return found;
    }
    return null;
  }

  round(roundId) {
    return (this.contest.rounds || []).find((r) => r.id === roundId) || null;
  }

  teamName(id) {
    return this.teams.get(id)?.name ?? `Team ${id}`;
  }

  activeTeams() {
    return [...this.teams.values()].filter((t) => t.status === "active");
  }

  // --- the socket ---------------------------------------------------------------------

  connect() {
    this.socket = new ContestSocket({
      code: this.contest.code,
      token: session.token,
      onSnapshot: (msg) => this.snapshot(msg),
      onEvent: (msg) => this.event(msg),
      onState: (msg) => this.state(msg),
      onStatus: (status) => {
        this.status = status;
        this.emit("status");
      },
    });
    this.socket.connect();
  }

  stop() {
    this.socket?.stop();
    this.listeners.clear();
  }

  serverNow() {
    return this.socket ? this.socket.serverNow() : Date.now();
  }

  snapshot(msg) {
    const rebuilt = this.epoch !== null && msg.epoch !== this.epoch;
    this.epoch = msg.epoch;
    const data = msg.data || {};
    if (data.contest) this.setContest(data.contest);
    if (data.teams) {
      this.teams = new Map(data.teams.map((t) => [t.id, t]));
      this.emit("teams");
    }
    if (data.leaderboard) this.setBoard(data.leaderboard);
    if (data.announcements) {
      this.announcements = data.announcements;
      this.emit("announcements");
    }
    if (rebuilt) this.forgetLog();
    const head = msg.heads?.contest ?? 0;
    if (!this.backfilled) {
      this.backfilled = true;
      this.historyUpTo = head;
      if (head > 0 && head <= REPLAY_LIMIT) this.socket.replayFrom({ contest: 0 });
    } else {
      this.historyUpTo = Math.max(this.historyUpTo, head);
    }
  }

  // The contest's event log was rebuilt (a restored database): what the old one told is
  // forgotten, its numbers are reused by the new one. The snapshot being read says where
  // things stand; the new log is replayed like a first connection's.
  forgetLog() {
    this.history = new Map();
    this.feed = [];
    this.answered = new Map();
    this.pool = new Map();
    this.focusLog = [];
    this.regrades = new Map();
    this.reveal = null;
    this.live = new Map();
    this.liveVersion += 1;
    this.lastEvent = null;
    this.backfilled = false;
    this.historyUpTo = Infinity;
    for (const topic of ["history", "feed", "answered", "focus", "regrade", "freeze", "live"]) this.emit(topic);
    Promise.all([this.loadAllQuestions(), this.loadLive()])
      .then(() => this.emit("live"))
      .catch(() => {}); // the events of the new log bring the rest
  }

  state(msg) {
    if (msg.type === "leaderboard") this.setBoard(msg);
    else if (msg.type === "presence") {
      const team = this.teams.get(msg.team);
      if (team) {
        team.devices = msg.devices;
        this.emit("teams");
      }
    }
  }

  setBoard(board) {
    this.board = board;
    this.emit("board");
  }

  event(msg) {
    const live = msg.seq > this.historyUpTo;
    const record = { seq: msg.seq, type: msg.type, at: msg.at, data: msg.data || {} };
    if (this.history.has(msg.seq)) return;
    this.history.set(msg.seq, record);
    this.lastEvent = record;
    const handler = HANDLERS[msg.type];
    if (handler) handler(this, record.data, record, live);
    this.emit("history");
  }

  addFeed(record, roundId, team, text) {
    this.feed.unshift({ seq: record.seq, at: record.at, round: roundId, team, text });
    this.feed.sort((a, b) => b.seq - a.seq);
    if (this.feed.length > FEED_SIZE) this.feed.length = FEED_SIZE;
    this.emit("feed");
  }

  poolStats(roundId) {
    if (!this.pool.has(roundId)) {
      this.pool.set(roundId, { claims: 0, boxes: 0, claimed: new Set(), results: new Map() });
    }
    return this.pool.get(roundId);
  }

  setScore(teamId, score, live) {
    const team = this.teams.get(teamId);
    if (live && team && typeof score === "number") {
      team.score = score;
      this.emit("teams");
    }
  }
}
