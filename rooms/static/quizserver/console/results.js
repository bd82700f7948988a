// Results: the full live leaderboard, the CSV of final standings, and a chart of each
// team's score over time — from the event log of a finished contest (replay), or from the
// events this console holds for a running one.

import { el, replace } from "../common/ui.js";
import { call, saveFile } from "./session.js";
import { busy, flash, tableBox } from "./forms.js";
import { watch } from "./shell.js";
import { scoreSeries, scoreChart } from "./chart.js";
import { regradeDialog, canRegrade } from "./regrade.js";

async function replayEvents(contestId) {
  const events = [];
  let after = 0;
  for (let page = 0; page < 100; page += 1) {
    const data = await call(`/contests/${contestId}/replay?after=${after}&limit=5000`);
    events.push(...data.events.map((e) => ({ seq: e.seq, type: e.type, at: e.at, data: e.payload })));
    if (data.next_after === null || data.next_after === undefined || !data.events.length) break;
    after = data.next_after;
  }
  return events;
}

// Score every answer of the contest again, after accepted answers were corrected (one
// question at a time: its Regrade button on the Build tab).
function regradePanel(state) {
  const button = el("button", { type: "button", class: "secondary", "data-focus-key": "regrade-contest", onclick: () => regradeDialog(state) }, "Regrade the whole contest…");
  const node = el(
    "section",
    { class: "panel", "aria-labelledby": "regrade-h" },
    el("h3", { id: "regrade-h" }, "Corrections"),
    el("p", { class: "muted" }, "Changed accepted answers after teams answered? Score every answer of the contest again against the questions as they are now. To correct one question, use its Regrade button on the Build tab."),
    el("div", { class: "row" }, button),
  );
  const draw = () => {
    node.hidden = !canRegrade(state);
  };
  draw();
  return { node, stop: watch(state, ["contest"], draw) };
}

function boardTable(board) {
  const teams = board.teams || [];
  if (!teams.length) return el("p", { class: "muted" }, "No teams on the board yet.");
  return tableBox(
    "Leaderboard",
    ["Rank", "Team", "Score"],
    teams.map((t) => el("tr", {}, el("td", {}, String(t.rank)), el("td", {}, t.name), el("td", { class: "num" }, String(t.score)))),
    { className: "board" },
  );
}

export function resultsTab(container, state) {
  const board = el("div", {}, el("p", { class: "muted" }, "Loading…"));
  const chartBox = el("div", { class: "chart-box" }, el("p", { class: "muted" }, "Loading…"));
  const message = el("div", { role: "status" });
  const code = state.contest.code.replace("-", "");
  const csv = el("button", { type: "button" }, "Download results (CSV)");
  csv.addEventListener("click", () =>
    busy(csv, async () => {
      try {
        await saveFile(`/contests/${state.id}/results.csv`, `results-${code}.csv`);
        flash(message, "Results downloaded.");
      } catch (error) {
        flash(message, error.message, "bad");
      }
    }),
  );

  // Reads overlap (a redraw asked while one is on its way): only the newest may draw, and
  // nothing draws once the tab is left.
  let gone = false;
  const reads = { board: 0, chart: 0 };
  let replayed = null; // a finished contest's whole log: its read, made once
  const drawBoard = async () => {
    const read = ++reads.board;
    let shown;
    try {
      shown = boardTable(await call(`/contests/${state.id}/leaderboard`));
    } catch (error) {
      shown = el("p", { class: "error" }, error.message);
    }
    if (!gone && read === reads.board) replace(board, shown);
  };
  const drawChart = async () => {
    const read = ++reads.chart;
    const finished = state.contest.status === "finished";
    let events = [...state.history.values()];
    let endAt = state.serverNow();
    if (finished) {
      try {
        replayed = replayed || replayEvents(state.id);
        events = await replayed;
        endAt = Math.max(...events.map((e) => Date.parse(e.at)), Date.parse(state.contest.updated_at));
      } catch (error) {
        replayed = null; // asked again at the next redraw
        if (!gone && read === reads.chart) replace(chartBox, el("p", { class: "error" }, error.message));
        return;
      }
      if (gone || read !== reads.chart) return;
    }
    const teams = [...state.teams.values()].filter((t) => t.status === "active").sort((a, b) => b.score - a.score);
    const series = scoreSeries(events, { starting: state.contest.settings?.starting_points ?? 0, teams, endAt });
    const startAt = events.length ? Math.min(...events.map((e) => Date.parse(e.at))) : undefined;
    replace(
      chartBox,
      scoreChart(series, teams, { startAt, endAt }),
      finished ? null : el("p", { class: "muted small" }, "While the contest runs, the chart is drawn from the events this console has received; after it finishes, from the whole event log."),
    );
  };
  drawBoard();
  drawChart();
  let timer = null;
  const later = () => {
    if (timer || gone) return;
    timer = setTimeout(() => {
      timer = null;
      drawBoard();
      drawChart();
    }, 1500);
  };
  const stop = watch(state, ["board", "teams", "contest"], later);
  const regrade = regradePanel(state);
  replace(
    container,
    el(
      "div",
      { class: "results-layout" },
      el(
        "section",
        { class: "panel", "aria-labelledby": "results-h" },
        el("h3", { id: "results-h" }, "Leaderboard"),
        el("p", { class: "muted" }, state.contest.status === "finished" ? "Final standings." : state.frozen.frozen ? "Live standings (teams and the projector see the frozen ones)." : "Live standings."),
        el("div", { class: "row" }, csv),
        message,
        board,
      ),
      el("div", {}, el("section", { class: "panel", "aria-labelledby": "chart-h" }, el("h3", { id: "chart-h" }, "Score over time"), chartBox), regrade.node),
    ),
  );
  return {
    unmount() {
      gone = true;
      stop();
      regrade.stop();
      clearTimeout(timer);
      timer = null;
    },
  };
}
