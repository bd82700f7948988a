// The team app (/play/, /play/<CODE>): join, then play over the contest socket. The
// socket's snapshot and events (store.js) are the truth every device of a team shares;
// this device's own requests add their replies at once. Commands go over HTTP.

import { api, ApiError } from "../common/api.js";
import { ContestSocket } from "../common/socket.js";
import { el, replace, announce } from "../common/ui.js";
import { renderJoin } from "./join.js";
import { forgetTeam, normaliseCode, pendingAll, pendingDone, pendingKey, rememberTeam, teamFor } from "./session.js";
import { answersWithoutGiven, applyEvent, applyRounds, applySnapshot, applyState, emptyState, putAnswer } from "./store.js";
import { LiveStage } from "./live.js";
import { PoolStage, syncChildren } from "./pool.js";
import { TeamPanel, drawAnnouncements, drawBoard, drawStanding, rankText } from "./side.js";
import { watchFocus } from "./focus.js";

const root = document.getElementById("main");

// How long the newest announcement stays in the banner above the game.
const ANNOUNCEMENT_BANNER_MS = 120000;

// Where we are: /play/<CODE>, or /play/?code=…; a team link's #t=<token> is taken into
// storage and removed from the address at once (it never reaches the server).
function startingCode() {
  const fromPath = root.dataset.code || new URLSearchParams(location.search).get("code") || "";
  const code = normaliseCode(fromPath);
  const fragment = new URLSearchParams(location.hash.slice(1));
  const token = fragment.get("t");
  if (token && code.length === 8) rememberTeam(code, token);
  if (location.hash || location.search) history.replaceState(null, "", code.length === 8 ? `/play/${code}` : "/play/");
  return code.length === 8 ? code : "";
}

function showJoin(code, notice = null) {
  document.title = "Join · quizserver";
  renderJoin(root, { code, notice, onJoined: (joined) => startGame(joined) });
}

let game = null;
let focusWatched = false;

function startGame(code) {
  const saved = teamFor(code);
  if (!saved) return showJoin(code);
  if (location.pathname !== `/play/${code}`) history.replaceState(null, "", `/play/${code}`);
  if (game) game.stop();
  game = new Game(code, saved.token);
  game.start();
}

// Phrases for states that are not a question.
function waitingText(state) {
  const status = state.contest.status;
  if (status === "draft" || status === "lobby") return ["You're in!", "Waiting for the quizmaster to start the contest. Keep this page open."];
  if (status === "finished") return ["The contest is over", `Your team finished ${rankText(state.standing)} with ${state.score} points. Thanks for playing!`];
  if (status === "paused") return ["Paused", "The quizmaster paused the contest. It will go on soon."];
  return ["Get ready", "Waiting for the next question or round."];
}

class Game {
  constructor(code, token) {
    this.code = code;
    this.token = token;
    this.auth = { scheme: "Bearer", token };
    this.state = emptyState();
    this.stages = new Map(); // "live" or pool round id → stage component
    this.givenAsked = new Set(); // answer ids whose `given` is being read over HTTP
    this.connection = "connecting";
    this.context = {
      code,
      auth: this.auth,
      state: () => this.state,
      serverNow: () => this.socket.serverNow(),
      redraw: (now = false) => (now ? this.render() : this.schedule()),
      submitAnswer: (question, answer) => this.submitAnswer(question, answer),
      claimNext: (round) => this.claimNext(round),
      openMystery: (round, difficulty) => this.openMystery(round, difficulty),
      onRun: (run) => {
        const known = this.state.runs.get(run.question);
        if (!known || known.id < run.id || (known.id === run.id && known.status !== "done")) this.state.runs.set(run.question, run);
        this.schedule();
      },
    };
  }

  start() {
    this.layout();
    this.socket = new ContestSocket({
      code: this.code,
      token: this.token,
      onSnapshot: (msg) => this.onSnapshot(msg),
      onEvent: (msg) => this.onEvent(msg),
      onState: (msg) => {
        if (applyState(this.state, msg)) this.schedule();
      },
      onStatus: (status, detail) => this.onStatus(status, detail),
    });
    this.socket.connect();
    this.ticker = setInterval(() => this.tick(), 250);
    if (!focusWatched) {
      focusWatched = true;
      watchFocus({ playing: () => (game && game.state.contest && game.state.contest.status === "running" ? game.auth : null) });
    }
  }

  // Nothing of a stopped game runs on: no timer, no frame, no late reply draws anything.
  stop() {
    this.stopped = true;
    clearInterval(this.ticker);
    clearTimeout(this.toastTimer);
    clearTimeout(this.bannerTimer);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = null;
    if (this.socket) this.socket.stop();
  }

  layout() {
    this.titleNode = el("h1", { class: "contest-title" }, "Connecting…");
    this.teamLine = el("p", { class: "team-line" });
    this.connNode = el("p", { class: "connection" }); // changes are announced by onStatus
    this.scorePill = el("p", { class: "score-pill" });
    this.banners = el("div", { class: "banners" });
    this.stageNode = el("div", { class: "stage-area" });
    this.standingNode = el("section", { class: "panel standing", "aria-labelledby": "standing-title" });
    this.announcementsNode = el("section", { class: "panel", "aria-label": "Announcements", hidden: true });
    this.boardNode = el("section", { class: "panel board-panel", "aria-label": "Leaderboard" });
    this.teamPanel = new TeamPanel({ code: this.code, token: this.token, onLeave: () => this.leave() });
    this.toast = el("p", { class: "toast", hidden: true });
    this.toast.addEventListener("click", () => {
      this.toast.hidden = true;
    });
    replace(
      root,
      el(
        "header",
        { class: "play-header" },
        el("div", { class: "grow" }, this.titleNode, this.teamLine),
        el("div", { class: "header-side" }, this.scorePill, this.connNode),
      ),
      this.banners,
      this.toast,
      el(
        "div",
        { class: "play-layout" },
        el("div", { class: "play-main" }, this.stageNode),
        el("aside", { class: "play-side", "aria-label": "Score, announcements and team" }, this.standingNode, this.announcementsNode, this.boardNode, this.teamPanel.node),
      ),
    );
    this.drawConnection();
  }

  // --- The socket ---------------------------------------------------------------------

  onSnapshot(msg) {
    if (this.epoch !== undefined && msg.epoch !== this.epoch) this.forgetEpoch();
    this.epoch = msg.epoch;
    this.state = applySnapshot(this.state, msg.data, msg.seq);
    rememberTeam(this.code, this.token, { id: this.state.team.id, name: this.state.team.name }, this.state.contest.title);
    this.render();
    this.resendPending();
    this.fetchGiven();
    this.fetchRuns();
  }

  // The contest's log was rebuilt (a restored database): ids may name other things now, so
  // nothing this device drew or remembered from the old log is kept.
  forgetEpoch() {
    this.state = emptyState();
    this.stages = new Map();
    this.givenAsked = new Set();
    this.waiting = null;
  }

  onEvent(msg) {
    const note = applyEvent(this.state, msg);
    // The team's answer is in: one that this device still holds unconfirmed (its reply was
    // lost) is moot. A code question takes several answers, so its own reply must settle it.
    if (msg.type === "answer.recorded" && !this.isCode(msg.data.answer.question)) pendingDone(this.code, msg.data.answer.question);
    if (note) {
      if (note.text && note.quiet) announce(note.text);
      else if (note.text) this.notify(note.text, note.tone);
      if (note.refresh) this.refreshRounds();
    }
    if (msg.type === "answer.recorded" || msg.type === "answer.scored") this.fetchGiven();
    this.schedule();
  }

  // Sample runs still going when the socket dropped: their `run.done` may be lost with the
  // connection (a snapshot does not carry runs), so ask for each once.
  async fetchRuns() {
    for (const run of [...this.state.runs.values()]) {
      if (run.status === "done") continue;
      try {
        const body = await api(`/me/runs/${run.id}`, { auth: this.auth });
        const known = this.state.runs.get(run.question);
        if (known && known.id === body.run.id && known.status !== "done") {
          this.state.runs.set(run.question, body.run); // not a newer run of the same question
          this.schedule();
        }
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
      }
    }
  }

  // A teammate's long answer (a program, an essay) came without its text: read it.
  async fetchGiven() {
    for (const answer of answersWithoutGiven(this.state)) {
      if (this.givenAsked.has(answer.id)) continue;
      this.givenAsked.add(answer.id);
      try {
        putAnswer(this.state, await api(`/me/answers/${answer.id}`, { auth: this.auth }));
        this.schedule();
      } catch (error) {
        this.givenAsked.delete(answer.id); // asked again with the next answer event or snapshot
        if (!(error instanceof ApiError)) throw error;
      }
    }
  }

  onStatus(status, detail) {
    const was = this.connection;
    this.connection = status;
    this.drawConnection();
    if (status === "rejected") {
      forgetTeam(this.code);
      this.stop();
      const notice =
        detail === 4404
          ? "No contest has this code any more. Check the code on the screen."
          : "This device's team is no longer in this contest (or the team link was wrong). Join again.";
      showJoin(detail === 4404 ? "" : this.code, notice);
      return;
    }
    if (status === "live" && was === "offline") {
      announce("Connected again.");
      this.resendPending();
    }
    if (status === "offline" && was === "live") announce("Connection lost. Reconnecting…");
    this.schedule();
  }

  drawConnection() {
    const words = { connecting: "Connecting…", live: "Live", offline: "Reconnecting…", rejected: "Disconnected" };
    const dot = this.connection === "live" ? "live" : this.connection === "connecting" ? "" : "offline";
    replace(this.connNode, el("span", { class: `status-dot ${dot}`, "aria-hidden": "true" }), words[this.connection] || this.connection);
  }

  // Mystery boxes of a new round, and what is left of them, are not in the events.
  async refreshRounds() {
    const state = this.state;
    const boxesSeq = state.boxesSeq;
    try {
      const me = await api("/me", { auth: this.auth });
      if (this.state !== state) return; // a snapshot came meanwhile: it holds the rounds
      applyRounds(state, me.rounds, { keepRemaining: state.boxesSeq !== boxesSeq });
      this.schedule();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
    }
  }

  // --- Commands (HTTP) ----------------------------------------------------------------

  // Sends one answer; the key stays with it until the server replies, so a retry after a
  // network error is the same request and counts once.
  async submitAnswer(question, answer) {
    const body = { question, answer };
    const key = pendingKey(this.code, question, body);
    const scoreSeq = this.state.scoreSeq;
    try {
      const result = await api("/me/answers", { method: "POST", auth: this.auth, body, idempotencyKey: key });
      pendingDone(this.code, question);
      this.takeAnswer(result, scoreSeq);
      return result;
    } catch (error) {
      if (error instanceof ApiError && error.status !== 0 && error.status < 500) pendingDone(this.code, question);
      throw error;
    }
  }

  takeAnswer(result, scoreSeq) {
    putAnswer(this.state, result.answer);
    if (this.state.scoreSeq === scoreSeq) this.state.score = result.score; // no newer score from the socket
    if (result.answer.status === "scored") {
      const { correct, points } = result.answer;
      announce(correct === true ? `Correct! ${points} points.` : correct === false ? `Wrong answer. ${points} points.` : `Scored: ${points} points.`);
    } else {
      announce("Answer locked in.");
    }
    this.schedule();
  }

  // Answers sent without a reply before a reload or a drop: send them again, same key. One
  // pass at a time (a reconnect asks twice: once connected, once with the snapshot); a
  // pass asked for meanwhile runs after it.
  async resendPending() {
    if (this.resending) {
      this.resendAgain = true;
      return;
    }
    this.resending = true;
    try {
      do {
        this.resendAgain = false;
        await this.resendPendingOnce();
      } while (this.resendAgain && !this.stopped);
    } finally {
      this.resending = false;
    }
  }

  async resendPendingOnce() {
    for (const item of pendingAll(this.code)) {
      if (this.stopped) return;
      if (this.state.answers.has(item.question) && this.state.answers.get(item.question).length && !this.isCode(item.question)) {
        pendingDone(this.code, item.question); // the team's answer is in: the reply was lost, not the answer
        continue;
      }
      try {
        await this.submitAnswer(item.body.question, item.body.answer);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.status !== 0 && error.status < 500) this.notify(`An answer sent before the connection dropped was refused: ${error.message}`, "bad");
      }
    }
  }

  isCode(questionId) {
    for (const claim of this.state.claims.values()) if (claim.question.id === questionId) return claim.question.type === "code";
    const live = this.state.contest && this.state.contest.live;
    return Boolean(live && live.question.id === questionId && live.question.type === "code");
  }

  async claimNext(round) {
    const body = await api("/me/claims", { method: "POST", auth: this.auth, body: { round } });
    this.state.claims.set(body.claim.id, body.claim);
    return body;
  }

  async openMystery(round, difficulty) {
    const scoreSeq = this.state.scoreSeq;
    try {
      const body = await api("/me/mystery", { method: "POST", auth: this.auth, body: { round, difficulty } });
      // What is left of the boxes comes to every team in `mystery.remaining`.
      if (!this.state.claims.has(body.claim.id)) this.state.claims.set(body.claim.id, body.claim);
      if (this.state.scoreSeq === scoreSeq) this.state.score = body.score;
      return body;
    } catch (error) {
      if (error instanceof ApiError && error.code === "no_mystery_left") {
        const box = this.boxOf(round, difficulty);
        if (box) box.remaining = 0;
      }
      throw error;
    }
  }

  boxOf(roundId, difficulty) {
    const round = this.state.rounds.find((r) => r.id === roundId);
    return round ? round.mystery_boxes.find((b) => b.difficulty === difficulty) : null;
  }

  leave() {
    forgetTeam(this.code);
    this.stop();
    game = null;
    showJoin(this.code, "This device left the team. Join again, or use a team link from a teammate's device.");
  }

  // --- Drawing ------------------------------------------------------------------------

  notify(text, tone = "") {
    announce(text);
    this.toast.textContent = text;
    this.toast.className = `toast ${tone}`;
    this.toast.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => {
      this.toast.hidden = true;
    }, 6000);
  }

  schedule() {
    if (this.frame || this.stopped) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  tick() {
    const live = this.stages.get("live");
    if (live && live.node.isConnected) live.tick();
  }

  render() {
    const state = this.state;
    if (!state.contest || this.stopped) return;
    document.title = `${state.team.name} · ${state.contest.title}`;
    this.titleNode.textContent = state.contest.title;
    this.teamLine.textContent = `Playing as ${state.team.name}`;
    this.scorePill.textContent = `${state.score} pts · ${rankText(state.standing)}`;
    this.drawBanners();
    this.drawStage();
    drawStanding(this.standingNode, state);
    drawAnnouncements(this.announcementsNode, state);
    drawBoard(this.boardNode, state);
    this.teamPanel.update(state);
  }

  drawBanners() {
    const state = this.state;
    const items = [];
    if (this.connection === "offline") items.push(["error", "Connection lost — reconnecting by itself. Answers already confirmed are safe."]);
    if (state.team.status === "disqualified") items.push(["error", "Your team was disqualified: it can no longer answer."]);
    if (state.contest.status === "paused") items.push(["notice", "The contest is paused."]);
    const latest = state.announcements[state.announcements.length - 1];
    const shownFor = latest ? ANNOUNCEMENT_BANNER_MS - (this.socket.serverNow() - Date.parse(latest.at)) : 0;
    if (shownFor > 0) items.push(["notice announcement-banner", `Announcement: ${latest.text}`]);
    // Its time is up with no push to redraw the page: a redraw of its own takes it away.
    clearTimeout(this.bannerTimer);
    if (shownFor > 0) this.bannerTimer = setTimeout(() => this.schedule(), shownFor + 50);
    const signature = JSON.stringify(items);
    if (signature === this.bannerSignature) return;
    this.bannerSignature = signature;
    replace(this.banners, items.map(([cls, text]) => el("p", { class: cls }, text)));
  }

  // What the stage shows: the live question if one is in play, each active pool round,
  // or a waiting message.
  drawStage() {
    const state = this.state;
    const nodes = [];
    const live = state.contest.live;
    const liveRound = live && state.contest.rounds.find((r) => r.id === live.live.round);
    if (live && state.contest.status !== "finished" && (!liveRound || liveRound.status === "active")) {
      let stage = this.stages.get("live");
      if (!stage) {
        stage = new LiveStage(this.context);
        this.stages.set("live", stage);
      }
      stage.update(state);
      nodes.push(stage.node);
    }
    if (state.contest.status === "running" || state.contest.status === "paused") {
      for (const round of state.rounds) {
        if (round.kind !== "pool" || round.status !== "active") continue;
        let stage = this.stages.get(round.id);
        if (!stage) {
          stage = new PoolStage(round, this.context);
          this.stages.set(round.id, stage);
        }
        stage.update(round, state);
        nodes.push(stage.node);
      }
    }
    if (!nodes.length) nodes.push(this.waitingNode(state));
    syncChildren(this.stageNode, nodes);
  }

  waitingNode(state) {
    const [title, text] = waitingText(state);
    const signature = `${title}|${text}|${state.contest.teams}`;
    if (this.waiting && this.waiting.dataset.signature === signature) return this.waiting;
    this.waiting = el(
      "section",
      { class: "panel stage waiting", "aria-labelledby": "waiting-title", dataset: { signature } },
      el("h2", { id: "waiting-title" }, title),
      el("p", {}, text),
      state.contest.status === "lobby" || state.contest.status === "draft"
        ? el("p", { class: "muted" }, `${state.contest.teams} team${state.contest.teams === 1 ? "" : "s"} joined so far. Teammates can join this team from “Add another device”.`)
        : null,
    );
    return this.waiting;
  }
}

const code = startingCode();
if (code && teamFor(code)) startGame(code);
else showJoin(code);
