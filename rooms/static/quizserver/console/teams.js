// The contest's teams: presence (devices online), fair-play focus reports per device, and
// what a quizmaster may do to a team: adjust its score with a reason, give it extra time,
// disqualify it.

import { el, replace, clockTime, announce } from "../common/ui.js";
import { newKey } from "../common/api.js";
import { call } from "./session.js";
import { field, checkbox, busy, modal, flash, showErrors, clearErrors, confirmAction, tableBox, formatMs } from "./forms.js";
import { watch } from "./shell.js";

function focusTotals(state, teamId) {
  const devices = state.focus.get(teamId);
  if (!devices || !devices.size) return null;
  let count = 0;
  let away = 0;
  for (const d of devices.values()) {
    count += d.count;
    away += d.away_ms || 0;
  }
  return { count, away, devices: devices.size };
}

function focusCell(state, team) {
  if (!state.focusAvailable) return el("td", { class: "muted" }, "—");
  const totals = focusTotals(state, team.id);
  if (!totals) return el("td", { class: "muted" }, "No reports");
  return el("td", { class: "focus-flag" }, `Left the page ${totals.count}× · ${formatMs(totals.away)} away`, totals.devices > 1 ? el("span", { class: "muted" }, ` (${totals.devices} devices)`) : null);
}

function accommodation(team) {
  const parts = [];
  if (team.extra_time_s) parts.push(`+${team.extra_time_s} s`);
  if (team.speed_exempt) parts.push("no speed bonus");
  return parts.join(", ") || "—";
}

function teamCells(state, team) {
  return [
    el("td", {}, el("strong", {}, team.name), team.members?.length ? el("div", { class: "muted small" }, team.members.join(", ")) : null),
    el("td", {}, team.status === "active" ? "active" : el("span", { class: "bad" }, team.status)),
    el("td", { class: "num" }, String(team.score)),
    el("td", {}, el("span", { class: `status-dot ${team.devices > 0 ? "live" : "offline"}`, "aria-hidden": "true" }), team.devices > 0 ? `${team.devices} online` : "offline"),
    focusCell(state, team),
    el("td", {}, accommodation(team)),
  ];
}

// A team's row, kept while the team is listed: scores and presence change many times a
// second during a question, and a row redrawn under the pointer would swallow the click on
// its Manage button. Only the cells that show something new are replaced.
function teamRow(state, team) {
  const manage = el("button", { type: "button", class: "secondary small-button", "data-team": team.id, onclick: () => manageTeam(state, team.id) }, "Manage", el("span", { class: "visually-hidden" }, ` ${team.name}`));
  const node = el("tr", {}, el("td", {}, manage));
  let shown = [];
  const update = (t) => {
    node.className = t.status !== "active" ? "out" : "";
    const cells = teamCells(state, t);
    cells.forEach((cell, i) => {
      if (shown[i]?.isEqualNode(cell)) return;
      if (shown[i]) shown[i].replaceWith(cell);
      else node.insertBefore(cell, node.lastElementChild);
      shown[i] = cell;
    });
  };
  update(team);
  return { node, update };
}

function focusLog(state) {
  const items = el("ol", { class: "feed", tabindex: "0", "aria-label": "Latest fair-play reports" });
  const empty = el("p", { class: "muted" }, "No reports since this console opened.");
  const node = el(
    "section",
    { class: "panel", "aria-labelledby": "focus-log-h" },
    el("h3", { id: "focus-log-h" }, "Fair play: pages left"),
    el("p", { class: "muted" }, "A team device reports when the quiz page is hidden (another tab or app) or loses focus, and for how long. A signal to look into, not proof."),
    items,
    empty,
  );
  const update = () => {
    node.hidden = !state.focusAvailable;
    const shown = state.focusLog.slice(0, 30);
    items.hidden = !shown.length;
    empty.hidden = Boolean(shown.length);
    replace(items, shown.map((f) => el("li", {}, el("span", { class: "muted feed-time" }, clockTime(f.at)), " ", el("strong", {}, state.teamName(f.team)), ` device ${f.device}: ${f.kind === "hidden" ? "page hidden" : "window unfocused"} for ${formatMs(f.away_ms)}`)));
  };
  return { node, update };
}

export function teamsTab(container, state) {
  const table = el("div", {});
  const log = focusLog(state);
  const rows = new Map(); // team id → {node, update}
  let tbody = null;
  const draw = () => {
    const teams = [...state.teams.values()].sort((a, b) => a.name.localeCompare(b.name));
    if (!teams.length) {
      rows.clear();
      tbody = null;
      replace(table, el("p", { class: "muted" }, "No team has joined yet."));
    } else {
      if (!tbody) {
        replace(table, tableBox("Teams", ["Team", "Status", "Score", "Devices", "Fair play", "Accommodations", ""], [], { className: "teams-table" }));
        tbody = table.querySelector("tbody");
      }
      for (const [id, row] of [...rows]) {
        if (!state.teams.has(id)) {
          row.node.remove();
          rows.delete(id);
        }
      }
      teams.forEach((team, i) => {
        if (!rows.has(team.id)) rows.set(team.id, teamRow(state, team));
        const row = rows.get(team.id);
        row.update(team);
        if (tbody.children[i] !== row.node) tbody.insertBefore(row.node, tbody.children[i] || null);
      });
    }
    log.update();
  };
  draw();
  const stop = watch(state, ["teams", "focus"], draw);
  replace(container, el("section", { class: "panel", "aria-labelledby": "teams-h" }, el("h3", { id: "teams-h" }, "Presence, fair play and scores"), table), log.node);
  return { unmount: stop };
}

// --- one team's dialog -----------------------------------------------------------------

function adjustForm(state, team) {
  const points = field({ label: "Points (negative to take away)", name: "points", type: "number", required: true, min: -1000000, max: 1000000 });
  const reason = field({ label: "Reason", name: "reason", required: true, maxlength: 500, hint: "Kept in the score ledger with your name." });
  const submit = el("button", { type: "submit" }, "Adjust score");
  const status = el("div", { role: "status" });
  const form = el("form", { novalidate: true, "aria-labelledby": "adjust-h" }, el("h3", { id: "adjust-h" }, "Adjust the score"), el("div", { class: "grid-2" }, points.wrap, reason.wrap), el("div", { class: "row" }, submit), status);
  let key = newKey(); // one key per adjustment: a double click or a retry adjusts once
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    await busy(submit, async () => {
      try {
        await call(`/teams/${team.id}/adjustments`, { method: "POST", body: { points: Number(points.input.value), reason: reason.input.value.trim() }, idempotencyKey: key });
        key = newKey();
        await state.refreshTeams();
        flash(status, `Score adjusted. ${team.name} now has ${state.teams.get(team.id)?.score} points.`);
        form.reset();
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  return form;
}

function accommodationForm(state, team) {
  const extra = field({ label: "Extra time on live questions (s)", name: "extra_time_s", type: "number", min: 0, max: 3600, value: team.extra_time_s || 0 });
  const exempt = checkbox({ label: "No speed bonus for this team", name: "speed_exempt", checked: team.speed_exempt });
  const submit = el("button", { type: "submit", class: "secondary" }, "Save accommodations");
  const status = el("div", { role: "status" });
  const form = el("form", { novalidate: true, "aria-labelledby": "accom-h" }, el("h3", { id: "accom-h" }, "Accommodations"), extra.wrap, exempt.wrap, el("div", { class: "row" }, submit), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    await busy(submit, async () => {
      try {
        const updated = await call(`/teams/${team.id}/accommodations`, { method: "POST", body: { extra_time_s: Number(extra.input.value || 0), speed_exempt: exempt.input.checked } });
        Object.assign(state.teams.get(team.id), updated);
        state.emit("teams");
        flash(status, "Saved. Extra time applies to live questions opened from now on.");
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  return form;
}

function disqualifyForm(state, team, close) {
  const reason = field({ label: "Reason", name: "reason", maxlength: 500, hint: "Shown to everyone with the disqualification." });
  const submit = el("button", { type: "submit", class: "danger" }, "Disqualify");
  const status = el("div", { role: "status" });
  const form = el("form", { novalidate: true, "aria-labelledby": "dq-h" }, el("h3", { id: "dq-h" }, "Disqualify"), reason.wrap, el("div", { class: "row" }, submit), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!(await confirmAction(`Disqualify ${team.name}? It leaves the leaderboard and can no longer act.`, "Disqualify"))) return;
    await busy(submit, async () => {
      try {
        const updated = await call(`/teams/${team.id}/disqualify`, { method: "POST", body: { reason: reason.input.value.trim() } });
        Object.assign(state.teams.get(team.id), updated);
        state.emit("teams");
        announce(`${team.name} is disqualified.`);
        close();
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  return form;
}

function focusDetail(state, team) {
  if (!state.focusAvailable) return null;
  const devices = [...(state.focus.get(team.id)?.values() || [])];
  if (!devices.length) return el("p", { class: "muted" }, "No fair-play reports from this team's devices.");
  return tableBox(
    `Fair play, ${team.name}`,
    ["Device", "Times left", "Time away", "Last"],
    devices.map((d) => el("tr", {}, el("td", { class: "code" }, d.device), el("td", {}, String(d.count)), el("td", {}, formatMs(d.away_ms)), el("td", {}, clockTime(d.last_at)))),
  );
}

function manageTeam(state, teamId) {
  const team = state.teams.get(teamId);
  if (!team) return;
  const summary = el("p", {}, `Score ${team.score} · ${team.devices > 0 ? `${team.devices} device(s) online` : "offline"} · ${team.status}`, team.members?.length ? ` · ${team.members.join(", ")}` : "");
  const { close, body } = modal(team.name, summary);
  body.append(focusDetail(state, team) || "", adjustForm(state, team), accommodationForm(state, team));
  if (team.status === "active") body.append(disqualifyForm(state, team, close));
  body.querySelector("input")?.focus();
}
