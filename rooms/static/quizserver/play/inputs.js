// Answer inputs, one kind per question type. Each returns
//   {node, read() → {value} | {error}, setDisabled(bool), focus(), showGiven(given),
//    showReveal(answer)?}
// and keeps what the person typed across redraws (the card owns the node). `showGiven`
// shows the team's locked answer, whichever of its devices sent it.

import { el } from "../common/ui.js";
import { draftGet, draftSet } from "./session.js";

function choiceInput(question, idBase) {
  const multiple = Boolean(question.multiple);
  const name = `${idBase}-choice`;
  const options = question.choices.map((text, index) => {
    const id = `${name}-${index}`;
    const input = el("input", { type: multiple ? "checkbox" : "radio", id, name, value: String(index) });
    const label = el(
      "label",
      { for: id, class: "choice" },
      input,
      el("span", { class: "choice-letter", "aria-hidden": "true" }, String.fromCharCode(65 + index)),
      el("span", { class: "choice-text" }, text),
    );
    return { input, label };
  });
  const legendText = multiple ? "Choose every right answer" : "Choose one answer";
  const node = el(
    "fieldset",
    { class: "choices" },
    el("legend", { class: "muted small" }, legendText),
    options.map((o) => o.label),
  );
  return {
    node,
    read() {
      const picked = options.filter((o) => o.input.checked).map((o) => Number(o.input.value));
      if (!picked.length) return { error: multiple ? "Pick at least one answer." : "Pick an answer." };
      return { value: picked };
    },
    setDisabled(disabled) {
      for (const o of options) o.input.disabled = disabled;
      node.classList.toggle("locked", disabled);
    },
    focus() {
      (options.find((o) => o.input.checked) || options[0]).input.focus();
    },
    showGiven(given) {
      const picked = new Set(given);
      options.forEach((o, index) => {
        o.input.checked = picked.has(index);
        o.label.classList.toggle("given", picked.has(index));
      });
    },
    showReveal(answer) {
      const right = new Set((answer && answer.answer) || []);
      options.forEach((o, index) => {
        o.label.classList.toggle("right", right.has(index));
        o.label.classList.toggle("picked-wrong", o.input.checked && !right.has(index));
      });
    },
  };
}

// Numbers as people type them: a comma for the decimal point, spaces between thousands.
export function parseNumber(raw) {
  const text = String(raw).trim().replace(/\s+/g, "").replace(",", ".");
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function numericInput(question, idBase) {
  const id = `${idBase}-number`;
  const input = el("input", { id, type: "text", inputmode: "decimal", autocomplete: "off", spellcheck: "false" });
  const node = el("div", { class: "answer-field" }, el("label", { for: id }, "Your answer (a number)"), input);
  return {
    node,
    read() {
      const value = parseNumber(input.value);
      return value === null ? { error: "Type a number, like 42 or 3.14." } : { value };
    },
    setDisabled(disabled) {
      input.disabled = disabled;
    },
    focus() {
      input.focus();
    },
    showGiven(given) {
      input.value = String(given);
    },
  };
}

function textInput(question, idBase) {
  const id = `${idBase}-text`;
  const input = el("input", { id, type: "text", maxlength: 500, autocomplete: "off", spellcheck: "false" });
  const node = el("div", { class: "answer-field" }, el("label", { for: id }, "Your answer"), input);
  return {
    node,
    read() {
      const value = input.value.trim();
      return value ? { value } : { error: "Type your answer first." };
    },
    setDisabled(disabled) {
      input.disabled = disabled;
    },
    focus() {
      input.focus();
    },
    showGiven(given) {
      input.value = String(given);
    },
  };
}

function essayInput(question, idBase, { code }) {
  const id = `${idBase}-essay`;
  const limit = question.max_length || 5000;
  const input = el("textarea", { id, maxlength: limit, rows: 6, class: "essay", "aria-describedby": `${id}-count` });
  input.value = draftGet(code, question.id, "essay") || "";
  const count = el("p", { id: `${id}-count`, class: "muted small" });
  const showCount = () => {
    count.textContent = `${input.value.length} of ${limit} characters`;
  };
  input.addEventListener("input", () => {
    showCount();
    draftSet(code, question.id, "essay", input.value);
  });
  showCount();
  const node = el("div", { class: "answer-field" }, el("label", { for: id }, "Your answer (graded by the quizmaster)"), input, count);
  return {
    node,
    read() {
      const value = input.value.trim();
      return value ? { value } : { error: "Write your answer first." };
    },
    setDisabled(disabled) {
      input.disabled = disabled;
    },
    focus() {
      input.focus();
    },
    // The card shows the team's essay in full beneath; the box to write in goes away.
    showGiven() {
      node.hidden = true;
    },
  };
}

export function answerInput(question, idBase, context) {
  if (question.type === "choice") return choiceInput(question, idBase);
  if (question.type === "numeric") return numericInput(question, idBase);
  if (question.type === "essay") return essayInput(question, idBase, context);
  return textInput(question, idBase);
}

// The accepted answer in words, from a reveal's `answer`.
export function acceptedAnswerText(question, answer) {
  if (!answer || answer.answer === undefined) return null;
  if (question.type === "choice") return answer.answer.map((i) => question.choices[i]).join(", ");
  if (question.type === "numeric") {
    return answer.tolerance ? `${answer.answer} (± ${answer.tolerance})` : String(answer.answer);
  }
  if (Array.isArray(answer.answer)) return answer.answer.join(" / ");
  return String(answer.answer);
}

// The team's answer in words: "C. Pacific", "3.15", the text or essay as sent.
export function givenText(question, given) {
  if (given === undefined || given === null) return null;
  if (question.type === "choice" && Array.isArray(given)) {
    return given.map((i) => `${String.fromCharCode(65 + i)}. ${(question.choices || [])[i] ?? ""}`.trim()).join(", ");
  }
  if (question.type === "code" && typeof given === "object") return given.source;
  return String(given);
}
