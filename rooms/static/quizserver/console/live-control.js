// The control of a live round: the question in play (with its answer, for the quizmaster's
// eyes only), the countdown on the server's clock, how many teams answered, and the
// actions: next, close, reveal, skip, pause, resume, extend.

import { el, replace, announce, seconds } from "../common/ui.js";
import { call } from "./session.js";
import { busy, flash, uid } from "./forms.js";
import { answerSummary } from "./question-form.js";

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
        const result = await call(`/rounds/${round.id}/${action}`, { method: "POST", body });
        const previous = state.live.get(round.id);
        const sameQuestion = previous && previous.live.id === result.live.id;
        state.live.set(round.id, { ...(sameQuestion ? previous : { question: null, answer: null }), live: result.live });
        state.emit("live");
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
    el("div", { class: "live-clock-row" }, clock, el("div", { class: "grow" }, statusLine, answeredText, progress)),
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

  const tick = () => {
    const current = state.live.get(round.id);
    const live = current?.live;
    if (!live) return (clock.textContent = "–");
    if (live.status === "open") {
      const target = Date.parse(live.closes_at || live.deadline);
      clock.textContent = seconds(target - state.serverNow());
      clock.setAttribute("aria-label", `${clock.textContent} left`);
    } else if (live.status === "paused") {
      clock.textContent = seconds(live.remaining_ms ?? 0);
      clock.setAttribute("aria-label", `Paused with ${clock.textContent} left`);
    } else {
      clock.textContent = "0";
      clock.setAttribute("aria-label", "No time left");
    }
  };
  const timer = setInterval(tick, 250);

  let lastKey = null;
  const update = () => {
    const current = state.live.get(round.id);
    const live = current?.live;
    const questions = [...(state.questions.get(round.id) || [])].sort((a, b) => a.position - b.position);
    const upcoming = questions.filter((q) => !live || q.position > live.position);
    const running = state.contest.status === "running";
    const key = live ? `${live.id}:${live.status}` : "none";
    if (key !== lastKey && lastKey !== null && live) announce(`Question ${live.position}: ${STATUS_TEXT[live.status] || live.status}.`);
    lastKey = key;

    if (!live) replace(question, el("p", {}, "No question opened yet in this round."));
    else replace(question, questionView(state, current));
    statusLine.textContent = live ? STATUS_TEXT[live.status] || live.status : running ? "Ready: open the first question." : "Start the contest to open questions.";
    const teams = state.activeTeams().length;
    const answered = live ? state.answered.get(live.question)?.size ?? 0 : 0;
    answeredText.textContent = live ? `${answered} of ${teams} team${teams === 1 ? "" : "s"} answered` : "";
    progress.max = Math.max(teams, 1);
    progress.value = answered;
    progress.hidden = !live;
    upNext.textContent = upcoming.length ? `Up next: ${upcoming[0].prompt}` : questions.length ? "That was the last question of this round. End the round when you are ready." : "This round has no questions yet.";

    const status = live?.status;
    buttons.next.disabled = !(running && upcoming.length && (!live || DONE.includes(status)));
    buttons.close.disabled = !RUNNING.includes(status);
    buttons.reveal.disabled = status !== "closed";
    buttons.skip.disabled = !RUNNING.includes(status);
    buttons.pause.disabled = status !== "open";
    buttons.resume.disabled = !(status === "paused" && running);
    buttons.extend.disabled = !RUNNING.includes(status);
    extendBy.disabled = buttons.extend.disabled;
    tick();
  };
  update();
  return { node, update, destroy: () => clearInterval(timer) };
}
