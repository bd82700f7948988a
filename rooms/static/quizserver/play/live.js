// A live round's question: the quizmaster opens it for every team at once, the server's
// clock runs its timer. The countdown is the team's deadline (the question's `deadline`
// plus the team's `extra_time_s`, never past `closes_at`) minus the server's time as the
// socket estimates it, so a reload or a reconnect resumes with the right time left.

import { el, announce, seconds } from "../common/ui.js";
import { QuestionCard } from "./question.js";
import { latestAnswer } from "./store.js";

// Screen-reader users hear once how little time is left, again after more time was added.
const WARN_MS = 10000;

// Milliseconds since the epoch when this team's answers stop, or null (paused, closed).
export function teamDeadlineMs(live, extraTimeS) {
  if (!live.deadline) return null;
  const deadline = Date.parse(live.deadline) + (extraTimeS || 0) * 1000;
  return live.closes_at ? Math.min(deadline, Date.parse(live.closes_at)) : deadline;
}

// The time a paused question gives this team when it resumes: the question's own
// `remaining_ms` plus the team's extra time, which the server adds up to the question's
// margin (`closes_at` minus `deadline`, known from before the pause; null if unknown).
export function pausedRemainingMs(live, extraTimeS, marginMs = null) {
  const extra = (extraTimeS || 0) * 1000;
  return (live.remaining_ms || 0) + (marginMs === null ? extra : Math.min(extra, marginMs));
}

// "1:30 left", "45 seconds left", "1 second left".
export function timeLeftText(ms) {
  const text = seconds(ms);
  if (text.includes(":")) return `${text} left`;
  return text === "1" ? "1 second left" : `${text} seconds left`;
}

export class LiveStage {
  constructor(context) {
    this.context = context;
    this.card = null;
    this.cardFor = null;
    this.title = el("h2", { class: "stage-title" });
    this.clock = el("p", { class: "countdown live-clock", role: "timer", "aria-label": "Time left" });
    this.bar = el("div", { class: "time-bar-fill" });
    this.statusLine = el("p", { class: "live-status" });
    this.slot = el("div");
    this.node = el(
      "section",
      { class: "panel stage live-stage", "aria-labelledby": "live-title" },
      el("div", { class: "live-head" }, this.title, this.clock),
      el("div", { class: "time-bar", "aria-hidden": "true" }, this.bar),
      this.statusLine,
      this.slot,
    );
    this.title.id = "live-title";
    this.warned = false;
  }

  update(state) {
    this.state = state;
    const current = state.contest.live;
    const round = state.contest.rounds.find((r) => r.id === current.live.round);
    const title = `${round ? round.title : "Live round"} · question ${current.live.position}`;
    if (this.title.textContent !== title) this.title.textContent = title;
    if (this.cardFor !== current.question.id) {
      this.card = new QuestionCard(current.question, { heading: `Question ${current.live.position}`, context: this.context });
      this.cardFor = current.question.id;
      this.slot.replaceChildren(this.card.node);
      this.warned = false;
      this.wasOpen = false;
      this.deadlineSeen = null;
      this.marginFor = null;
      this.marginMs = null;
    }
    this.tick();
  }

  // Called on every update and several times a second by the app's ticker.
  tick() {
    if (!this.state) return;
    const state = this.state;
    const { live, answer: revealed } = state.contest.live;
    const extra = state.team ? state.team.extra_time_s : 0;
    const deadline = teamDeadlineMs(live, extra);
    this.noteMargin(live);
    const now = this.context.serverNow();
    let remaining = null;
    if (live.status === "open" && deadline !== null) remaining = Math.max(0, deadline - now);
    if (live.status === "paused") remaining = pausedRemainingMs(live, extra, this.marginFor === live.id ? this.marginMs : null);
    // The deadline moved (more time added, a resume): the warning may be needed again.
    if (deadline !== null && deadline !== this.deadlineSeen) {
      if (remaining > WARN_MS) this.warned = false;
      this.deadlineSeen = deadline;
    }
    const open = live.status === "open" && remaining > 0 && state.contest.status === "running";
    this.drawClock(live, remaining, extra);
    this.drawStatus(live, remaining, open, state);
    this.card.update({
      answers: state.answers.get(live.question) || [],
      open: open && state.team.status === "active",
      closedReason: this.closedReason(live, remaining, state),
      reveal: live.status === "revealed" ? revealed : null,
    });
    const answered = Boolean(latestAnswer(state, live.question));
    if (open && remaining <= WARN_MS && !this.warned && !answered) {
      this.warned = true;
      announce(`${timeLeftText(remaining)}.`);
    }
    // Only the clock running out (not a pause of the contest) is "time is up".
    if (this.wasOpen && !open && live.status === "open" && remaining === 0 && !answered) announce("Time is up.");
    this.wasOpen = open;
  }

  // The extra time the server may add for a team, seen while the question runs, so that a
  // paused clock shows what this team will have when it resumes.
  noteMargin(live) {
    if (!live.deadline || !live.closes_at) return;
    this.marginFor = live.id;
    this.marginMs = Math.max(0, Date.parse(live.closes_at) - Date.parse(live.deadline));
  }

  drawClock(live, remaining, extra) {
    const limit = live.time_limit_ms + (extra || 0) * 1000;
    const text = remaining === null ? "0" : seconds(remaining);
    if (this.clock.textContent !== text) this.clock.textContent = text;
    this.clock.classList.toggle("urgent", remaining !== null && remaining <= WARN_MS && live.status === "open");
    const running = live.status === "open" || live.status === "paused";
    this.clock.hidden = !running;
    this.bar.parentElement.hidden = !running;
    const share = remaining === null || !limit ? 0 : Math.min(1, remaining / limit);
    this.bar.style.width = `${(share * 100).toFixed(1)}%`;
  }

  drawStatus(live, remaining, open, state) {
    let text = "";
    if (state.contest.status === "paused") text = "The contest is paused.";
    else if (live.status === "paused") text = `Paused by the quizmaster — ${timeLeftText(remaining)} when it resumes.`;
    else if (live.status === "open" && open) text = state.team.extra_time_s ? `Answer before the time is up (your team has ${state.team.extra_time_s} seconds extra).` : "Answer before the time is up.";
    else if (live.status === "open" || live.status === "closed") text = "Time is up. Waiting for the answer to be revealed.";
    else if (live.status === "revealed") text = "The answer is revealed. Waiting for the next question.";
    else if (live.status === "skipped") text = "The quizmaster skipped this question.";
    if (this.statusLine.textContent !== text) this.statusLine.textContent = text;
  }

  closedReason(live, remaining, state) {
    if (state.team.status !== "active") return "Your team can no longer answer.";
    if (state.contest.status === "paused" || live.status === "paused") return "Paused: answers are taken again when it resumes.";
    if (live.status === "skipped") return "This question was skipped: no answer counts.";
    if (live.status !== "open" || remaining === 0) return "Time is up: your team did not answer this question.";
    return null;
  }
}
