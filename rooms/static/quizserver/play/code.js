// Code questions: a plain textarea editor with a language choice, "Run the samples"
// (POST /me/runs, its result as `run.done`), and the judge's verdict per attempt with
// each test's verdict (`answer.scored`). No editor library: everything is served locally.

import { api, ApiError } from "../common/api.js";
import { el, replace, announce, VERDICTS } from "../common/ui.js";
import { draftGet, draftSet } from "./session.js";

const LANGUAGE_NAMES = { python: "Python 3", c: "C", cpp: "C++", java: "Java", javascript: "JavaScript (Node)" };

const STARTERS = {
  python: "import sys\n\ndata = sys.stdin.read().split()\n",
  javascript: 'const data = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/);\n',
};

export function verdictName(code) {
  return code ? `${VERDICTS[code] || code} (${code})` : "Judging…";
}

function verdictChip(verdict, label) {
  const tone = verdict === "AC" ? "good" : verdict ? "bad" : "muted";
  return el("span", { class: `verdict-chip ${tone}` }, `${label}: ${verdict || "skipped"}`);
}

function preBlock(title, text) {
  if (!text) return null;
  return el("div", { class: "pre-block" }, el("p", { class: "small muted" }, title), el("pre", {}, text));
}

// Tab indents in the editor; Escape, then Tab, leaves it (said in the hint beneath), so a
// keyboard user is never trapped in it.
function editorKeys(textarea) {
  let escaped = false;
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      escaped = true;
      return;
    }
    if (event.key === "Tab" && !escaped && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      const { selectionStart: start, selectionEnd: end, value } = textarea;
      textarea.value = `${value.slice(0, start)}    ${value.slice(end)}`;
      textarea.selectionStart = textarea.selectionEnd = start + 4;
      textarea.dispatchEvent(new Event("input"));
      return;
    }
    escaped = false;
  });
  textarea.addEventListener("blur", () => {
    escaped = false;
  });
}

function limitsText(question) {
  const parts = [];
  if (question.time_limit_ms) parts.push(`${question.time_limit_ms / 1000} s per test`);
  if (question.memory_mb) parts.push(`${question.memory_mb} MB memory`);
  if (question.compare === "float") parts.push(`numbers compared within ${question.tolerance}`);
  else if (question.compare === "exact") parts.push("output compared byte for byte");
  if (question.all_or_nothing) parts.push("all tests must pass to score");
  if (question.max_attempts) parts.push(`at most ${question.max_attempts} attempts`);
  if (question.wrong_attempt_penalty) parts.push(`−${question.wrong_attempt_penalty} points per wrong attempt`);
  return parts.join(" · ");
}

function samplesBlock(question) {
  const samples = question.samples || [];
  if (!samples.length) return null;
  return el(
    "details",
    { class: "samples", open: true },
    el("summary", {}, samples.length === 1 ? "Sample test" : `${samples.length} sample tests`),
    samples.map((sample, index) =>
      el(
        "div",
        { class: "sample" },
        el("p", { class: "small muted" }, `Sample ${index + 1}`),
        el("div", { class: "sample-io" }, preBlock("Input", sample.input || "(empty)"), preBlock("Expected output", sample.output || "(empty)")),
      ),
    ),
  );
}

function runView(run) {
  if (!run) return [];
  if (run.status !== "done") return [el("p", { class: "notice" }, "Running your program on the samples…")];
  const passed = run.tests.filter((t) => t.verdict === "AC").length;
  const tone = run.verdict === "AC" ? "good" : "bad";
  return [
    el("p", { class: `result ${tone}` }, `Samples: ${verdictName(run.verdict)} — ${passed} of ${run.tests.length} passed. Not scored.`),
    preBlock("Compiler", run.compile_output),
    ...run.tests.map((test, index) =>
      el(
        "div",
        { class: "run-test" },
        el("p", { class: "row" }, verdictChip(test.verdict, `Sample ${index + 1}`), el("span", { class: "muted small" }, `${test.time_ms} ms · ${Math.round(test.memory_kb / 1024)} MB`)),
        preBlock("Your output", test.stdout),
        preBlock("Errors", test.stderr),
      ),
    ),
  ];
}

// The program an attempt sent, read-only, whichever device of the team sent it.
function sentProgram(answer, title) {
  const given = answer.given;
  if (given === undefined) return answer.given_size === undefined ? null : el("p", { class: "muted small" }, "Loading the program your team sent…");
  if (!given || typeof given !== "object") return null;
  const language = LANGUAGE_NAMES[given.language] || given.language;
  return el(
    "details",
    { class: "sent-program" },
    el("summary", {}, `Program sent (${language})`),
    el("pre", { class: "given-code", role: "region", "aria-label": `${title}: the program sent, in ${language}`, tabindex: "0" }, given.source),
  );
}

// What a code answer's attempt looks like in the card.
export function attemptView(answer) {
  const judge = answer.judge;
  const title = `Attempt ${answer.attempt || 1}`;
  if (!judge || !judge.verdict) {
    const words = answer.status === "running" ? "being judged…" : "waiting for the judge…";
    return el("li", { class: "attempt" }, el("p", {}, `${title}: ${words}`), sentProgram(answer, title));
  }
  const passed = judge.tests.filter((t) => t.verdict === "AC").length;
  const tone = judge.verdict === "AC" ? "good" : "bad";
  const points = answer.points > 0 ? `+${answer.points} points` : `${answer.points} points`;
  return el(
    "li",
    { class: "attempt" },
    el("p", { class: `result ${tone}` }, `${title}: ${verdictName(judge.verdict)} — ${passed} of ${judge.tests.length} tests passed, ${points}.`),
    el("p", { class: "chips" }, judge.tests.map((test, index) => verdictChip(test.verdict, `Test ${index + 1}`))),
    preBlock("Compiler", judge.compile_output),
    answer.feedback ? el("p", { class: "feedback" }, `Quizmaster: ${answer.feedback}`) : null,
    sentProgram(answer, title),
  );
}

export function codeInput(question, idBase, context) {
  const { code, auth } = context;
  const languages = question.languages || ["python"];
  const selectId = `${idBase}-language`;
  const editorId = `${idBase}-source`;
  const select = el(
    "select",
    { id: selectId },
    languages.map((lang) => el("option", { value: lang }, LANGUAGE_NAMES[lang] || lang)),
  );
  const saved = draftGet(code, question.id, "language");
  if (saved && languages.includes(saved)) select.value = saved;
  const editor = el("textarea", {
    id: editorId,
    class: "code-editor",
    rows: 12,
    spellcheck: "false",
    autocapitalize: "off",
    autocomplete: "off",
    "aria-describedby": `${editorId}-hint`,
  });
  editor.value = draftGet(code, question.id, "source") ?? STARTERS[select.value] ?? "";
  editorKeys(editor);
  editor.addEventListener("input", () => draftSet(code, question.id, "source", editor.value));
  select.addEventListener("change", () => draftSet(code, question.id, "language", select.value));

  const runButton = el("button", { type: "button", class: "secondary" }, "Run the samples");
  const runArea = el("div", { class: "run-area", "aria-live": "polite" });
  const runError = el("p", { class: "error", hidden: true });
  let waitingRun = null;
  let shownRun;

  const read = () => {
    if (!editor.value.trim()) return { error: "Write your program first." };
    if (editor.value.length > 65536) return { error: "The program is longer than 64 KiB." };
    return { value: { language: select.value, source: editor.value } };
  };

  runButton.addEventListener("click", async () => {
    const body = read();
    runError.hidden = true;
    if (body.error) {
      runError.textContent = body.error;
      runError.hidden = false;
      return;
    }
    runButton.disabled = true;
    try {
      const result = await api("/me/runs", { method: "POST", auth, body: { question: question.id, answer: body.value } });
      waitingRun = result.run.id;
      context.onRun(result.run);
      announce("Running your program on the samples.");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      runError.textContent = error.message;
      runError.hidden = false;
      runButton.disabled = false;
    }
  });

  const node = el(
    "div",
    { class: "code-input" },
    el("p", { class: "small muted" }, limitsText(question)),
    samplesBlock(question),
    el("label", { for: selectId }, "Language"),
    select,
    el("label", { for: editorId }, "Your program"),
    editor,
    el("p", { class: "small muted", id: `${editorId}-hint` }, "Reads standard input, writes standard output. Tab indents; press Esc, then Tab, to leave the editor."),
    el("div", { class: "row" }, runButton),
    runError,
    runArea,
  );

  return {
    node,
    read,
    setDisabled(disabled) {
      editor.readOnly = disabled;
      select.disabled = disabled;
      runButton.disabled = disabled || (waitingRun !== null);
    },
    focus() {
      editor.focus();
    },
    // The latest sample run of this question (from the run's reply or `run.done`).
    showRun(run, disabled) {
      if (run && run.status === "done" && waitingRun === run.id) {
        waitingRun = null;
        announce(`Samples: ${verdictName(run.verdict)}.`);
      }
      if (run && run.status !== "done") waitingRun = run.id;
      runButton.disabled = disabled || waitingRun !== null;
      if (run !== shownRun) replace(runArea, runView(run));
      shownRun = run;
    },
  };
}
