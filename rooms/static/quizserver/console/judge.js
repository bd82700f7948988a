// The judge queue: the contest's code submissions with their verdicts, each one's source
// and per-test results, and rejudging (one submission, or every submission of a question
// after a test was fixed).

import { el, replace, clockTime, VERDICTS } from "../common/ui.js";
import { call } from "./session.js";
import { field, busy, modal, flash, tableBox, confirmAction } from "./forms.js";

function verdictTag(verdict) {
  if (!verdict) return el("span", { class: "tag" }, "pending");
  return el("span", { class: `tag verdict ${verdict === "AC" ? "ok" : "ko"}`, title: VERDICTS[verdict] }, verdict);
}

async function showSubmission(item) {
  const body = el("div", {}, el("p", { class: "muted" }, "Loading…"));
  modal(`${item.team.name}: attempt ${item.attempt}`, body);
  try {
    const full = await call(`/answers/${item.id}/judging`);
    const j = full.judging;
    replace(
      body,
      el("p", {}, `${full.question.prompt}`),
      el("p", {}, verdictTag(j.verdict), ` ${VERDICTS[j.verdict] || "Not judged yet"} · ${j.language} · ${full.points} points · ${j.time_ms ?? "–"} ms · ${j.memory_kb ?? "–"} KB`),
      el("h3", {}, "Source"),
      el("pre", { class: "source", tabindex: "0", "aria-label": "Source code" }, full.source),
      j.compile_output ? el("div", {}, el("h3", {}, "Compiler output"), el("pre", { class: "source", tabindex: "0" }, j.compile_output)) : null,
      j.detail ? el("p", { class: "error" }, j.detail) : null,
      j.tests?.length
        ? tableBox(
            "Tests",
            ["Test", "Verdict", "Time (ms)", "Memory (KB)"],
            j.tests.map((t, i) => el("tr", {}, el("td", {}, String(i + 1)), el("td", {}, t.verdict ? verdictTag(t.verdict) : "skipped"), el("td", {}, String(t.time_ms)), el("td", {}, String(t.memory_kb)))),
          )
        : null,
    );
  } catch (error) {
    replace(body, el("p", { class: "error" }, error.message));
  }
}

function rows(items, reload, message) {
  return items.map((item) => {
    const rejudge = el("button", { type: "button", class: "secondary small-button", "data-focus-key": `rejudge-${item.id}` }, "Rejudge", el("span", { class: "visually-hidden" }, ` ${item.team.name} attempt ${item.attempt}`));
    rejudge.addEventListener("click", () =>
      busy(rejudge, async () => {
        try {
          const result = await call(`/answers/${item.id}/rejudge`, { method: "POST" });
          flash(message, `Queued ${result.queued} for judging.`);
          reload();
        } catch (error) {
          flash(message, error.message, "bad");
        }
      }),
    );
    return el(
      "tr",
      {},
      el("td", {}, clockTime(item.received_at)),
      el("td", {}, item.team.name),
      el("td", { class: "prompt-cell" }, item.question.prompt),
      el("td", { class: "num" }, String(item.attempt)),
      el("td", {}, item.judging.language),
      el("td", {}, item.status),
      el("td", {}, verdictTag(item.judging.verdict)),
      el("td", { class: "num" }, String(item.points)),
      el(
        "td",
        { class: "actions" },
        el("button", { type: "button", class: "secondary small-button", "data-focus-key": `source-${item.id}`, onclick: () => showSubmission(item) }, "Source", el("span", { class: "visually-hidden" }, ` of ${item.team.name} attempt ${item.attempt}`)),
        rejudge,
      ),
    );
  });
}

function questionRejudge(state, message, reload) {
  const code = [...state.questions.values()].flat().filter((q) => q.type === "code");
  if (!code.length) return null;
  return el(
    "details",
    { class: "panel" },
    el("summary", {}, "Rejudge a whole question"),
    el("p", { class: "muted" }, "After fixing a question's tests: judge every submission again. Each team's score moves to its new best attempt."),
    el(
      "ul",
      { class: "plain-list" },
      code.map((q) => {
        const button = el("button", { type: "button", class: "secondary small-button" }, "Rejudge all", el("span", { class: "visually-hidden" }, ` of ${q.prompt}`));
        button.addEventListener("click", async () => {
          if (!(await confirmAction(`Judge every submission of “${q.prompt}” again?`, "Rejudge all", { danger: false }))) return;
          await busy(button, async () => {
            try {
              const result = await call(`/questions/${q.id}/rejudge`, { method: "POST" });
              flash(message, `Queued ${result.queued} submission${result.queued === 1 ? "" : "s"} for judging.`);
              reload();
            } catch (error) {
              flash(message, error.message, "bad");
            }
          });
        });
        return el("li", { class: "row" }, el("span", { class: "grow" }, q.prompt), button);
      }),
    ),
  );
}

export function judgeTab(container, state) {
  const filter = field({
    label: "Show",
    name: "status",
    type: "select",
    value: "all",
    options: [
      ["pending", "Waiting for the judge"],
      ["done", "Judged"],
      ["all", "All submissions"],
    ],
  });
  const refresh = el("button", { type: "button", class: "secondary" }, "Refresh");
  const message = el("div", { role: "status" });
  const list = el("div", {});
  // Reads overlap (the filter changed, a rejudge, the events): only the newest draws, and
  // nothing draws once the tab is left. Focus in the table stays on the same button.
  let reads = 0;
  let gone = false;
  const load = async () => {
    const read = ++reads;
    let shown;
    try {
      const data = await call(`/contests/${state.id}/judge?status=${filter.input.value}`);
      shown = data.answers.length
        ? tableBox("Code submissions", ["Received", "Team", "Question", "Attempt", "Language", "Status", "Verdict", "Points", ""], rows(data.answers.reverse(), load, message), { className: "judge-table" })
        : el("p", { class: "muted" }, "No code submissions here.");
    } catch (error) {
      shown = el("p", { class: "error" }, error.message);
    }
    if (gone || read !== reads) return;
    const had = list.contains(document.activeElement) ? document.activeElement : null;
    replace(list, shown);
    if (had) {
      const key = had.dataset.focusKey;
      ((key && list.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)) || refresh).focus();
    }
  };
  filter.input.addEventListener("change", load);
  refresh.addEventListener("click", () => busy(refresh, load));
  // Code answers and verdicts arrive as events: refresh the table, at most every two
  // seconds, and not while the quizmaster is in it.
  let timer = null;
  const reloadSoon = () => {
    if (timer || gone) return;
    timer = setTimeout(() => {
      timer = null;
      if (list.contains(document.activeElement) || list.matches(":hover")) reloadSoon(); // once the quizmaster is out of it
      else load();
    }, 2000);
  };
  const stop = state.on((topic) => {
    if (topic !== "history") return;
    const last = state.lastEvent;
    if (last && last.seq > state.historyUpTo && last.data.answer?.judge) reloadSoon();
  });
  replace(
    container,
    el("section", { class: "panel", "aria-labelledby": "judge-h" }, el("h3", { id: "judge-h" }, "Judge queue"), el("div", { class: "row filter-row" }, filter.wrap, refresh), message, list),
    questionRejudge(state, message, load),
  );
  load();
  return {
    unmount() {
      gone = true;
      stop();
      clearTimeout(timer);
      timer = null;
    },
  };
}
