// The essay grading queue: each essay answer with a grade (0 to the question's points) and
// feedback for the team. A changed grade moves the team's score by the difference.

import { el, replace, clockTime, announce } from "../common/ui.js";
import { call } from "./session.js";
import { field, busy, flash, showErrors, clearErrors } from "./forms.js";

function gradeForm(state, item, onGraded) {
  const max = item.question.max_points;
  const points = field({ label: `Points (0–${max})`, name: "points", type: "number", min: 0, max, required: true, value: item.graded_points ?? "" });
  const feedback = field({ label: "Feedback for the team", name: "feedback", type: "textarea", rows: 2, maxlength: 2000, value: item.feedback || "" });
  const submit = el("button", { type: "submit" }, item.status === "scored" ? "Change grade" : "Save grade");
  const status = el("div", { role: "status" });
  const form = el("form", { class: "grade-form", novalidate: true }, el("div", { class: "grid-2" }, points.wrap, feedback.wrap), el("div", { class: "row" }, submit), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    await busy(submit, async () => {
      try {
        const graded = await call(`/answers/${item.id}/grade`, { method: "POST", body: { points: Number(points.input.value), feedback: feedback.input.value } });
        flash(status, `Graded: ${graded.graded_points ?? points.input.value} points.`);
        onGraded();
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  return form;
}

function gradingItem(state, item, onGraded) {
  const headingId = `essay-${item.id}`;
  return el(
    "article",
    { class: "panel essay", "aria-labelledby": headingId },
    el("h4", { id: headingId }, `${item.team.name} · ${item.question.prompt}`),
    el("p", { class: "muted small" }, `Received ${clockTime(item.received_at)}`, item.graded_by ? ` · graded by ${item.graded_by}: ${item.graded_points} points` : " · not graded yet"),
    el("blockquote", { class: "essay-text" }, typeof item.text === "string" ? item.text : JSON.stringify(item.text)),
    gradeForm(state, item, onGraded),
  );
}

export function gradingTab(container, state) {
  const filter = field({
    label: "Show",
    name: "status",
    type: "select",
    value: "pending",
    options: [
      ["pending", "Waiting for a grade"],
      ["graded", "Graded"],
      ["all", "All essays"],
    ],
  });
  const refresh = el("button", { type: "button", class: "secondary" }, "Refresh");
  const fresh = el("div", { role: "status" });
  const list = el("div", { class: "essays" });
  // Reads overlap (the filter changed while one was on its way): only the newest draws,
  // and nothing draws once the tab is left.
  let reads = 0;
  let gone = false;
  const load = async () => {
    const read = ++reads;
    const status = filter.input.value;
    replace(fresh);
    let shown;
    try {
      const data = await call(`/contests/${state.id}/grading?status=${status}`);
      shown = data.answers.length ? data.answers.map((a) => gradingItem(state, a, () => {})) : el("p", { class: "muted" }, status === "pending" ? "Nothing to grade: every essay has a grade." : "No essays here.");
    } catch (error) {
      shown = el("p", { class: "error" }, error.message);
    }
    if (!gone && read === reads) replace(list, shown);
  };
  filter.input.addEventListener("change", load);
  refresh.addEventListener("click", () => busy(refresh, load));
  // New essays: say so, but do not redraw under a quizmaster who is typing a grade.
  const stop = state.on((topic) => {
    if (topic !== "history") return;
    const last = state.lastEvent;
    if (last?.type === "answer.recorded" && last.seq > state.historyUpTo && state.question(last.data.answer.question)?.type === "essay") {
      replace(fresh, el("p", { class: "notice" }, "New essays arrived. ", el("button", { type: "button", class: "secondary small-button", onclick: load }, "Show them")));
      announce("New essays to grade.");
    }
  });
  replace(container, el("section", { class: "panel", "aria-labelledby": "grading-h" }, el("h3", { id: "grading-h" }, "Essay grading"), el("div", { class: "row filter-row" }, filter.wrap, refresh), fresh), list);
  load();
  return {
    unmount() {
      gone = true;
      stop();
    },
  };
}
