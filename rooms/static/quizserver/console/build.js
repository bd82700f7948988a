// Build a contest: its settings, its rounds and their questions, imports and the bank.

import { el, replace, announce } from "../common/ui.js";
import { call, saveFile } from "./session.js";
import { field, checkbox, showErrors, clearErrors, busy, modal, flash, tableBox } from "./forms.js";
import { questionForm, answerSummary } from "./question-form.js";
import { regradeDialog, canRegrade } from "./regrade.js";
import { roundForm } from "./round-form.js";
import { importPanel, bankPanel, bankPicker } from "./import-bank.js";
import { statusTag } from "./contests.js";
import { watch } from "./shell.js";

function settingsForm(state) {
  const c = state.contest;
  const s = c.settings || {};
  const title = field({ label: "Title", name: "title", value: c.title, maxlength: 200 });
  const starting = field({ label: "Starting points", name: "settings.starting_points", type: "number", min: 0, value: s.starting_points ?? 0 });
  const penalty = field({ label: "Wrong-answer penalty", name: "settings.wrong_answer_penalty", type: "number", min: 0, value: s.wrong_answer_penalty ?? 0 });
  const freeze = field({
    label: "Freeze the public standings at",
    name: "settings.freeze_at",
    type: "datetime-local",
    value: s.freeze_at ? toLocalInput(s.freeze_at) : "",
    hint: "Optional; your local time. You can also freeze by hand on the Run tab.",
  });
  const late = checkbox({ label: "Teams may join after the start", name: "settings.allow_late_join", checked: s.allow_late_join !== false });
  const submit = el("button", { type: "submit" }, "Save settings");
  const status = el("div", { role: "status" });
  const form = el(
    "form",
    { class: "panel", "aria-labelledby": "settings-h", novalidate: true },
    el("h3", { id: "settings-h" }, "Contest settings"),
    el("div", { class: "grid-2" }, title.wrap, starting.wrap, penalty.wrap, freeze.wrap),
    late.wrap,
    el("div", { class: "row" }, submit),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = {
      title: title.input.value.trim(),
      settings: {
        starting_points: Number(starting.input.value || 0),
        wrong_answer_penalty: Number(penalty.input.value || 0),
        allow_late_join: late.input.checked,
        freeze_at: freeze.input.value ? new Date(freeze.input.value).toISOString() : null,
      },
    };
    await busy(submit, async () => {
      try {
        state.setContest(await call(`/contests/${state.id}`, { method: "PATCH", body }));
        flash(status, "Settings saved.");
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  return form;
}

function toLocalInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function roundSummaryText(r) {
  const parts = [r.kind === "live" ? "Live" : "Pool", `${r.question_count} question${r.question_count === 1 ? "" : "s"}`];
  if (r.kind === "pool") {
    parts.push(r.exclusive ? "exclusive" : "shared");
    parts.push(r.claim_limit === null ? "no hold limit" : `hold ${r.claim_limit}`);
    if (r.mystery_boxes.length) parts.push(`${r.mystery_boxes.length} mystery box${r.mystery_boxes.length === 1 ? "" : "es"}`);
  }
  if (r.settings?.time_limit_s) parts.push(`${r.settings.time_limit_s} s per question`);
  if (r.settings?.scoring?.strategy) parts.push(`${r.settings.scoring.strategy} scoring`);
  return parts.join(" · ");
}

function questionActions(state, round, q, regrade) {
  const which = el("span", { class: "visually-hidden" }, ` question ${q.position}`);
  return el(
    "td",
    { class: "actions" },
    el("button", { type: "button", class: "secondary small-button", "data-focus-key": `edit-${q.id}`, onclick: () => openEditForm(state, round, q) }, "Edit", which),
    regrade
      ? el("button", { type: "button", class: "secondary small-button", "data-focus-key": `regrade-${q.id}`, onclick: () => regradeDialog(state, { question: q }) }, "Regrade", which.cloneNode(true))
      : null,
  );
}

function questionTable(state, round, questions, regrade) {
  if (!questions) return el("p", { class: "muted" }, "Loading questions…");
  if (!questions.length) return el("p", { class: "muted" }, "No questions yet.");
  return tableBox(
    "Questions",
    ["#", "Type", "Question", "Answer", "Points", "Difficulty", ""],
    questions.map((q) =>
      el(
        "tr",
        { "data-question": q.id },
        el("td", {}, String(q.position)),
        el("td", {}, q.type, q.mystery ? el("span", { class: "tag" }, "mystery") : null),
        el("td", { class: "prompt-cell" }, q.prompt),
        el("td", { class: "answer-cell" }, answerSummary(q)),
        el("td", {}, String(q.points)),
        el("td", {}, q.difficulty),
        questionActions(state, round, q, regrade),
      ),
    ),
  );
}

function openQuestionForm(state, round) {
  const form = questionForm({
    allowMystery: round.kind === "pool",
    onSubmit: async (definition) => {
      await call(`/rounds/${round.id}/questions`, { method: "POST", body: definition });
      await Promise.all([state.loadQuestions(round.id), state.refreshContest()]);
      announce("Question added.");
    },
  });
  modal(`Add a question to “${round.title}”`, form);
  form.querySelector("select, input, textarea").focus();
}

// Change a question in place. Answers already scored keep their points until a regrade,
// which the dialog offers once the change is saved.
function openEditForm(state, round, q) {
  let saved = q;
  const form = questionForm({
    initial: q,
    allowMystery: round.kind === "pool",
    onSubmit: async (definition) => {
      saved = await call(`/questions/${q.id}`, { method: "PATCH", body: definition });
      await state.loadQuestions(round.id);
      announce("Changes saved.");
    },
    onSaved: (status) => {
      if (!canRegrade(state)) return;
      const regrade = el("button", { type: "button", class: "secondary small-button" }, "Regrade its answers…");
      regrade.addEventListener("click", () => {
        dialog.addEventListener("close", () => regradeDialog(state, { question: state.question(q.id) || { ...saved, position: q.position } }), { once: true });
        close();
      });
      status.append(el("p", {}, "Answers already scored keep their points until you regrade them. "), el("div", { class: "row" }, regrade));
    },
  });
  const { dialog, close } = modal(`Change question ${q.position} of “${round.title}”`, form);
  form.querySelector('[name="prompt"]').focus();
}

function roundPanel(state, round, openRounds) {
  const addQuestion = el("button", { type: "button", onclick: () => openQuestionForm(state, round) }, "Add a question…");
  const fromBank = el("button", { type: "button", class: "secondary", onclick: () => bankPicker(state, round) }, "Add from the bank…");
  const details = el(
    "details",
    { class: "round panel", open: openRounds.get(round.id) ?? round.question_count === 0, "data-round": round.id },
    el(
      "summary",
      {},
      el("span", { class: "round-title" }, `${round.position}. ${round.title}`),
      " ",
      statusTag(round.status),
      el("span", { class: "muted round-meta" }, ` ${roundSummaryText(round)}`),
    ),
    questionTable(state, round, state.questions.get(round.id), canRegrade(state)),
    el("div", { class: "row" }, addQuestion, fromBank),
  );
  details.addEventListener("toggle", () => openRounds.set(round.id, details.open));
  return details;
}

export function buildTab(container, state) {
  const openRounds = new Map(); // round id → open, as the quizmaster left it (default: open while empty)
  const rounds = el("div", { class: "rounds" });
  const exports = el("div", { class: "row" });
  // A panel is rebuilt only when its round or its questions changed (or regrades became
  // possible): events and refreshes redraw often, and a panel replaced under the
  // quizmaster's pointer or focus loses the click.
  const panels = new Map(); // round id → { key, node }
  const drawRounds = () => {
    const list = state.contest.rounds || [];
    if (!list.length) {
      panels.clear();
      replace(rounds, el("p", { class: "muted" }, "No rounds yet: add one below, or import a file."));
      return;
    }
    const nodes = list.map((r) => {
      const key = JSON.stringify([r, state.questions.get(r.id) ?? null, canRegrade(state)]);
      const kept = panels.get(r.id);
      if (kept && kept.key === key) return kept.node;
      const node = roundPanel(state, r, openRounds);
      panels.set(r.id, { key, node });
      return node;
    });
    for (const id of panels.keys()) if (!list.some((r) => r.id === id)) panels.delete(id);
    const active = document.activeElement && rounds.contains(document.activeElement) ? document.activeElement : null;
    const focused = active?.closest("details")?.dataset.round;
    const focusKey = active?.dataset.focusKey; // a question's button: its successor takes the focus
    const current = [...rounds.children];
    if (nodes.length === current.length) {
      // Same rounds in the same order: swap only the panels that changed.
      nodes.forEach((node, i) => current[i] !== node && current[i].replaceWith(node));
    } else {
      replace(rounds, nodes);
    }
    if (focused && !rounds.contains(document.activeElement)) {
      const successor = focusKey ? rounds.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`) : null;
      (successor || rounds.querySelector(`details[data-round="${focused}"] summary`))?.focus();
    }
  };
  drawRounds();
  const stop = watch(state, ["contest", "questions"], drawRounds);
  replace(
    container,
    el(
      "div",
      { class: "build-layout" },
      el(
        "div",
        { class: "build-main" },
        el("section", { class: "panel-plain", "aria-labelledby": "rounds-h" }, el("h3", { id: "rounds-h" }, "Rounds and questions"), rounds),
        roundForm(state),
        importPanel(state),
      ),
      el("div", { class: "build-side" }, settingsForm(state), bankPanel(state), exportPanel(state, exports)),
    ),
  );
  return { unmount: stop };
}

function exportPanel(state, row) {
  const code = state.contest.code.replace("-", "");
  replace(
    row,
    el("button", { type: "button", class: "secondary", onclick: (e) => busy(e.currentTarget, () => saveFile(`/contests/${state.id}/export.json`, `contest-${code}.json`).catch((err) => alertError(row, err))) }, "Export JSON"),
    el("button", { type: "button", class: "secondary", onclick: (e) => busy(e.currentTarget, () => saveFile(`/contests/${state.id}/export.csv`, `contest-${code}.csv`).catch((err) => alertError(row, err))) }, "Export CSV"),
  );
  return el("section", { class: "panel", "aria-labelledby": "export-h" }, el("h3", { id: "export-h" }, "Export"), el("p", { class: "muted" }, "The rounds and questions, in the import formats."), row);
}

function alertError(row, error) {
  row.after(el("p", { class: "error", role: "alert" }, error.message));
}
