// The form that adds a round: live (host-paced) or pool (self-paced, with mystery boxes),
// its time limit and scoring rules.

import { el, announce } from "../common/ui.js";
import { call } from "./session.js";
import { field, checkbox, showErrors, clearErrors, busy, intOrNull, flash } from "./forms.js";

function scoringFields() {
  const strategy = field({
    label: "Scoring",
    name: "settings.scoring.strategy",
    type: "select",
    value: "",
    options: [
      ["", "Default (live: speed bonus; pool: standard)"],
      ["standard", "Standard: the question's points"],
      ["speed", "Speed: a bonus for answering fast"],
    ],
  });
  const bonus = field({ label: "Speed bonus (% of the points)", name: "settings.scoring.speed_bonus", type: "number", min: 0, max: 1000, value: 50 });
  const curve = field({
    label: "Speed curve",
    name: "settings.scoring.speed_curve",
    type: "select",
    value: "linear",
    options: [
      ["linear", "Linear"],
      ["quadratic", "Quadratic"],
      ["none", "None"],
    ],
  });
  const streak = field({ label: "Streak bonus", name: "settings.scoring.streak_bonus", type: "number", min: 0, value: 0 });
  const streakCap = field({ label: "Streak cap", name: "settings.scoring.streak_cap", type: "number", min: 0, value: 0 });
  const penalty = field({ label: "Wrong-answer penalty", name: "settings.scoring.wrong_answer_penalty", type: "number", min: 0, hint: "Empty: the contest's." });
  const multiplier = field({ label: "Multiplier", name: "settings.scoring.multiplier", type: "number", min: 0, max: 100, step: "any", value: 1 });
  const node = el(
    "details",
    { class: "scoring" },
    el("summary", {}, "Scoring rules"),
    el("div", { class: "grid-3" }, strategy.wrap, bonus.wrap, curve.wrap, streak.wrap, streakCap.wrap, penalty.wrap, multiplier.wrap),
  );
  const read = () => {
    if (!strategy.input.value) return undefined;
    const scoring = {
      strategy: strategy.input.value,
      streak_bonus: Number(streak.input.value || 0),
      streak_cap: Number(streakCap.input.value || 0),
      multiplier: Number(multiplier.input.value || 1),
    };
    if (scoring.strategy === "speed") {
      scoring.speed_bonus = Number(bonus.input.value || 0);
      scoring.speed_curve = curve.input.value;
    }
    const wrong = intOrNull(penalty.input);
    if (wrong !== undefined) scoring.wrong_answer_penalty = wrong;
    return scoring;
  };
  return { node, read };
}

function boxFields() {
  const defaults = { easy: [50, 150], medium: [100, 300], hard: [200, 600] };
  const rows = Object.entries(defaults).map(([difficulty, [cost, reward]], i) => {
    const on = checkbox({ label: `${difficulty[0].toUpperCase()}${difficulty.slice(1)} box`, name: `box-${difficulty}` });
    const costField = field({ label: "Cost", name: `mystery_boxes.${i}.cost`, type: "number", min: 0, value: cost });
    const rewardField = field({ label: "Reward", name: `mystery_boxes.${i}.reward`, type: "number", min: 0, value: reward });
    return { difficulty, on, costField, rewardField };
  });
  const node = el(
    "fieldset",
    { class: "boxes" },
    el("legend", {}, "Mystery boxes"),
    el("p", { class: "muted" }, "A team pays the cost to draw a mystery question of that difficulty worth the reward."),
    rows.map((r) => el("div", { class: "row box-row" }, r.on.wrap, r.costField.wrap, r.rewardField.wrap)),
  );
  const read = () =>
    rows
      .filter((r) => r.on.input.checked)
      .map((r) => ({ difficulty: r.difficulty, cost: Number(r.costField.input.value || 0), reward: Number(r.rewardField.input.value || 0) }));
  return { node, read };
}

export function roundForm(state) {
  const kind = field({
    label: "Kind",
    name: "kind",
    type: "select",
    value: "live",
    options: [
      ["live", "Live: you open one question at a time for everyone"],
      ["pool", "Pool: teams claim questions at their own pace"],
    ],
  });
  const title = field({ label: "Title", name: "title", required: true, maxlength: 200 });
  const timeLimit = field({ label: "Time limit per question (s)", name: "settings.time_limit_s", type: "number", min: 1, max: 3600, value: 30 });
  const exclusive = checkbox({ label: "Exclusive: each question goes to one team only", name: "exclusive", checked: true });
  const claimLimit = field({ label: "Questions a team may hold at once", name: "claim_limit", type: "number", min: 1, max: 1000, value: 1, hint: "Empty: no limit." });
  const scoring = scoringFields();
  const boxes = boxFields();
  const liveOnly = el("div", { class: "kind-live" }, timeLimit.wrap);
  const poolOnly = el("div", { class: "kind-pool" }, el("div", { class: "grid-2" }, claimLimit.wrap), exclusive.wrap, boxes.node);
  const showKind = () => {
    liveOnly.hidden = kind.input.value !== "live";
    poolOnly.hidden = kind.input.value !== "pool";
  };
  kind.input.addEventListener("change", showKind);
  showKind();
  const submit = el("button", { type: "submit" }, "Add round");
  const status = el("div", { role: "status" });
  const form = el(
    "form",
    { class: "panel", "aria-labelledby": "add-round-h", novalidate: true },
    el("h3", { id: "add-round-h" }, "Add a round"),
    el("div", { class: "grid-2" }, kind.wrap, title.wrap),
    liveOnly,
    poolOnly,
    scoring.node,
    el("div", { class: "row" }, submit),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = { kind: kind.input.value, title: title.input.value.trim(), settings: {} };
    if (body.kind === "live") {
      const limit = intOrNull(timeLimit.input);
      if (limit !== undefined) body.settings.time_limit_s = limit;
    } else {
      body.exclusive = exclusive.input.checked;
      body.claim_limit = intOrNull(claimLimit.input) ?? null;
      body.mystery_boxes = boxes.read();
    }
    const rules = scoring.read();
    if (rules) body.settings.scoring = rules;
    await busy(submit, async () => {
      try {
        const round = await call(`/contests/${state.id}/rounds`, { method: "POST", body });
        await state.refreshContest();
        await state.loadQuestions(round.id);
        form.reset();
        showKind();
        flash(status, `Round “${round.title}” added. Add its questions below.`);
        announce(`Round ${round.title} added.`);
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  return form;
}
