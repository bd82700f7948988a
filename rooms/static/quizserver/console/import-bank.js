// Importing rounds and questions from a file (with the server's errors per line), and the
// quizmaster's question bank: list, add, import, remove, and copy into a round.

import { el, replace, announce } from "../common/ui.js";
import { call, upload, saveFile } from "./session.js";
import { busy, modal, flash, flattenErrors, tableBox, confirmAction, uid } from "./forms.js";
import { questionForm, answerSummary } from "./question-form.js";

// The 400 invalid_import body → a table: line, where, what is wrong.
function importErrors(error) {
  const items = error.fields?.errors;
  if (!Array.isArray(items)) return el("p", { class: "error", role: "alert" }, error.message);
  const rows = items.flatMap((item) =>
    flattenErrors(item.errors).map(([path, message]) =>
      el("tr", {}, el("td", {}, String(item.line ?? "—")), el("td", { class: "code" }, [item.path, path].filter(Boolean).join(" → ") || "file"), el("td", {}, message)),
    ),
  );
  return el(
    "div",
    { class: "import-errors", role: "alert" },
    el("p", { class: "error" }, error.message),
    tableBox("Problems in the file", ["Line", "Where", "Problem"], rows),
  );
}

function fileForm({ label, hint, action, onDone }) {
  const id = uid("file");
  const input = el("input", { id, type: "file", name: "file", accept: ".json,.csv,application/json,text/csv", "aria-describedby": `${id}-hint` });
  const submit = el("button", { type: "submit" }, "Import");
  const result = el("div", { class: "import-result" });
  const form = el(
    "form",
    { class: "file-form" },
    el("label", { for: id }, label),
    el("p", { id: `${id}-hint`, class: "hint muted" }, hint),
    el("div", { class: "row" }, el("div", { class: "grow" }, input), submit),
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) {
      replace(result, el("p", { class: "error", role: "alert" }, "Choose a .json or .csv file first."));
      input.focus();
      return;
    }
    await busy(submit, async () => {
      try {
        const data = await upload(action(), file);
        replace(result);
        flash(result, await onDone(data));
        form.reset();
      } catch (error) {
        replace(result, importErrors(error));
      }
    });
  });
  return form;
}

export function importPanel(state) {
  return el(
    "section",
    { class: "panel contest-import", "aria-labelledby": "import-h" },
    el("h3", { id: "import-h" }, "Import rounds and questions"),
    fileForm({
      label: "File to import",
      hint: "JSON or CSV, as Export writes them. All or nothing: if any line has a problem, nothing is imported and each problem is listed.",
      action: () => `/contests/${state.id}/import`,
      onDone: async (data) => {
        await state.refreshContest();
        await state.loadAllQuestions();
        return `Imported ${data.rounds.length} round${data.rounds.length === 1 ? "" : "s"} and ${data.questions} question${data.questions === 1 ? "" : "s"}.`;
      },
    }),
  );
}

// --- the bank ---------------------------------------------------------------------------

const bank = { questions: null, listeners: new Set() };

async function bankLoad() {
  bank.questions = await call("/bank");
  for (const listener of bank.listeners) listener();
  return bank.questions;
}

function bankRows(container) {
  const draw = () => {
    if (bank.questions === null) return replace(container, el("p", { class: "muted" }, "Loading…"));
    if (!bank.questions.length) return replace(container, el("p", { class: "muted" }, "Your bank is empty."));
    replace(
      container,
      el(
        "ul",
        { class: "bank-list" },
        bank.questions.map((q) =>
          el(
            "li",
            {},
            el("div", { class: "grow" }, el("span", { class: "tag" }, q.type), " ", q.prompt, el("div", { class: "muted small" }, answerSummary(q), q.tags?.length ? ` · ${q.tags.join(", ")}` : "")),
            el(
              "button",
              {
                type: "button",
                class: "secondary small-button",
                "aria-label": `Remove from the bank: ${q.prompt}`,
                onclick: async (e) => {
                  if (!(await confirmAction(`Remove “${q.prompt}” from your bank?`, "Remove"))) return;
                  await busy(e.currentTarget, async () => {
                    await call(`/bank/${q.id}`, { method: "DELETE" });
                    await bankLoad();
                    announce("Removed from the bank.");
                  });
                },
              },
              "Remove",
            ),
          ),
        ),
      ),
    );
  };
  // The bank outlives a Build tab: a list no longer on the page stops listening.
  const listener = () => (container.isConnected ? draw() : bank.listeners.delete(listener));
  bank.listeners.add(listener);
  draw();
}

export function bankPanel() {
  const list = el("div", { class: "bank-box", tabindex: "0", role: "region", "aria-label": "Questions in your bank" });
  bankRows(list);
  bankLoad().catch((error) => replace(list, el("p", { class: "error" }, error.message)));
  const add = el(
    "button",
    {
      type: "button",
      onclick: () => {
        const form = questionForm({
          submitLabel: "Add to the bank",
          withTags: true,
          allowMystery: true,
          onSubmit: async (definition) => {
            await call("/bank", { method: "POST", body: definition });
            await bankLoad();
          },
        });
        modal("Add a question to your bank", form);
        form.querySelector("select").focus();
      },
    },
    "Add to the bank…",
  );
  const importForm = fileForm({
    label: "Import questions into the bank",
    hint: "JSON {\"questions\": […]} or CSV with the question columns and tags.",
    action: () => "/bank/import",
    onDone: async (data) => {
      await bankLoad();
      return `Imported ${data.questions} question${data.questions === 1 ? "" : "s"} into your bank.`;
    },
  });
  const exportRow = el(
    "div",
    { class: "row" },
    el("button", { type: "button", class: "secondary", onclick: (e) => busy(e.currentTarget, () => saveFile("/bank/export.json", "question-bank.json")) }, "Export bank (JSON)"),
  );
  return el(
    "section",
    { class: "panel", "aria-labelledby": "bank-h" },
    el("h3", { id: "bank-h" }, "Question bank"),
    el("p", { class: "muted" }, "Questions you reuse across contests. Add them to a round with “Add from the bank…”."),
    el("div", { class: "row" }, add),
    list,
    el("details", {}, el("summary", {}, "Import or export the bank"), importForm, exportRow),
  );
}

// Choose bank questions and copy them into a round.
export async function bankPicker(state, round) {
  const body = el("div", {}, el("p", { class: "muted" }, "Loading your bank…"));
  const { close } = modal(`Add bank questions to “${round.title}”`, body);
  let questions;
  try {
    questions = bank.questions ?? (await bankLoad());
  } catch (error) {
    replace(body, el("p", { class: "error" }, error.message));
    return;
  }
  if (!questions.length) {
    replace(body, el("p", {}, "Your bank is empty. Add questions to it on the Build tab."));
    return;
  }
  const boxes = questions.map((q) => ({ q, input: el("input", { type: "checkbox", id: uid("bankq"), value: q.id }) }));
  const submit = el("button", { type: "submit" }, "Add the chosen questions");
  const status = el("div", { role: "status" });
  const form = el(
    "form",
    {},
    el(
      "fieldset",
      {},
      el("legend", {}, "Questions in your bank"),
      el("ul", { class: "bank-list pick" }, boxes.map(({ q, input }) => el("li", {}, input, el("label", { for: input.id }, el("span", { class: "tag" }, q.type), " ", q.prompt)))),
    ),
    el("div", { class: "row" }, submit),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = boxes.filter((b) => b.input.checked).map((b) => ({ bank_question: b.q.id }));
    if (!chosen.length) return flash(status, "Choose at least one question.", "bad");
    await busy(submit, async () => {
      try {
        await call(`/rounds/${round.id}/questions`, { method: "POST", body: chosen });
        await Promise.all([state.loadQuestions(round.id), state.refreshContest()]);
        announce(`${chosen.length} question${chosen.length === 1 ? "" : "s"} added.`);
        close();
      } catch (error) {
        flash(status, error.message, "bad");
      }
    });
  });
  replace(body, form);
  boxes[0].input.focus();
}
