// One question on the team's screen: its prompt, the input for its type, the button that
// sends the answer, and clear feedback (sending, locked in, correct or wrong and the
// points, judged, refused and why). A card lives as long as its question is on screen,
// so what a person typed survives every redraw; `update()` changes only what changed.

import { ApiError } from "../common/api.js";
import { el, replace, announce, clockTime } from "../common/ui.js";
import { answerInput, acceptedAnswerText, givenText } from "./inputs.js";
import { codeInput, attemptView } from "./code.js";

const TYPE_NAMES = { choice: "Choice", numeric: "Number", text: "Text", code: "Code", essay: "Essay" };

function pointsText(points) {
  if (points > 0) return `+${points} points`;
  if (points < 0) return `−${Math.abs(points)} points`;
  return "0 points";
}

// The words for a team's (non-code) answer, and their tone.
export function answerSummary(question, answer) {
  if (!answer) return null;
  if (answer.status !== "scored") {
    if (question.type === "essay") return { text: "Sent. The quizmaster will grade it.", tone: "notice" };
    return { text: `Locked in at ${clockTime(answer.received_at)}. Scored when the time is up.`, tone: "notice" };
  }
  if (answer.correct === true) return { text: `Correct! ${pointsText(answer.points)}.`, tone: "good" };
  if (answer.correct === false) return { text: `Wrong answer. ${pointsText(answer.points)}.`, tone: "bad" };
  return { text: `Graded: ${pointsText(answer.points)}.`, tone: answer.points > 0 ? "good" : "notice" };
}

let cardCount = 0;

// The control focused inside `node`, and its caret in a text field; or null.
function focusWithin(node) {
  const element = document.activeElement;
  if (!element || element === document.body || !node.contains(element)) return null;
  let caret = null;
  if ((element.tagName === "TEXTAREA" || element.tagName === "INPUT") && typeof element.selectionStart === "number") {
    try {
      caret = [element.selectionStart, element.selectionEnd, element.selectionDirection];
    } catch (error) {
      caret = null; // inputs without a caret (radio, checkbox)
    }
  }
  return { element, caret };
}

export class QuestionCard {
  // heading: the card's title ("Question 2", "Mystery question · medium").
  constructor(question, { heading, headingLevel = "h3", context }) {
    cardCount += 1;
    this.question = question;
    this.context = context;
    this.id = `q${question.id}-${cardCount}`;
    this.busy = false;
    this.sentHere = false; // this device sent the answer (so its inputs show what was sent)
    this.error = null;
    this.input = question.type === "code" ? codeInput(question, this.id, context) : answerInput(question, this.id, context);
    this.heading = el(headingLevel, { id: `${this.id}-title`, class: "q-title", tabindex: "-1" }, heading);
    this.submitButton = el("button", { type: "submit", class: "wide" }, this.submitLabel());
    this.errorLine = el("p", { class: "error", role: "alert", hidden: true });
    this.feedback = el("div", { class: "feedback", tabindex: "-1" });
    this.revealLine = el("div", { class: "reveal-line" });
    this.attempts = question.type === "code" ? el("ol", { class: "attempts", reversed: true }) : null;
    this.pointsTag = el("span", { class: "tag" });
    const form = el("form", { class: "answer-form", novalidate: true }, this.input.node, this.errorLine, this.submitButton);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.node = el(
      "article",
      { class: "question-card", "aria-labelledby": this.heading.id, dataset: { question: question.id } },
      el(
        "div",
        { class: "q-head" },
        this.heading,
        el(
          "p",
          { class: "q-tags" },
          el("span", { class: "tag" }, TYPE_NAMES[question.type] || question.type),
          el("span", { class: "tag" }, question.difficulty),
          this.pointsTag,
        ),
      ),
      el("p", { class: "prompt" }, question.prompt),
      form,
      this.feedback,
      this.revealLine,
      this.attempts ? el("section", { "aria-label": "Your attempts" }, this.attempts) : null,
    );
    this.pointsTag.textContent = `${question.points} points`;
  }

  submitLabel() {
    if (this.question.type === "code") return "Submit for judging";
    if (this.question.type === "essay") return "Send answer";
    return "Lock in answer";
  }

  focusHeading() {
    this.heading.focus();
  }

  async send() {
    if (this.busy) return;
    const read = this.input.read();
    this.setError(read.error || null);
    if (read.error) {
      this.input.focus();
      return;
    }
    this.busy = true;
    this.sentHere = true;
    this.submitButton.textContent = "Sending…";
    this.refresh();
    try {
      await this.context.submitAnswer(this.question.id, read.value);
      this.setError(null);
      this.feedback.focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const retry = error.status === 0 || error.status >= 500;
      this.sentHere = retry; // a refused answer did not become the team's
      this.setError(retry ? `${error.message} Your answer was not confirmed: send it again — it counts only once.` : error.message);
    } finally {
      this.busy = false;
      this.submitButton.textContent = this.error && this.lastRetryable() ? "Send again" : this.submitLabel();
      this.refresh();
    }
  }

  lastRetryable() {
    return this.sentHere && Boolean(this.error);
  }

  setError(text) {
    this.error = text;
    this.errorLine.textContent = text || "";
    this.errorLine.hidden = !text;
    if (text) announce(text);
  }

  // view: {answers, open, closedReason, reveal, run, points}
  update(view) {
    this.view = view;
    this.refresh();
  }

  refresh() {
    const view = this.view || { answers: [], open: true };
    const answers = view.answers || [];
    const latest = answers.length ? answers[answers.length - 1] : null;
    if (view.points !== undefined) this.pointsTag.textContent = `${view.points} points`;
    if (this.question.type === "code") this.refreshCode(view, answers, latest);
    else this.refreshAnswer(view, latest);
    this.refreshReveal(view.reveal);
  }

  refreshAnswer(view, latest) {
    if (latest && this.error && !this.busy) this.setError(null); // a re-sent answer got through
    const locked = Boolean(latest) || !view.open || this.busy;
    this.lock(locked, Boolean(latest) && !this.busy);
    this.input.setDisabled(locked);
    this.submitButton.disabled = locked;
    this.submitButton.hidden = Boolean(latest);
    const known = Boolean(latest) && latest.given !== undefined;
    if (known && !this.busy) this.input.showGiven(latest.given);
    const summary = answerSummary(this.question, latest);
    const parts = [];
    if (this.busy) parts.push(el("p", { class: "notice" }, "Sending your answer…"));
    else if (summary) {
      parts.push(el("p", { class: `result ${summary.tone}` }, summary.text));
      parts.push(this.givenView(latest));
      if (!this.sentHere) parts.push(el("p", { class: "muted small" }, "Your team's answer was locked in (on this or another device)."));
      if (latest.feedback) parts.push(el("p", { class: "feedback-text" }, `Quizmaster: ${latest.feedback}`));
    } else if (!view.open && view.closedReason) parts.push(el("p", { class: "muted" }, view.closedReason));
    const said = summary ? `${summary.tone}:${summary.text}:${latest.feedback}:${this.sentHere}:${known}` : `${view.closedReason}:${view.open}`;
    this.showFeedback(parts, `${this.busy}:${said}`);
  }

  // "Your team answered: C. Pacific" — on every device of the team; an essay in full.
  givenView(answer) {
    if (answer.given === undefined) return answer.given_size === undefined ? null : el("p", { class: "muted small" }, "Loading your team's answer…");
    const text = givenText(this.question, answer.given);
    if (this.question.type === "essay") {
      return el("div", { class: "given" }, el("p", { class: "given-label" }, "Your team answered:"), el("div", { class: "given-essay" }, text));
    }
    return el("p", { class: "given" }, "Your team answered: ", el("strong", {}, text));
  }

  refreshCode(view, answers, latest) {
    const judging = latest && latest.status !== "scored";
    const max = this.question.max_attempts;
    const exhausted = Boolean(max) && answers.length >= max;
    const locked = !view.open || this.busy || judging || exhausted;
    this.lock(locked, false);
    this.input.setDisabled(!view.open || exhausted);
    this.input.showRun(view.run || null, !view.open || exhausted);
    this.submitButton.disabled = locked;
    const parts = [];
    if (this.busy) parts.push(el("p", { class: "notice" }, "Sending your program…"));
    else if (judging) parts.push(el("p", { class: "notice" }, "Your program is with the judge…"));
    else if (exhausted) parts.push(el("p", { class: "muted" }, "No attempts left for this question."));
    else if (!view.open && view.closedReason) parts.push(el("p", { class: "muted" }, view.closedReason));
    this.showFeedback(parts, `${this.busy}:${judging}:${exhausted}:${view.open}:${view.closedReason}`);
    const signature = answers.map((a) => `${a.id}:${a.status}:${a.points}:${a.judge && a.judge.verdict}:${a.given !== undefined}`).join("|");
    if (signature !== this.attemptsSignature) {
      this.attemptsSignature = signature;
      // A program someone opened to read stays open when its verdict comes in, and keeps
      // the keyboard focus if it had it.
      const opened = new Set([...this.attempts.querySelectorAll("details.sent-program[open]")].map((d) => d.closest("li").dataset.answer));
      const focused = this.attempts.contains(document.activeElement) ? document.activeElement : null;
      const focusedAnswer = focused && focused.closest("li") ? focused.closest("li").dataset.answer : null;
      const focusedPart = focused && (focused.tagName === "SUMMARY" ? "summary" : focused.tagName === "PRE" ? "pre" : null);
      const items = answers.slice().reverse().map((answer) => {
        const item = attemptView(answer);
        item.dataset.answer = String(answer.id);
        const sent = item.querySelector("details.sent-program");
        if (sent && opened.has(item.dataset.answer)) sent.open = true;
        return item;
      });
      replace(this.attempts, items);
      if (focusedAnswer && focusedPart) {
        const again = this.attempts.querySelector(`li[data-answer="${focusedAnswer}"] details.sent-program ${focusedPart}`);
        if (again) again.focus({ preventScroll: true });
      }
    }
  }

  // Called before the inputs are locked or unlocked. Locking takes the focus from a
  // disabled control; unlocking (the question resumes, a retry is possible) gives it back
  // with the caret where it was, unless the person went elsewhere meanwhile. When the
  // team's answer locked the card (from any device), the feedback takes the focus instead.
  lock(locked, answered) {
    if (locked === Boolean(this.locked)) return;
    this.locked = locked;
    if (locked) {
      this.lostFocus = focusWithin(this.node);
      if (this.lostFocus && answered) {
        this.lostFocus = null;
        queueMicrotask(() => this.feedback.focus()); // once the feedback says what happened
      }
      return;
    }
    const lost = this.lostFocus;
    this.lostFocus = null;
    if (!lost || !lost.element.isConnected) return;
    const active = document.activeElement;
    if (active && active !== document.body && active !== lost.element) return; // gone elsewhere
    queueMicrotask(() => {
      if (lost.element.disabled || lost.element.matches(":focus")) return; // still has it (read-only)
      lost.element.focus({ preventScroll: true });
      if (lost.caret) lost.element.setSelectionRange(...lost.caret);
    });
  }

  // Redraws the feedback only when its meaning changed (so it is announced once).
  showFeedback(parts, signature) {
    if (signature === this.feedbackSignature) return;
    this.feedbackSignature = signature;
    replace(this.feedback, parts);
  }

  refreshReveal(reveal) {
    const text = reveal ? acceptedAnswerText(this.question, reveal) : null;
    if (reveal && this.input.showReveal) this.input.showReveal(reveal);
    const signature = text || "";
    if (signature === this.revealSignature) return;
    this.revealSignature = signature;
    replace(this.revealLine, text ? el("p", { class: "accepted" }, el("strong", {}, "Accepted answer: "), text) : null);
  }
}
