// The live question on the projector: its prompt and choices (never the answer before the
// quizmaster reveals it: the audience is only ever sent it then), the countdown from the
// server's deadline against the server's clock, and the accepted answer once revealed.
// Without a live question the panel says what the room is doing (a pool round, a break).

import { el, replace, seconds } from "../common/ui.js";

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const HURRY_MS = 5000;
const TYPE_HINTS = {
  choice: "Pick your answer on your device.",
  numeric: "Type a number on your device.",
  text: "Type your answer on your device.",
  code: "Write a program on your device.",
  essay: "Write your answer on your device.",
};
const LANGUAGES = { python: "Python", c: "C", cpp: "C++", java: "Java", javascript: "JavaScript" };

export class QuestionView {
  // `section`: the panel; `now()`: the server's clock in ms; `onFit`: after a re-render.
  constructor({ section, now }) {
    this.section = section;
    this.now = now;
    this.state = null; // { live, question, answer }
    this.round = null;
    this.timer = null;
    this.countdown = null;
    this.bar = null;
    this.lastText = "";
  }

  // state: the audience's `live` ({live, question, answer}) or null; round: the current
  // round (public shape) or null; extra: { status, next (round), played, join (link), qr } for the idle panel.
  set(state, round, extra = {}) {
    this.state = state;
    this.round = round;
    clearInterval(this.timer);
    this.timer = null;
    if (state && state.live && state.question) this.renderQuestion(extra);
    else this.renderIdle(extra);
    this.fit();
  }

  renderQuestion() {
    const { live, question, answer } = this.state;
    const revealed = live.status === "revealed" && answer;
    const heading = el(
      "h2",
      { id: "question-heading", class: "question-heading" },
      `Question ${live.position}`,
      this.round ? el("span", { class: "muted round-name" }, ` · ${this.round.title}`) : null,
    );
    this.countdown = el("p", { class: "countdown q-countdown", role: "timer", "aria-live": "off" });
    this.bar = el("div", { class: "q-bar", "aria-hidden": "true" }, el("span"));
    const meta = el(
      "p",
      { class: "q-meta" },
      el("span", { class: "tag" }, `${question.points} points`),
      question.type === "choice" && question.multiple ? el("span", { class: "tag" }, "several answers") : null,
    );
    const body = el(
      "div",
      { class: "q-body" },
      el("p", { class: "q-prompt" }, question.prompt),
      this.details(question, revealed ? answer : null),
      revealed ? this.answerBox(question, answer) : null,
      live.status === "skipped" ? el("p", { class: "notice q-note" }, "This question was skipped.") : null,
    );
    replace(
      this.section,
      el("div", { class: "q-head" }, heading, this.countdown),
      this.bar,
      meta,
      body,
    );
    this.section.classList.toggle("revealed", Boolean(revealed));
    this.tick();
    if (live.status === "open") this.timer = setInterval(() => this.tick(), 200);
  }

  details(question, answer) {
    if (question.type === "choice" && Array.isArray(question.choices)) {
      const right = new Set(answer && Array.isArray(answer.answer) ? answer.answer : []);
      return el(
        "ol",
        { class: "q-choices", type: "A" },
        question.choices.map((text, index) => {
          const correct = right.has(index);
          return el(
            "li",
            { class: answer ? (correct ? "choice correct" : "choice wrong") : "choice" },
            el("span", { class: "letter", "aria-hidden": "true" }, LETTERS[index] || index + 1),
            el("span", { class: "choice-text" }, text),
            answer && correct ? el("span", { class: "choice-mark" }, "✓", el("span", { class: "visually-hidden" }, " correct")) : null,
          );
        }),
      );
    }
    const parts = [TYPE_HINTS[question.type] || ""];
    if (question.type === "code" && Array.isArray(question.languages)) {
      parts.push(` Languages: ${question.languages.map((l) => LANGUAGES[l] || l).join(", ")}.`);
    }
    return answer ? null : el("p", { class: "muted q-hint" }, parts.join(""));
  }

  answerBox(question, answer) {
    let text;
    let also = null;
    if (question.type === "choice") {
      const picks = (answer.answer || []).map((i) => `${LETTERS[i] || i + 1}: ${question.choices?.[i] ?? ""}`);
      text = picks.join(" · ");
    } else if (question.type === "numeric") {
      text = String(answer.answer);
      if (answer.tolerance) also = `Accepted within ± ${answer.tolerance}`;
    } else if (question.type === "text") {
      const accepted = Array.isArray(answer.answer) ? answer.answer : [answer.answer];
      text = accepted[0] ?? "";
      if (accepted.length > 1) also = `Also accepted: ${accepted.slice(1).join(", ")}`;
    } else if (question.type === "code") {
      text = "Judged on the hidden tests.";
    } else {
      text = "Graded by the quizmaster.";
    }
    return el(
      "div",
      { class: "q-answer", role: "group", "aria-label": "The answer" },
      el("p", { class: "q-answer-label" }, "Answer"),
      el("p", { class: "q-answer-text" }, text),
      also ? el("p", { class: "q-answer-also" }, also) : null,
    );
  }

  tick() {
    if (!this.state || !this.countdown) return;
    const { live } = this.state;
    let text;
    let fraction = 0;
    let hurry = false;
    if (live.status === "open" && live.deadline) {
      const left = Date.parse(live.deadline) - this.now();
      fraction = live.time_limit_ms ? left / live.time_limit_ms : 0;
      hurry = left <= HURRY_MS && left > 0;
      // Ticks on past zero: the clock's estimate may still move (a better pong), and the
      // question stays open until the server closes it.
      text = left > 0 ? seconds(left) : "Time's up";
    } else if (live.status === "paused") {
      fraction = live.time_limit_ms && live.remaining_ms ? live.remaining_ms / live.time_limit_ms : 0;
      text = `Paused · ${seconds(live.remaining_ms || 0)}`;
    } else if (live.status === "closed") {
      text = "Time's up";
    } else if (live.status === "revealed") {
      text = "";
    } else {
      text = "Skipped";
    }
    if (text !== this.lastText) {
      this.countdown.textContent = text;
      this.lastText = text;
    }
    this.countdown.classList.toggle("hurry", hurry);
    this.countdown.classList.toggle("paused", live.status === "paused");
    this.countdown.hidden = text === "";
    this.bar.hidden = live.status === "revealed" || live.status === "skipped";
    this.bar.firstChild.style.transform = `scaleX(${Math.min(1, Math.max(0, fraction))})`;
    this.bar.classList.toggle("hurry", hurry);
  }

  renderIdle({ status, next, played, join, qr }) {
    this.countdown = null;
    this.lastText = "";
    this.section.classList.remove("revealed");
    const round = this.round;
    let title = "Get ready";
    let text = "The quiz starts in a moment.";
    if (next) text = `Next: round ${next.position}, ${next.title}.`;
    else if (played && !round) {
      title = "All rounds played";
      text = "The results come next.";
    }
    if (status === "paused") {
      title = "Paused";
      text = "The quiz is paused. It goes on in a moment.";
    } else if (round && round.kind === "pool") {
      title = round.title;
      text = "Teams pick questions on their own devices, at their own pace. Points go up on the board as answers come in.";
    } else if (round && round.kind === "live") {
      title = round.title;
      text = "The first question of this round comes up in a moment.";
    }
    replace(
      this.section,
      el("h2", { id: "question-heading", class: "question-heading" }, title),
      el("p", { class: "idle-text" }, text),
      join && (round || next || !played)
        ? el("div", { class: "idle-join" }, qr, el("p", {}, "Late? Join at ", el("strong", { class: "join-url" }, join)))
        : null,
    );
  }

  // Shrink the question's text until the panel holds it without scrolling.
  fit() {
    const section = this.section;
    section.style.setProperty("--q-scale", "1");
    let scale = 1;
    while (section.scrollHeight > section.clientHeight + 1 && scale > 0.45) {
      scale -= 0.05;
      section.style.setProperty("--q-scale", scale.toFixed(2));
    }
  }

  stop() {
    clearInterval(this.timer);
  }
}
