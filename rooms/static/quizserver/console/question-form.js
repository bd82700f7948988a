// A question's form, one set of fields per type (choice, numeric, text, essay, code), and
// how a question is summed up for the quizmaster (with its answer).

import { el, replace } from "../common/ui.js";
import { field, checkbox, showErrors, clearErrors, busy, intOrNull, uid } from "./forms.js";

const TYPES = [
  ["choice", "Multiple choice"],
  ["numeric", "Number"],
  ["text", "Text"],
  ["essay", "Essay (graded by hand)"],
  ["code", "Code (judged by tests)"],
];
const LANGUAGES = [
  ["python", "Python 3"],
  ["c", "C"],
  ["cpp", "C++"],
  ["java", "Java"],
  ["javascript", "JavaScript (Node)"],
];
const DIFFICULTIES = [
  ["easy", "Easy"],
  ["medium", "Medium"],
  ["hard", "Hard"],
];

// The answer as the quizmaster reads it.
export function answerSummary(q) {
  switch (q.type) {
    case "choice":
      return q.choices.map((c, i) => `${q.answer.includes(i) ? "✓" : "·"} ${c}`).join("  ");
    case "numeric":
      return `${q.answer}${q.tolerance ? ` ± ${q.tolerance}` : ""}`;
    case "text":
      return q.answer.join(" | ");
    case "code": {
      const samples = q.tests.filter((t) => t.sample).length;
      return `${q.tests.length} tests (${samples} sample) · ${q.languages.join(", ")} · ${q.compare}`;
    }
    default:
      return "Graded by hand";
  }
}

// Each type's fields take `initial`, the question being changed (null: a new question), and
// `editing`; when editing, `read()` also sends what the quizmaster cleared or unchecked, as
// a change only names the fields it sends.
function choiceFields(initial, editing) {
  const list = el("div", { class: "choice-list" });
  const addRow = (value = "", isCorrect = false) => {
    const index = list.children.length;
    const text = el("input", { type: "text", name: `choices.${index}`, id: uid("choice"), "aria-label": `Choice ${index + 1}`, value });
    const correct = el("input", { type: "checkbox", id: uid("correct"), class: "correct", checked: isCorrect });
    list.append(
      el("div", { class: "choice-row" }, text, el("span", { class: "check-inline" }, correct, el("label", { for: correct.id }, `Choice ${index + 1} is correct`))),
    );
  };
  if (initial) initial.choices.forEach((choice, i) => addRow(choice, initial.answer.includes(i)));
  while (list.children.length < (initial ? 2 : 4)) addRow();
  const multiple = checkbox({ label: "Teams may pick several choices", name: "multiple", checked: Boolean(initial?.multiple) });
  const add = el("button", { type: "button", class: "secondary", onclick: () => addRow() }, "Add a choice");
  const node = el("fieldset", { name: "choices" }, el("legend", {}, "Choices (mark the correct ones)"), list, add, multiple.wrap);
  const read = () => {
    const rows = [...list.children].map((row) => ({
      text: row.querySelector('input[type="text"]').value.trim(),
      correct: row.querySelector(".correct").checked,
    }));
    const kept = rows.filter((r) => r.text !== "");
    const answer = kept.flatMap((r, i) => (r.correct ? [i] : []));
    const out = { choices: kept.map((r) => r.text), answer };
    // Several correct choices make a question that takes several, as when it is added.
    if (multiple.input.checked) out.multiple = true;
    else if (editing) out.multiple = answer.length > 1;
    return out;
  };
  return { node, read };
}

function numericFields(initial) {
  const answer = field({ label: "Correct number", name: "answer", type: "number", step: "any", required: true, value: initial?.answer });
  const tolerance = field({ label: "Tolerance (±)", name: "tolerance", type: "number", step: "any", min: 0, value: initial?.tolerance ?? 0 });
  const node = el("div", { class: "grid-2" }, answer.wrap, tolerance.wrap);
  const read = () => ({
    answer: answer.input.value === "" ? null : Number(answer.input.value),
    tolerance: Number(tolerance.input.value || 0),
  });
  return { node, read };
}

function textFields(initial) {
  const answer = field({
    label: "Accepted answers",
    name: "answer",
    type: "textarea",
    rows: 3,
    required: true,
    value: initial ? initial.answer.join("\n") : "",
    hint: "One per line. Case, accents and surrounding punctuation do not matter.",
  });
  const read = () => ({ answer: answer.input.value.split("\n").map((s) => s.trim()).filter(Boolean) });
  return { node: answer.wrap, read };
}

function essayFields(initial) {
  const max = field({ label: "Longest answer (characters)", name: "max_length", type: "number", min: 1, max: 20000, value: initial?.max_length ?? 5000 });
  return { node: max.wrap, read: () => ({ max_length: Number(max.input.value || 5000) }) };
}

function testRow(index, test) {
  const input = field({ label: `Test ${index + 1} input`, name: `tests.${index}.input`, type: "textarea", rows: 3, value: test.input });
  const output = field({ label: `Test ${index + 1} expected output`, name: `tests.${index}.output`, type: "textarea", rows: 3, value: test.output });
  const weight = field({ label: "Weight", name: `tests.${index}.weight`, type: "number", min: 1, max: 1000, value: test.weight ?? 1 });
  const isSample = checkbox({ label: "Sample (shown to teams)", name: `tests.${index}.sample`, checked: Boolean(test.sample) });
  const node = el("fieldset", { class: "test-row" }, el("legend", {}, `Test ${index + 1}`), el("div", { class: "grid-2" }, input.wrap, output.wrap), el("div", { class: "row" }, weight.wrap, isSample.wrap));
  const read = () => ({
    input: input.input.value,
    output: output.input.value,
    weight: Number(weight.input.value || 1),
    sample: isSample.input.checked,
  });
  return { node, read };
}

function codeFields(initial, editing) {
  const chosen = initial ? initial.languages : ["python"];
  const languages = LANGUAGES.map(([value, label]) => ({ value, ...checkbox({ label, name: `lang-${value}`, checked: chosen.includes(value) }) }));
  const tests = [];
  const testList = el("div", { class: "tests" });
  const addTest = (test = { sample: tests.length === 0 }) => {
    const row = testRow(tests.length, test);
    tests.push(row);
    testList.append(row.node);
  };
  if (initial) initial.tests.forEach((test) => addTest(test));
  else {
    addTest();
    addTest();
  }
  const timeLimit = field({ label: "Time limit per test (ms)", name: "time_limit_ms", type: "number", min: 100, max: 20000, value: initial?.time_limit_ms ?? 2000 });
  const memory = field({ label: "Memory limit (MB)", name: "memory_mb", type: "number", min: 16, max: 2048, value: initial?.memory_mb ?? 256 });
  const compare = field({
    label: "Compare output",
    name: "compare",
    type: "select",
    value: initial?.compare ?? "whitespace",
    options: [
      ["whitespace", "By tokens (whitespace ignored)"],
      ["exact", "Byte for byte"],
      ["float", "By tokens, numbers within a tolerance"],
    ],
  });
  const tolerance = field({ label: "Number tolerance", name: "tolerance", type: "number", step: "any", min: 0, max: 1, value: initial?.tolerance ?? 0.000001 });
  const allOrNothing = checkbox({ label: "Points only when every test passes", name: "all_or_nothing", checked: Boolean(initial?.all_or_nothing) });
  const attempts = field({ label: "Most attempts", name: "max_attempts", type: "number", min: 1, hint: "Empty: no limit.", value: initial?.max_attempts ?? "" });
  const penalty = field({ label: "Penalty per wrong attempt", name: "wrong_attempt_penalty", type: "number", min: 0, value: initial?.wrong_attempt_penalty ?? 0 });
  const node = el(
    "div",
    {},
    el("fieldset", { name: "languages" }, el("legend", {}, "Languages"), el("div", { class: "row" }, languages.map((l) => l.wrap))),
    el("div", { class: "grid-3" }, timeLimit.wrap, memory.wrap, compare.wrap, tolerance.wrap, attempts.wrap, penalty.wrap),
    allOrNothing.wrap,
    el("fieldset", { name: "tests" }, el("legend", {}, "Tests"), testList, el("button", { type: "button", class: "secondary", onclick: () => addTest() }, "Add a test")),
  );
  const read = () => {
    const out = {
      languages: languages.filter((l) => l.input.checked).map((l) => l.value),
      tests: tests.map((t) => t.read()),
      time_limit_ms: Number(timeLimit.input.value || 2000),
      memory_mb: Number(memory.input.value || 256),
      compare: compare.input.value,
      all_or_nothing: allOrNothing.input.checked,
      wrong_attempt_penalty: Number(penalty.input.value || 0),
    };
    if (out.compare === "float") out.tolerance = Number(tolerance.input.value || 0);
    const most = intOrNull(attempts.input);
    if (most !== undefined) out.max_attempts = most;
    else if (editing) out.max_attempts = null; // cleared: no limit
    return out;
  };
  return { node, read };
}

const TYPE_FIELDS = { choice: choiceFields, numeric: numericFields, text: textFields, essay: essayFields, code: codeFields };

// `onSubmit(definition)` returns a promise; an ApiError it throws is shown on the form.
// With `initial` (a question as the round's list gives it) the form changes that question:
// prefilled, its type fixed (the server refuses another), and it stays as saved, with
// `onSaved(node)` given the status line to add what comes next (a regrade).
export function questionForm({ onSubmit, submitLabel, allowMystery = false, withTags = false, initial = null, onSaved = null }) {
  const editing = Boolean(initial);
  const type = field({
    label: "Type",
    name: "type",
    type: "select",
    options: TYPES,
    value: initial?.type ?? "choice",
    disabled: editing,
    hint: editing ? "A question's type cannot change; add a new question instead." : undefined,
  });
  const prompt = field({ label: "Question", name: "prompt", type: "textarea", rows: 3, required: true, maxlength: 5000, value: initial?.prompt });
  const points = field({ label: "Points", name: "points", type: "number", min: 0, max: 100000, value: initial?.points ?? 100 });
  const difficulty = field({ label: "Difficulty", name: "difficulty", type: "select", options: DIFFICULTIES, value: initial?.difficulty ?? "medium" });
  const timeLimit = field({ label: "Time limit (s)", name: "time_limit_s", type: "number", min: 1, max: 3600, hint: "Live rounds; empty: the round's.", value: initial?.time_limit_s ?? undefined });
  const mystery = checkbox({ label: "Mystery question (only drawn from a mystery box)", name: "mystery", checked: Boolean(initial?.mystery) });
  const tags = field({ label: "Tags", name: "tags", hint: "Comma-separated, to find it in the bank later." });
  const specific = el("div", { class: "type-fields" });
  let current = null;
  const switchType = () => {
    current = TYPE_FIELDS[type.input.value](editing ? initial : null, editing);
    replace(specific, current.node);
  };
  type.input.addEventListener("change", switchType);
  switchType();
  const submit = el("button", { type: "submit" }, submitLabel ?? (editing ? "Save changes" : "Add question"));
  const status = el("div", { class: "form-status", role: "status" });
  const form = el(
    "form",
    { class: "question-form", novalidate: true },
    el("div", { class: "grid-3" }, type.wrap, points.wrap, difficulty.wrap, timeLimit.wrap),
    prompt.wrap,
    specific,
    allowMystery ? mystery.wrap : null,
    withTags ? tags.wrap : null,
    el("div", { class: "row" }, submit),
    status,
  );
  const read = () => {
    const definition = {
      type: type.input.value,
      prompt: prompt.input.value.trim(),
      points: Number(points.input.value || 0),
      difficulty: difficulty.input.value,
      ...current.read(),
    };
    const limit = intOrNull(timeLimit.input);
    if (limit !== undefined) definition.time_limit_s = limit;
    else if (editing) definition.time_limit_s = null; // cleared: the round's limit
    if (allowMystery && (editing || mystery.input.checked)) definition.mystery = mystery.input.checked;
    if (withTags) definition.tags = tags.input.value.split(",").map((t) => t.trim()).filter(Boolean);
    return definition;
  };
  const added = () => {
    const kept = type.input.value;
    form.reset();
    type.input.value = kept;
    switchType();
    replace(status, el("p", { class: "notice" }, "Question added."));
    prompt.input.focus();
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    replace(status);
    await busy(submit, async () => {
      try {
        await onSubmit(read());
        if (!editing) return added();
        replace(status, el("p", { class: "notice" }, "Changes saved."));
        onSaved?.(status);
      } catch (error) {
        const fields = error.fields && Object.keys(error.fields).length === 1 && error.fields["0"] ? error.fields["0"] : error.fields;
        showErrors(form, error, { fields });
      }
    });
  });
  return form;
}
