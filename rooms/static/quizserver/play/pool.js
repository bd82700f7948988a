// A pool round, played at the team's own pace: claim the next question, answer the
// questions the team holds, buy mystery boxes with points. Controls stay the same nodes
// across redraws, so keyboard focus is never thrown away by an update.

import { api, ApiError } from "../common/api.js";
import { el, replace, announce } from "../common/ui.js";
import { QuestionCard, answerSummary } from "./question.js";
import { claimsHeld, latestAnswer } from "./store.js";
import { verdictName } from "./code.js";
import { givenText } from "./inputs.js";

const DIFFICULTY_NAMES = { easy: "Easy", medium: "Medium", hard: "Hard" };

function claimHeading(claim, index) {
  if (claim.kind === "mystery") return `Mystery question · ${DIFFICULTY_NAMES[claim.question.difficulty] || claim.question.difficulty}`;
  return `Question ${index}`;
}

// Code questions stay open after a first attempt: a better attempt can still raise the score.
function isPlayable(claim, state) {
  if (claim.status === "held") return true;
  if (claim.question.type !== "code") return false;
  const answers = state.answers.get(claim.question.id) || [];
  const best = answers.some((a) => a.judge && a.judge.verdict === "AC");
  const max = claim.question.max_attempts;
  return !best && !(max && answers.length >= max);
}

function doneSummary(claim, state, answer) {
  if (claim.question.type === "code") {
    const answers = state.answers.get(claim.question.id) || [];
    const best = answers.find((a) => a.judge && a.judge.verdict === "AC");
    const shown = best || answer;
    if (shown && shown.judge && shown.judge.verdict) {
      const points = answers.reduce((sum, a) => sum + a.points, 0);
      return { text: `${verdictName(shown.judge.verdict)} after ${answers.length} attempt(s): ${points} points.`, tone: shown.judge.verdict === "AC" ? "good" : "bad" };
    }
  }
  return answerSummary(claim.question, answer) || { text: "Answered.", tone: "muted" };
}

class MysteryShop {
  constructor(round, context) {
    this.round = round;
    this.context = context;
    this.buttons = new Map();
    this.list = el("ul", { class: "shop", role: "list" });
    this.message = el("p", { class: "shop-message", hidden: true });
    this.node = el(
      "section",
      { class: "shop-panel", "aria-labelledby": `shop-${round.id}` },
      el("h3", { id: `shop-${round.id}` }, "Mystery boxes"),
      el("p", { class: "muted small" }, "Pay points to open a box: you get a random question of that difficulty, worth its reward. Nothing is taken if no question is left."),
      this.list,
      this.message,
    );
  }

  row(box) {
    const textId = `box-${this.round.id}-${box.difficulty}`;
    const button = el("button", { type: "button", class: "secondary", "aria-describedby": textId }, `Open for ${box.cost} points`);
    button.addEventListener("click", () => this.open(box.difficulty, button));
    const detail = el("span", { class: "muted small" });
    const soldOut = el("span", { class: "tag sold-out", hidden: true }, "Sold out");
    const item = el(
      "li",
      { class: "box" },
      el("div", { class: "box-text", id: textId }, el("strong", {}, `${DIFFICULTY_NAMES[box.difficulty] || box.difficulty} box`), " ", soldOut, detail),
      button,
    );
    return { item, button, detail, soldOut };
  }

  update(round, state, blocked) {
    this.round = round;
    const boxes = round.mystery_boxes;
    this.node.hidden = !boxes.length;
    for (const box of boxes) {
      let entry = this.buttons.get(box.difficulty);
      if (!entry) {
        entry = this.row(box);
        this.buttons.set(box.difficulty, entry);
        this.list.append(entry.item);
      }
      const short = state.score < box.cost;
      const left = box.remaining > 0;
      entry.detail.textContent = ` costs ${box.cost}, worth ${box.reward} · ${left ? `${box.remaining} left` : "none left"}${short && left ? ` · your team needs ${box.cost - state.score} more points` : ""}`;
      entry.button.disabled = blocked || short || !left || this.busy === box.difficulty;
      entry.soldOut.hidden = left;
      entry.item.classList.toggle("is-sold-out", !left);
    }
  }

  say(text, tone) {
    this.message.textContent = text;
    this.message.className = `shop-message ${tone}`;
    this.message.hidden = !text;
    announce(text);
  }

  async open(difficulty, button) {
    this.busy = difficulty;
    button.disabled = true;
    this.say("", "");
    try {
      const body = await this.context.openMystery(this.round.id, difficulty);
      this.say(`Box opened for ${body.cost} points: a question worth ${body.reward} is now yours.`, "good");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.say(error.message, "error");
    } finally {
      this.busy = null;
      this.context.redraw();
    }
  }
}

export class PoolStage {
  constructor(round, context) {
    this.round = round;
    this.context = context;
    this.cards = new Map(); // claim id → QuestionCard
    // Claims answered while on screen stay in place with their result (a card that jumped
    // away would take its feedback with it) until the team claims its next question.
    this.keep = new Set();
    this.claimButton = el("button", { type: "button", class: "wide" }, "Claim the next question");
    this.claimButton.addEventListener("click", () => this.claim());
    this.claimMessage = el("p", { class: "claim-message", hidden: true });
    // "You hold 2 of 3 questions": the round's claim limit, before the server has to refuse.
    this.limitLine = el("p", { class: "claim-limit", id: `claim-limit-${round.id}`, hidden: true });
    this.claimButton.setAttribute("aria-describedby", this.limitLine.id);
    this.held = el("div", { class: "held" });
    this.heldEmpty = el("p", { class: "muted" }, "Your team holds no question. Claim one to play.");
    this.done = el("ol", { class: "answered-list" });
    this.doneSection = el("details", { class: "answered" }, el("summary", {}, "Answered questions"), this.done);
    this.shop = new MysteryShop(round, context);
    this.title = el("h2", { id: `pool-${round.id}` });
    this.node = el(
      "section",
      { class: "panel stage pool-stage", "aria-labelledby": this.title.id },
      el("div", { class: "live-head" }, this.title, el("span", { class: "tag" }, "Pool round")),
      el("p", { class: "muted" }, "Claim questions one by one and answer at your own pace."),
      this.claimButton,
      this.limitLine,
      this.claimMessage,
      el("h3", { class: "held-title" }, "Your questions"),
      this.heldEmpty,
      this.held,
      this.shop.node,
      this.doneSection,
    );
  }

  say(text, tone) {
    this.claimMessage.textContent = text;
    this.claimMessage.className = `claim-message ${tone}`;
    this.claimMessage.hidden = !text;
    if (text) announce(text);
  }

  async claim() {
    this.busy = true;
    this.claimButton.disabled = true;
    this.claimButton.textContent = "Claiming…";
    this.say("", "");
    try {
      const body = await this.context.claimNext(this.round.id);
      this.keep.clear();
      this.context.redraw(true);
      const card = this.cards.get(body.claim.id);
      if (card) card.focusHeading();
      announce(`New question: ${body.claim.question.prompt}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.say(error.message, "error");
    } finally {
      this.busy = false;
      this.claimButton.textContent = "Claim the next question";
      this.context.redraw();
    }
  }

  update(round, state) {
    this.round = round;
    this.title.textContent = round.title || "Pool round";
    const blocked = state.team.status !== "active" || state.contest.status !== "running";
    const atLimit = this.drawLimit(round, state);
    this.claimButton.disabled = blocked || this.busy || atLimit;
    const claims = [...state.claims.values()].filter((c) => c.round === round.id).sort((a, b) => a.id - b.id);
    const numbers = new Map(claims.filter((c) => c.kind === "pool").map((c, i) => [c.id, i + 1]));
    const playable = new Set(claims.filter((c) => isPlayable(c, state)).map((c) => c.id));
    for (const id of this.shownPlayable || []) if (!playable.has(id)) this.keep.add(id);
    if (this.shownPlayable && playable.size < this.shownPlayable.size) this.say("", ""); // e.g. "answer one first" is out of date
    this.shownPlayable = playable;
    const shown = claims.filter((c) => playable.has(c.id) || this.keep.has(c.id));
    this.drawHeld(shown, numbers, state, blocked);
    this.drawDone(claims.filter((c) => !shown.includes(c)));
    this.shop.update(round, state, blocked);
  }

  // Says how many questions the team holds against the limit; true when it is reached.
  drawLimit(round, state) {
    const { held, limit } = claimsHeld(state, round);
    const atLimit = limit !== null && held >= limit;
    let text = "";
    if (atLimit) text = `You hold ${held} of ${limit} question${limit === 1 ? "" : "s"}, the most this round allows: answer one to claim the next.`;
    else if (limit !== null) text = `You hold ${held} of ${limit} question${limit === 1 ? "" : "s"}.`;
    if (this.limitLine.textContent !== text) this.limitLine.textContent = text;
    this.limitLine.hidden = !text;
    this.limitLine.classList.toggle("at-limit", atLimit);
    return atLimit;
  }

  drawHeld(claims, numbers, state, blocked) {
    const nodes = claims.map((claim) => {
      let card = this.cards.get(claim.id);
      if (!card || card.question.id !== claim.question.id) {
        card = new QuestionCard(claim.question, { heading: claimHeading(claim, numbers.get(claim.id)), context: this.context });
        this.cards.set(claim.id, card);
      }
      card.update({
        answers: state.answers.get(claim.question.id) || [],
        open: !blocked,
        closedReason: blocked ? "Answers are not taken now." : null,
        run: state.runs.get(claim.question.id),
        points: claim.question.points,
      });
      return card.node;
    });
    this.heldEmpty.hidden = nodes.length > 0;
    syncChildren(this.held, nodes);
  }

  drawDone(claims) {
    const state = this.context.state();
    const signature = claims.map((c) => `${c.id}:${JSON.stringify(latestAnswer(state, c.question.id))}`).join("|");
    if (signature === this.doneSignature) return;
    this.doneSignature = signature;
    this.doneSection.hidden = !claims.length;
    replace(
      this.done,
      claims
        .slice()
        .reverse()
        .map((claim) => {
          const answer = latestAnswer(state, claim.question.id);
          const summary = doneSummary(claim, state, answer);
          const given = answer && claim.question.type !== "code" ? givenText(claim.question, answer.given) : null;
          return el(
            "li",
            {},
            el("p", { class: "done-prompt" }, claim.kind === "mystery" ? "Mystery: " : "", claim.question.prompt),
            given ? el("p", { class: "done-given" }, "Your team answered: ", el("strong", {}, given.length > 200 ? `${given.slice(0, 200)}…` : given)) : null,
            el("p", { class: `result ${summary.tone}` }, summary.text),
          );
        }),
    );
  }
}

// Puts `nodes` in `parent` in order, touching the DOM only when something changed, so a
// focused input inside stays focused.
export function syncChildren(parent, nodes) {
  const wanted = new Set(nodes);
  for (const node of [...parent.children]) if (!wanted.has(node)) node.remove();
  nodes.forEach((node, index) => {
    const there = parent.children[index];
    if (there !== node) parent.insertBefore(node, there || null);
  });
}
