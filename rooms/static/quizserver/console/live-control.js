// The control of a live round: the question in play (with its answer, for the quizmaster's
// eyes only), the countdown on the server's clock, how many teams answered, and the
// actions: next, close, reveal, skip, pause, resume, extend; once the question is closed,
// a regrade of its answers (a wrong accepted answer is often found at the reveal).
//
// The countdown is the question's `deadline`: what the teams without extra time see. Teams
// with extra time answer until at most `closes_at`, shown on a line of its own.

import { el, replace, announce, seconds } from "../common/ui.js";
import { call } from "./session.js";
import { busy, flash, uid } from "./forms.js";
import { answerSummary } from "./question-form.js";
import { regradeDialog, canRegrade } from "./regrade.js";

const RUNNING = ["open", "paused"];
const DONE = ["closed", "revealed", "skipped"];
const STATUS_TEXT = {
  open: "Open: teams are answering",
  paused: "Paused",
  closed: "Closed: reveal the answer when you are ready",
  revealed: "Answer revealed",
  skipped: "Skipped",
};
// After an action, the button a quizmaster most likely wants next.
const NEXT_FOCUS = { next: "close", close: "reveal", reveal: "next", skip: "next", pause: "resume", resume: "close", extend: "close" };
const REGRADABLE = ["closed", "revealed"];

// Always minutes and seconds (0:45), for a time read in a sentence.
function minutesSeconds(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function questionView(state, current) {
  const q = state.question(current.live.question) || current.question;
  if (!q) return el("p", { class: "muted" }, "Loading the question…");
  const count = (state.questions.get(current.live.round) || []).length;
  const head = el("p", { class: "muted" }, `Question ${current.live.position}${count ? ` of ${count}` : ""} · ${q.type} · ${q.points} points`);
  let answer;
  if (q.type === "choice" && Array.isArray(q.answer)) {
    answer = el(
      "ol",
      { class: "choices", type: "A" },
      q.choices.map((choice, i) => el("li", { class: q.answer.includes(i) ? "correct" : "" }, choice, q.answer.includes(i) ? el("strong", { class: "good" }, " ✓ correct") : null)),
    );
  } else if (q.answer !== undefined || q.type === "essay" || q.tests) {
    answer = el("p", {}, el("span", { class: "muted" }, "Answer: "), answerSummary(q));
  }
  return el("div", {}, head, el("p", { class: "live-prompt" }, q.prompt), answer);
}

export function liveControl(state, round) {
  const message = el("div", { class: "live-message", role: "status" });
  const question = el("div", { class: "live-question" });
  const statusLine = el("p", { class: "live-status" });
  const clock = el("p", { class: "countdown live-clock", role: "timer", "aria-live": "off" });
  const extraLine = el("p", { class: "live-extra", hidden: true });
  const regrade = el("button", { type: "button", class: "secondary small-button", "data-focus-key": `live-regrade-${round.id}` }, "Regrade this question…");
  const regradeRow = el("div", { class: "live-question-actions", hidden: true }, regrade);
  regrade.addEventListener("click", () => {
    const live = state.live.get(round.id)?.live;
    const question = live && (state.question(live.question) || state.live.get(round.id)?.question);
    if (question) regradeDialog(state, { question });
  });
  const answeredText = el("p", { class: "answered" });
  const progress = el("progress", { max: 1, value: 0, "aria-label": "Teams that answered" });
  const upNext = el("p", { class: "up-next muted" });
  const secondsId = uid("extend");
  const extendBy = el("input", { id: secondsId, type: "number", min: 1, max: 3600, value: 15, class: "extend-seconds" });

  const buttons = {};
  const make = (action, label, cls = "") => {
    const button = el("button", { type: "button", class: cls, "data-live": action }, label);
    button.addEventListener("click", () => act(action));
    buttons[action] = button;
    return button;
  };
  const act = async (action) => {
    const button = buttons[action];
    const body = action === "extend" ? { seconds: Number(extendBy.value || 0) } : undefined;
    await busy(button, async () => {
      try {
        const version = state.liveVersion;
        const result = await call(`/rounds/${round.id}/${action}`, { method: "POST", body });
        // The reply is the question as this action left it; an event that came meanwhile
        // (this action's own, or a later one: the timer's close) is at least as new.
        state.setLiveFromReply(round.id, result.live, version);
        flash(message, `Done: ${action}${action === "extend" ? ` +${body.seconds} s` : ""}.`);
      } catch (error) {
        flash(message, error.message, "bad");
      }
    });
    update();
    const next = buttons[NEXT_FOCUS[action]];
    if (next && !next.disabled) next.focus();
    else if (!button.disabled) button.focus();
  };

  const node = el(
    "section",
    { class: "panel live-control", "data-round": round.id, "aria-labelledby": `live-h-${round.id}` },
    el("h3", { id: `live-h-${round.id}` }, `Live round: ${round.title}`),
    question,
    regradeRow,
    el("div", { class: "live-clock-row" }, clock, el("div", { class: "grow" }, statusLine, extraLine, answeredText, progress)),
    el(
      "div",
      { class: "row live-actions" },
      make("next", "Open next question"),
      make("close", "Close question"),
      make("reveal", "Reveal answer"),
      make("skip", "Skip question", "secondary"),
      make("pause", "Pause question", "secondary"),
      make("resume", "Resume question"),
    ),
    el(
      "div",
      { class: "row extend-row" },
      el("label", { for: secondsId }, "Extend by (seconds)"),
      extendBy,
      make("extend", "Extend", "secondary"),
    ),
    upNext,
    message,
  );

  // The extra time of the question in play, known while it runs (closes_at - deadline),
  // remembered through a pause (when both are null).
  let extra = { id: null, ms: 0 };
  const setText = (node, text) => {
    if (node.textContent !== text) node.textContent = text;
  };
  const showExtra = (text) => {
    extraLine.hidden = !text;
    setText(extraLine, text || "");
  };
  const extraTeams = () => {
    const n = state.activeTeams().filter((t) => t.extra_time_s > 0).length;
    return n ? ` for ${plural(n, "team")}` : "";
  };
  const tick = () => {
    const live = state.live.get(round.id)?.live;
    if (!live) {
      setText(clock, "–");
      clock.setAttribute("aria-label", "No question in play");
      return showExtra(null);
    }
    if (live.status === "open" && live.deadline) {
      const now = state.serverNow();
      const deadline = Date.parse(live.deadline);
      const closes = live.closes_at ? Date.parse(live.closes_at) : deadline;
      extra = { id: live.id, ms: Math.max(0, closes - deadline) };
      setText(clock, seconds(deadline - now));
      clock.setAttribute("aria-label", deadline > now ? `${clock.textContent} left` : "Time is up for teams without extra time");
      showExtra(closes > deadline && closes > now ? `+ extra time${extraTeams()}: ${minutesSeconds(closes - now)} left` : null);
    } else if (live.status === "paused") {
      setText(clock, seconds(live.remaining_ms ?? 0));
      clock.setAttribute("aria-label", `Paused with ${clock.textContent} left`);
      const more = extra.id === live.id ? extra.ms : 0;
      showExtra(more ? `+ ${minutesSeconds(more)} of extra time${extraTeams()} after that` : null);
    } else {
      setText(clock, "0");
      clock.setAttribute("aria-label", "No time left");
      showExtra(null);
    }
  };
  const timer = setInterval(tick, 250);

  let lastKey = null;
  let shownQuestion = null; // what the question's view shows: redrawn only when it changes
  const drawQuestion = (current) => {
    const live = current?.live;
    const q = live ? state.question(live.question) || current.question : null;
    const shown = JSON.stringify(live ? [live.id, live.position, (state.questions.get(round.id) || []).length, q] : null);
    if (shown === shownQuestion) return;
    shownQuestion = shown;
    if (!live) replace(question, el("p", {}, "No question opened yet in this round."));
    else replace(question, questionView(state, current));
  };
  const update = () => {
    const current = state.live.get(round.id);
    const live = current?.live;
    const questions = [...(state.questions.get(round.id) || [])].sort((a, b) => a.position - b.position);
    const upcoming = questions.filter((q) => !live || q.position > live.position);
    const running = state.contest.status === "running";
    const key = live ? `${live.id}:${live.status}` : "none";
    if (key !== lastKey && lastKey !== null && live) announce(`Question ${live.position}: ${STATUS_TEXT[live.status] || live.status}.`);
    lastKey = key;

    drawQuestion(current);
    setText(statusLine, live ? STATUS_TEXT[live.status] || live.status : running ? "Ready: open the first question." : "Start the contest to open questions.");
    const teams = state.activeTeams().length;
    const answered = live ? state.answered.get(live.question)?.size ?? 0 : 0;
    setText(answeredText, live ? `${answered} of ${plural(teams, "team")} answered` : "");
    progress.max = Math.max(teams, 1);
    progress.value = answered;
    progress.hidden = !live;
    setText(upNext, upcoming.length ? `Up next: ${upcoming[0].prompt}` : questions.length ? "That was the last question of this round. End the round when you are ready." : "This round has no questions yet.");

    const status = live?.status;
    buttons.next.disabled = !(running && upcoming.length && (!live || DONE.includes(status)));
    buttons.close.disabled = !RUNNING.includes(status);
    buttons.reveal.disabled = status !== "closed";
    buttons.skip.disabled = !RUNNING.includes(status);
    buttons.pause.disabled = status !== "open";
    buttons.resume.disabled = !(status === "paused" && running);
    buttons.extend.disabled = !RUNNING.includes(status);
    extendBy.disabled = buttons.extend.disabled;
    regradeRow.hidden = !(REGRADABLE.includes(status) && canRegrade(state));
    tick();
  };
  update();
  return { node, update, destroy: () => clearInterval(timer) };
}
