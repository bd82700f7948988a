// The projector screen, /screen/<code>: what the audience sees, from the contest socket
// as the audience (public data only, and the frozen board during a freeze). Lobby with the
// join code and QR code; while running, the leaderboard and the live question; the reveal
// after a freeze; the podium at the end. Everything fits the screen without scrolling.

import { api } from "../common/api.js";
import { ContestSocket } from "../common/socket.js";
import { announce, displayCode, el, replace } from "../common/ui.js";
import { BoardView } from "./board.js";
import { QuestionView } from "./question.js";
import { STEP_MS, frozenFromTrue, revealPlay, stepCaption } from "./reveal.js";
import { Announcements } from "./announcements.js";
import { LobbyView, joinLink, podium, problem, qrImage } from "./views.js";

const RECENT_ANNOUNCEMENT_MS = 60000;
const FINAL_BOARD_MS = 4000;
// A board longer than the screen turns a page this often (quiz nights read it aloud).
const PAGE_MS = 10000;
const REST_RETRY_MS = 3000;

const main = document.getElementById("main");
const head = document.getElementById("screen-head");
const aside = document.getElementById("announcement");
const code = main.dataset.code;

const state = {
  contest: null,
  live: null, // the live question: { live, question, answer }
  board: { seq: -1, frozen_at: null, total: 0, teams: [] },
  frozen: false,
  names: [], // teams in the room, newest first (the lobby)
  newest: null,
  reveal: null, // { stop, caption } while a reveal plays
  pendingBoard: null, // the newest board that arrived during a reveal
  finalBoardUntil: 0, // after a reveal: keep the board (not the podium) up until then
  connection: "connecting",
  rest: { generation: 0, loading: false, triedAt: 0, paused: false }, // the places below the pushed top
};

// --- The page's parts, built once: the board's rows persist so that they can move ---------

const title = el("h1", { class: "screen-title" }, "Connecting…");
const subtitle = el("p", { class: "screen-subtitle" });
const joinHint = el("p", { class: "join-hint" });
const connection = el("p", { class: "connection" }, el("span", { class: "status-dot" }), el("span", { class: "connection-text" }, "Connecting…"));
const fullscreen = el("button", { type: "button", class: "secondary fullscreen", onclick: toggleFullscreen }, "Full screen");
replace(
  head,
  el("div", { class: "head-title" }, title, subtitle),
  el("div", { class: "head-side" }, joinHint, connection, document.fullscreenEnabled ? fullscreen : null),
);

const banner = el("div", { class: "banner", hidden: true }); // read out through announce()
const boardList = el("ol", { class: "board", "aria-labelledby": "board-heading" });
const boardMore = el("p", { class: "board-more muted" });
// Off the screen until focused (keyboard and screen-reader users): pages that turn by
// themselves can be stopped, and nothing clutters the projector.
const pagesButton = el("button", { type: "button", class: "secondary pages-toggle", "aria-pressed": "false", onclick: togglePages }, "Stop turning pages");
const boardFoot = el("div", { class: "board-foot" }, boardMore, pagesButton);
const boardHeading = el("h2", { id: "board-heading", class: "board-heading" }, "Leaderboard");
const boardPanel = el("section", { class: "board-panel", "aria-labelledby": "board-heading" }, boardHeading, boardList, boardFoot);
const questionPanel = el("section", { class: "question-panel", "aria-labelledby": "question-heading" });
const podiumPanel = el("section", { class: "podium", "aria-labelledby": "podium-heading", hidden: true });
const lobbyPanel = el("section", { class: "lobby", "aria-labelledby": "lobby-heading", hidden: true });
const stage = el("div", { class: "stage" }, boardPanel, questionPanel, podiumPanel);
const waiting = el("p", { class: "waiting" }, "Connecting to the quiz…");
replace(main, waiting, banner, lobbyPanel, stage);
stage.hidden = true;

const board = new BoardView({ list: boardList, more: boardMore });
const question = new QuestionView({ section: questionPanel, now: () => socket.serverNow() });
const lobby = new LobbyView({ section: lobbyPanel, code });
const announcements = new Announcements(aside);

const socket = new ContestSocket({ code, token: null, audience: true, onSnapshot, onEvent, onState, onStatus });
socket.connect();

const resized = new ResizeObserver(() => {
  board.fit();
  if (!questionPanel.hidden) question.fit();
  if (!lobbyPanel.hidden) lobby.fitNames();
});
for (const node of [main, boardList, questionPanel, lobbyPanel]) resized.observe(node);

// --- Socket -------------------------------------------------------------------------------

function onSnapshot(msg) {
  const { contest, leaderboard, announcements: recent } = msg.data;
  state.contest = contest;
  state.live = contest.live || null;
  if (!state.reveal) state.board.seq = -1; // a snapshot starts over (it may be of a new epoch)
  boardReceived({ seq: msg.seq, ...leaderboard });
  state.names = leaderboard.teams.map((team) => team.name);
  if (contest.status === "lobby" || contest.status === "draft") loadNames();
  // The newest, if recent: also after a reconnect that missed it (each is shown once).
  const newest = recent[recent.length - 1];
  if (newest && socket.serverNow() - Date.parse(newest.at) < RECENT_ANNOUNCEMENT_MS) announcements.show(newest.text, `${msg.epoch}:${newest.seq}`);
  render();
  restLoad();
}

function onState(msg) {
  if (msg.type === "leaderboard") {
    boardReceived(msg);
    render();
    if (board.rest.length === 0) restLoad({ soon: true }); // a board that just grew past the screen
  }
}

function onEvent(msg) {
  const data = msg.data;
  const contest = state.contest;
  if (!contest) return;
  switch (msg.type) {
    case "contest.status":
      contest.status = data.status;
      announce(statusSentence(data.status));
      if (data.status === "lobby" || data.status === "draft") loadNames();
      break;
    case "contest.updated":
      contest.title = data.title;
      break;
    case "round.created":
      contest.rounds.push({ id: data.round, position: data.position, kind: data.kind, title: data.title, status: "pending" });
      break;
    case "round.status":
      roundStatus(data.round, data.status);
      break;
    case "team.joined":
      contest.teams += 1;
      state.names = [data.team.name, ...state.names.filter((name) => name !== data.team.name)];
      state.newest = data.team.name;
      if (contest.status === "lobby") announce(`${data.team.name} joined.`);
      break;
    case "team.disqualified":
      contest.teams = Math.max(0, contest.teams - 1);
      state.names = state.names.filter((name) => name !== data.team.name);
      board.setRest(board.rest.filter((team) => team.id !== data.team.id));
      break;
    case "announcement":
      announcements.show(data.text, `${msg.epoch}:${msg.seq}`);
      break;
    case "question.opened":
      state.live = { live: data.live, question: data.question, answer: null };
      currentRound(data.live.round);
      announce(`Question ${data.live.position}: ${data.question.prompt}`);
      break;
    case "question.status":
      if (state.live && state.live.live.id === data.live.id) state.live = { ...state.live, live: data.live };
      announce(questionSentence(data.action));
      break;
    case "question.revealed":
      state.live = { live: data.live, question: data.question, answer: data.answer };
      announce("The answer is on the screen.");
      break;
    case "contest.frozen":
      state.frozen = true;
      state.board = { ...state.board, frozen_at: data.frozen_at };
      restForget(); // read before the freeze: the frozen board replaces it
      restLoad();
      announce("The leaderboard is frozen until the reveal.");
      break;
    case "contest.unfrozen":
      revealStart(data.steps);
      break;
    default:
      return; // not for the audience's screen
  }
  render();
}

function onStatus(status, detail) {
  state.connection = status;
  if (status === "rejected") {
    head.hidden = true;
    aside.hidden = true;
    const shown = displayCode(code);
    if (detail === 4404) {
      document.title = "Unknown quiz · quizserver";
      problem(
        main,
        "No quiz with this code",
        `No contest has the code “${shown}”. Check the address: it ends with the join code the quizmaster's console shows.`,
      );
    } else {
      problem(main, "This screen cannot connect", "The server refused this screen. Reload the page to try again.");
    }
    return;
  }
  const text = { connecting: "Connecting…", live: "Live", offline: "Reconnecting…" }[status] || status;
  connection.querySelector(".connection-text").textContent = text;
  connection.querySelector(".status-dot").className = `status-dot ${status === "live" ? "live" : status === "offline" ? "offline" : ""}`;
  connection.classList.toggle("offline", status === "offline");
}

// --- State changes ------------------------------------------------------------------------

function boardReceived(next) {
  if (next.seq < state.board.seq) return;
  const incoming = { seq: next.seq, frozen_at: next.frozen_at, total: next.total, teams: next.teams };
  if (state.reveal) {
    if (!state.pendingBoard || incoming.seq >= state.pendingBoard.seq) state.pendingBoard = incoming;
    return;
  }
  state.board = incoming;
  if (incoming.frozen_at) state.frozen = true;
  else if (incoming.seq >= 0) state.frozen = false;
  board.show(incoming.teams, incoming.total);
}

function roundStatus(roundId, status) {
  const contest = state.contest;
  const round = contest.rounds.find((r) => r.id === roundId);
  if (round) round.status = status;
  if (status === "active") {
    contest.current_round = round || null;
    if (!state.live || state.live.live.round !== roundId) state.live = null;
  } else if (contest.current_round && contest.current_round.id === roundId) {
    contest.current_round = null;
    state.live = null;
  }
}

function currentRound(roundId) {
  const round = state.contest.rounds.find((r) => r.id === roundId);
  if (round) {
    round.status = "active";
    state.contest.current_round = round;
  }
}

// Team names for the lobby: the snapshot's board holds only its top, the public board all.
async function loadNames() {
  try {
    const full = await api(`/public/${encodeURIComponent(code)}/leaderboard`);
    const known = new Set(state.names);
    const more = full.teams.map((team) => team.name).filter((name) => !known.has(name));
    state.names = [...state.names, ...more];
    render();
  } catch (error) {
    // The top of the board is enough to go on with.
  }
}

// --- The reveal ---------------------------------------------------------------------------

async function revealStart(steps) {
  state.frozen = false;
  if (state.reveal) state.reveal.stop();
  restForget();
  if (!steps.length) return;
  const reveal = { stop: () => {}, caption: null, index: 0, count: steps.length };
  state.reveal = reveal;
  announce("The reveal: the hidden points, from the bottom of the board up.");
  const known = state.board.teams.map(({ id, name, score }) => ({ id, name, score }));
  let start = known;
  try {
    const full = await api(`/public/${encodeURIComponent(code)}/leaderboard`);
    const rebuilt = frozenFromTrue(full.teams, steps);
    const same = rebuilt && known.every((team, i) => rebuilt[i] && rebuilt[i].id === team.id && rebuilt[i].score === team.score);
    if (same) start = rebuilt;
  } catch (error) {
    // Play the steps on the top of the board this screen has.
  }
  if (state.reveal !== reveal) return; // a newer reveal took over meanwhile
  board.setPaging(false); // the reveal plays on the top rows; nothing below it shows meanwhile
  render();
  reveal.stop = revealPlay({
    start,
    steps,
    visibleRows: () => board.capacity,
    show: (rows, step) => board.show(rows, Math.max(state.board.total, rows.length), { highlight: step.team }),
    caption: (step, index, count) => {
      reveal.caption = stepCaption(step);
      reveal.index = index;
      reveal.count = count;
      announce(`${step.name}: ${reveal.caption.detail}.`);
      renderBanner();
    },
    done: () => setTimeout(revealEnd, STEP_MS),
  });
}

function revealEnd() {
  state.reveal = null;
  board.setHighlight(null);
  const pending = state.pendingBoard;
  state.pendingBoard = null;
  if (pending) boardReceived(pending);
  state.finalBoardUntil = Date.now() + FINAL_BOARD_MS;
  setTimeout(render, FINAL_BOARD_MS + 50);
  announce("The reveal is over: these are the true standings.");
  render();
  restLoad();
}

// --- The places below the pushed top, page by page -----------------------------------------

// Pages turn while the board shows, outside a reveal, on a screen that does not scroll.
function pagingAllowed() {
  return state.contest !== null && !state.reveal && view() !== "lobby";
}

// Read the whole public board (frozen during a freeze, as the pushes are). A read that a
// freeze, a reveal or a newer read overtook is dropped: the screen never shows standings
// that are newer than the board it was pushed.
async function restLoad({ soon = false } = {}) {
  const rest = state.rest;
  if (rest.loading || !pagingAllowed() || !board.wantsRest()) return;
  if (soon && Date.now() - rest.triedAt < REST_RETRY_MS) return;
  const generation = rest.generation;
  rest.loading = true;
  rest.triedAt = Date.now();
  let full = null;
  try {
    full = await api(`/public/${encodeURIComponent(code)}/leaderboard`);
  } catch (error) {
    // The pushed top is enough to go on with; the next page turn tries again.
  } finally {
    rest.loading = false;
  }
  if (!full || generation !== rest.generation || !pagingAllowed()) return;
  if (instant(full.frozen_at) !== instant(state.board.frozen_at)) return;
  board.setRest(full.teams);
}

function instant(iso) {
  return iso ? Date.parse(iso) : null;
}

function restForget() {
  state.rest.generation += 1;
  board.setRest([]);
}

async function pageTurn() {
  if (!pagingAllowed()) return;
  await restLoad();
  if (!state.rest.paused && pagingAllowed()) board.turnPage();
  renderPagesButton();
}

function togglePages() {
  state.rest.paused = !state.rest.paused;
  renderPagesButton();
  announce(state.rest.paused ? "The leaderboard stays on this page." : "The leaderboard turns its pages again.");
}

function renderPagesButton() {
  pagesButton.hidden = board.pageCount() < 2;
  pagesButton.textContent = state.rest.paused ? "Turn pages again" : "Stop turning pages";
  pagesButton.setAttribute("aria-pressed", String(state.rest.paused));
}

setInterval(pageTurn, PAGE_MS);

// --- Drawing ------------------------------------------------------------------------------

function view() {
  const status = state.contest.status;
  if (status === "draft" || status === "lobby") return "lobby";
  if (status === "finished" && !state.reveal && !state.frozen && Date.now() >= state.finalBoardUntil) return "finished";
  return "running";
}

function render() {
  const contest = state.contest;
  if (!contest) return;
  const current = view();
  document.title = `${contest.title} · quizserver`;
  main.dataset.view = current;
  main.dataset.status = contest.status;
  waiting.hidden = true;
  title.textContent = contest.title;
  subtitle.textContent = subtitleText();
  joinHint.hidden = current === "lobby" || contest.status === "finished";
  replace(joinHint, "Join: ", el("strong", {}, joinLink(contest.code)));
  lobbyPanel.hidden = current !== "lobby";
  stage.hidden = current === "lobby";
  podiumPanel.hidden = current !== "finished";
  questionPanel.hidden = current !== "running";
  boardPanel.classList.toggle("frozen", state.frozen && !state.reveal);
  boardHeading.textContent = current === "finished" ? "Final standings" : "Leaderboard";
  renderBanner();
  if (current === "lobby") lobby.update(contest, state.names, state.newest);
  if (current === "finished") renderPodium();
  if (current === "running") renderQuestion();
  board.setPaging(pagingAllowed());
  board.fit();
  renderPagesButton();
}

function renderPodium() {
  const top = state.board.teams.slice(0, 3);
  const key = JSON.stringify([state.contest.title, top]);
  if (key === renderPodium.key) return; // redrawn only when it changes: it rises each time
  renderPodium.key = key;
  podium(podiumPanel, top, state.contest.title);
}

function renderQuestion() {
  const contest = state.contest;
  const round = contest.current_round;
  const live = state.live && round && state.live.live.round === round.id ? state.live : null;
  const key = JSON.stringify([live && live.live, live && Boolean(live.answer), round && round.id, contest.status]);
  stage.classList.toggle("has-question", Boolean(live));
  if (key === renderQuestion.key) return;
  renderQuestion.key = key;
  const idleJoin = contest.status !== "finished" ? { join: joinLink(contest.code), qr: qrImage(contest.code, { small: true }) } : {};
  const next = contest.rounds.find((r) => r.status === "pending") || null;
  const played = contest.rounds.some((r) => r.status === "closed");
  question.set(live, round, { status: contest.status, next, played, ...idleJoin });
}

function renderBanner() {
  const reveal = state.reveal;
  let content = null;
  let kind = "";
  if (reveal) {
    kind = "reveal";
    content = reveal.caption
      ? [
          el("span", { class: "banner-label" }, `Reveal ${reveal.index} of ${reveal.count}`),
          el("strong", { class: "banner-name" }, reveal.caption.name),
          el("span", { class: "banner-detail" }, reveal.caption.detail),
        ]
      : [el("span", { class: "banner-label" }, "The reveal"), el("strong", {}, "The hidden points, from the bottom of the board up")];
  } else if (state.frozen) {
    kind = "frozen";
    content = [el("span", { class: "banner-icon", "aria-hidden": "true" }, "❄"), el("strong", {}, "Leaderboard frozen"), el("span", {}, "The final points are revealed at the end.")];
  } else if (state.contest.status === "paused") {
    kind = "paused";
    content = [el("strong", {}, "Paused"), el("span", {}, "The quiz goes on in a moment.")];
  } else if (Date.now() < state.finalBoardUntil) {
    kind = "reveal";
    content = [el("strong", {}, "The true standings")];
  }
  banner.hidden = content === null;
  banner.className = `banner ${kind}`;
  if (content) replace(banner, content);
  else replace(banner);
}

function subtitleText() {
  const contest = state.contest;
  const teams = `${contest.teams} team${contest.teams === 1 ? "" : "s"}`;
  if (contest.status === "draft") return "Opens soon";
  if (contest.status === "lobby") return `Waiting to start · ${teams}`;
  if (contest.status === "finished") return `Finished · ${teams}`;
  const round = contest.current_round;
  const place = round ? `Round ${round.position} of ${contest.rounds.length} · ${round.title}` : "Between rounds";
  return `${contest.status === "paused" ? "Paused · " : ""}${place} · ${teams}`;
}

function statusSentence(status) {
  return {
    draft: "The quiz is not open yet.",
    lobby: "The quiz is open: join now.",
    running: "The quiz is running.",
    paused: "The quiz is paused.",
    finished: "The quiz is over.",
  }[status];
}

function questionSentence(action) {
  return {
    pause: "The question is paused.",
    resume: "The question goes on.",
    extend: "More time for this question.",
    close: "Time is up.",
    skip: "The question was skipped.",
  }[action];
}

function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => {});
}

document.addEventListener("fullscreenchange", () => {
  fullscreen.hidden = Boolean(document.fullscreenElement);
});
