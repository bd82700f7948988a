// Beside the run controls: announcements to every device and the projector, the freeze of
// the public standings (and the reveal after it), and the live leaderboard.

import { el, replace, clockTime } from "../common/ui.js";
import { call } from "./session.js";
import { field, busy, flash, showErrors, clearErrors, confirmAction } from "./forms.js";
import { watch } from "./shell.js";

export function announcementsPanel(state) {
  const text = field({ label: "Message", name: "text", type: "textarea", rows: 2, maxlength: 500, required: true, hint: "Shown on every team device and the projector." });
  const submit = el("button", { type: "submit" }, "Announce");
  const status = el("div", { role: "status" });
  const form = el("form", { novalidate: true }, text.wrap, el("div", { class: "row" }, submit), status);
  const list = el("ol", { class: "announcements", reversed: true });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    await busy(submit, async () => {
      try {
        const posted = await call(`/contests/${state.id}/announcements`, { method: "POST", body: { text: text.input.value.trim() } });
        if (!state.announcements.some((a) => a.seq === posted.seq)) state.announcements = [...state.announcements, posted];
        state.emit("announcements");
        form.reset();
        flash(status, "Announced.");
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  const draw = () => {
    const items = [...state.announcements].reverse().slice(0, 10);
    replace(list, items.length ? items.map((a) => el("li", {}, el("span", { class: "muted" }, clockTime(a.at)), " ", a.text)) : el("li", { class: "muted" }, "No announcements yet."));
  };
  draw();
  const stop = watch(state, ["announcements"], draw);
  const node = el("section", { class: "panel", "aria-labelledby": "announce-h" }, el("h3", { id: "announce-h" }, "Announcements"), form, list);
  return { node, destroy: stop };
}

function revealList(reveal) {
  if (!reveal || !reveal.steps?.length) return null;
  return el(
    "details",
    { class: "reveal" },
    el("summary", {}, `Reveal: ${reveal.steps.length} step${reveal.steps.length === 1 ? "" : "s"}, shown on the projector`),
    el(
      "ol",
      {},
      reveal.steps.map((s) => el("li", {}, `${s.name}: ${s.from_score} → ${s.to_score} (rank ${s.from_rank} → ${s.to_rank})`)),
    ),
  );
}

export function freezePanel(state) {
  const info = el("div", {});
  const freeze = el("button", { type: "button", class: "secondary" }, "Freeze the standings");
  const unfreeze = el("button", { type: "button" }, "Unfreeze and reveal");
  const status = el("div", { role: "status" });
  const draw = () => {
    const { frozen, frozen_at } = state.frozen;
    replace(
      info,
      el("p", {}, frozen ? el("strong", {}, `Frozen since ${clockTime(frozen_at)}`) : "Not frozen: teams and the projector see the live standings."),
      frozen ? el("p", { class: "muted" }, "Teams and the projector see the standings as they were at the freeze; you see them live.") : null,
      revealList(state.reveal),
    );
    const finished = state.contest.status === "finished";
    freeze.hidden = frozen || finished;
    unfreeze.hidden = !frozen;
  };
  freeze.addEventListener("click", () =>
    busy(freeze, async () => {
      try {
        const result = await call(`/contests/${state.id}/freeze`, { method: "POST" });
        state.frozen = { frozen: result.frozen, frozen_at: result.frozen_at };
        state.emit("freeze");
        draw(); // now, not at the next frame: the button to focus must be shown first
        flash(status, "The public standings are frozen.");
        unfreeze.focus();
      } catch (error) {
        flash(status, error.message, "bad");
      }
    }),
  );
  unfreeze.addEventListener("click", async () => {
    if (!(await confirmAction("Unfreeze? The projector will reveal the hidden points step by step.", "Unfreeze and reveal", { danger: false }))) return;
    await busy(unfreeze, async () => {
      try {
        const result = await call(`/contests/${state.id}/unfreeze`, { method: "POST" });
        state.frozen = { frozen: false, frozen_at: null };
        state.reveal = result.reveal;
        state.emit("freeze");
        draw();
        flash(status, "Unfrozen: the reveal is on.");
        freeze.focus();
      } catch (error) {
        flash(status, error.message, "bad");
      }
    });
  });
  draw();
  const stop = watch(state, ["freeze", "contest"], draw);
  const node = el("section", { class: "panel", "aria-labelledby": "freeze-h" }, el("h3", { id: "freeze-h" }, "Freeze"), info, el("div", { class: "row" }, freeze, unfreeze), status);
  return { node, destroy: stop };
}

export function boardRows(state, limit = Infinity) {
  return (state.board.teams || []).slice(0, limit).map((row) =>
    el("tr", {}, el("td", {}, String(row.rank)), el("td", {}, row.name), el("td", { class: "num" }, String(row.score))),
  );
}

export function boardPanel(state) {
  const body = el("div", {});
  const draw = () => {
    const rows = boardRows(state, 10);
    replace(
      body,
      rows.length
        ? el("table", { class: "board" }, el("caption", { class: "visually-hidden" }, "Leaderboard, top 10"), el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Rank"), el("th", { scope: "col" }, "Team"), el("th", { scope: "col", class: "num" }, "Score"))), el("tbody", {}, rows))
        : el("p", { class: "muted" }, "No teams yet."),
    );
  };
  draw();
  const stop = watch(state, ["board"], draw);
  const node = el(
    "section",
    { class: "panel", "aria-labelledby": "board-h" },
    el("h3", { id: "board-h" }, "Leaderboard (live)"),
    body,
    el("p", {}, el("a", { href: `#/contests/${state.id}/results` }, "Full results and chart")),
  );
  return { node, destroy: stop };
}
