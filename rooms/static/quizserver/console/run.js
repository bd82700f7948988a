// Run a contest: its lifecycle (open, start, pause, resume, finish), the lobby filling up,
// the rounds (start, end), the live question in play, the pools as teams work through them,
// announcements and the freeze.

import { el, replace } from "../common/ui.js";
import { call } from "./session.js";
import { busy, confirmAction, flash } from "./forms.js";
import { statusTag } from "./contests.js";
import { watch } from "./shell.js";
import { liveControl } from "./live-control.js";
import { poolWatch } from "./pool-watch.js";
import { announcementsPanel, freezePanel, boardPanel } from "./run-side.js";

const ACTIONS = [
  { action: "open", label: "Open the lobby", from: ["draft"], hint: "Teams can join with the code." },
  { action: "start", label: "Start the contest", from: ["lobby"] },
  { action: "pause", label: "Pause the contest", from: ["running"], secondary: true },
  { action: "resume", label: "Resume the contest", from: ["paused"] },
  { action: "finish", label: "Finish the contest", from: ["running", "paused"], danger: true, confirm: "Finish the contest? Teams can no longer answer, and this cannot be undone." },
];

function lifecyclePanel(state) {
  const message = el("div", { role: "status" });
  const buttons = ACTIONS.map((spec) => {
    const button = el("button", { type: "button", class: spec.danger ? "danger" : spec.secondary ? "secondary" : "", "data-action": spec.action }, spec.label);
    button.addEventListener("click", async () => {
      if (spec.confirm && !(await confirmAction(spec.confirm, spec.label))) return;
      await busy(button, async () => {
        try {
          state.setContest(await call(`/contests/${state.id}/${spec.action}`, { method: "POST" }));
          flash(message, `The contest is now ${state.contest.status}.`);
        } catch (error) {
          flash(message, error.message, "bad");
        }
      });
      draw();
      const next = buttons.find((b) => !b.hidden);
      if (next && document.activeElement === document.body) next.focus();
    });
    return button;
  });
  const statusLine = el("p", { class: "lifecycle-status" });
  const draw = () => {
    const status = state.contest.status;
    replace(statusLine, "Contest status: ", statusTag(status));
    buttons.forEach((button, i) => {
      button.hidden = !ACTIONS[i].from.includes(status);
    });
  };
  draw();
  const node = el(
    "section",
    { class: "panel lifecycle", "aria-labelledby": "lifecycle-h" },
    el("h3", { id: "lifecycle-h" }, "Contest"),
    statusLine,
    el("div", { class: "row" }, buttons),
    message,
  );
  return { node, draw };
}

function lobbyPanel(state) {
  const body = el("div", {});
  const draw = () => {
    const teams = [...state.teams.values()];
    const online = teams.filter((t) => t.devices > 0).length;
    replace(
      body,
      el("p", { class: "lobby-count" }, el("strong", {}, String(teams.length)), ` team${teams.length === 1 ? "" : "s"} · `, el("strong", {}, String(online)), " online"),
      teams.length
        ? el(
            "ul",
            { class: "lobby-list" },
            teams.map((t) =>
              el(
                "li",
                { class: t.status !== "active" ? "out" : "" },
                el("span", { class: `status-dot ${t.devices > 0 ? "live" : "offline"}`, "aria-hidden": "true" }),
                el("span", { class: "grow" }, t.name, t.status !== "active" ? el("span", { class: "tag" }, t.status) : null),
                el("span", { class: "muted" }, t.devices > 0 ? `${t.devices} device${t.devices === 1 ? "" : "s"} online` : "offline"),
              ),
            ),
          )
        : el("p", { class: "muted" }, "No team has joined yet. Show the join code on the projector."),
    );
  };
  draw();
  const node = el("section", { class: "panel lobby", "aria-labelledby": "lobby-h" }, el("h3", { id: "lobby-h" }, "Teams in the room"), body);
  return { node, draw };
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

// One round's row, kept and updated in place (a redraw under the quizmaster's pointer
// would swallow the click that was on its way). `round` is replaced by each newer read.
function roundRow(state, round, message) {
  let current = round;
  const title = el("strong", {});
  const detail = el("span", { class: "muted" });
  const tag = el("span", {});
  const start = el("button", { type: "button", class: "small-button" }, "Start round");
  const end = el("button", { type: "button", class: "secondary small-button" }, "End round");
  const act = async (button, action) => {
    const target = current;
    if (action === "end" && !(await confirmAction(`End the round “${target.title}”? Its questions can no longer be answered.`, "End round"))) return;
    await busy(button, async () => {
      try {
        const updated = await call(`/rounds/${target.id}/${action}`, { method: "POST" });
        Object.assign(target, updated);
        state.emit("contest");
        flash(message, `Round “${target.title}” is now ${updated.status}.`);
      } catch (error) {
        flash(message, error.message, "bad");
      }
    });
    update(current);
    // The button went away (Start round, once started): the focus goes to the row's next.
    if (button.hidden) node.querySelector("button:not([hidden]):not([disabled])")?.focus();
  };
  start.addEventListener("click", () => act(start, "start"));
  end.addEventListener("click", () => act(end, "end"));
  const node = el("li", { class: "round-row", "data-round-row": round.id }, el("span", { class: "grow" }, title, " ", detail), tag, start, end);
  const update = (r) => {
    current = r;
    const live = state.live.get(r.id)?.live;
    const questionRunning = Boolean(live && (live.status === "open" || live.status === "paused"));
    const finished = state.contest.status === "finished";
    setText(title, `${r.position}. ${r.title}`);
    setText(detail, `${r.kind} · ${r.question_count} questions`);
    if (tag.firstChild?.textContent !== r.status) replace(tag, statusTag(r.status));
    start.hidden = !(r.status === "pending" && !finished);
    end.hidden = !(r.status === "active" && !finished);
    if (!end.hasAttribute("aria-busy")) end.disabled = questionRunning;
  };
  update(round);
  return { node, update };
}

function roundsPanel(state) {
  const list = el("ol", { class: "round-list" });
  const message = el("div", { role: "status" });
  const rows = new Map(); // round id → {node, update}
  const draw = () => {
    const rounds = state.contest.rounds || [];
    if (!rounds.length) {
      rows.clear();
      replace(list, el("li", {}, "No rounds yet. ", el("a", { href: `#/contests/${state.id}/build` }, "Add rounds on the Build tab.")));
      return;
    }
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    for (const [id, row] of [...rows]) {
      if (!rounds.some((r) => r.id === id)) {
        row.node.remove();
        rows.delete(id);
      }
    }
    for (const child of [...list.children]) if (!child.dataset.roundRow) child.remove();
    rounds.forEach((r, i) => {
      if (!rows.has(r.id)) rows.set(r.id, roundRow(state, r, message));
      const row = rows.get(r.id);
      row.update(r);
      if (list.children[i] !== row.node) list.insertBefore(row.node, list.children[i] || null);
    });
    // A button that went away under the focus (Start round, once started): the row's other.
    if (focused && (focused.hidden || focused.disabled || !focused.isConnected)) {
      const row = focused.closest(".round-row");
      (row?.querySelector("button:not([hidden]):not([disabled])") || list.querySelector("button:not([hidden]):not([disabled])"))?.focus();
    }
  };
  draw();
  const node = el("section", { class: "panel", "aria-labelledby": "rounds-run-h" }, el("h3", { id: "rounds-run-h" }, "Rounds"), list, message);
  return { node, draw };
}

// The active rounds' controls: a live control per live round, a pool view per pool round.
function activeRounds(state) {
  const node = el("div", { class: "active-rounds" });
  const mounted = new Map(); // round id → {node, update, destroy}
  const draw = () => {
    const active = (state.contest.rounds || []).filter((r) => r.status === "active");
    for (const [id, view] of mounted) {
      if (!active.some((r) => r.id === id)) {
        view.destroy();
        view.node.remove();
        mounted.delete(id);
      }
    }
    for (const round of active) {
      if (!mounted.has(round.id)) {
        const view = round.kind === "live" ? liveControl(state, round) : poolWatch(state, round);
        mounted.set(round.id, view);
        node.append(view.node);
      }
      mounted.get(round.id).update();
    }
    if (!active.length) {
      replace(node, el("section", { class: "panel" }, el("h3", {}, "No round in play"), el("p", { class: "muted" }, "Start a round below: live rounds are run from here, question by question; pool rounds show their claims and answers as they happen.")));
    } else {
      node.querySelector(":scope > .panel:not([data-round])")?.remove();
    }
  };
  return { node, draw, destroy: () => mounted.forEach((v) => v.destroy()) };
}

export function runTab(container, state) {
  const lifecycle = lifecyclePanel(state);
  const lobby = lobbyPanel(state);
  const rounds = roundsPanel(state);
  const active = activeRounds(state);
  const side = [announcementsPanel(state), freezePanel(state), boardPanel(state)];
  active.draw();
  const stops = [
    watch(state, ["contest"], () => {
      lifecycle.draw();
      rounds.draw();
      active.draw();
    }),
    watch(state, ["live"], () => {
      rounds.draw();
      active.draw();
    }),
    watch(state, ["answered", "teams", "feed", "questions"], () => active.draw()),
    watch(state, ["teams"], () => lobby.draw()),
  ];
  replace(
    container,
    el(
      "div",
      { class: "run-layout" },
      el("div", { class: "run-main" }, lifecycle.node, active.node, rounds.node),
      el("div", { class: "run-side" }, lobby.node, side.map((s) => s.node)),
    ),
  );
  return {
    unmount() {
      stops.forEach((stop) => stop());
      side.forEach((s) => s.destroy?.());
      active.destroy();
    },
  };
}
