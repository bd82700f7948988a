// Regrades: after a question's accepted answer changed, score again the answers teams
// already gave — one question (with its round: streak bonuses chain its answers) or the
// whole contest. The server queues the work as a task and answers at once; the dialog
// waits for it to finish (the `regrade.done` event or GET /regrades/{id}, whichever comes
// first) and says whose points moved. The scores themselves arrive over the socket.

import { el, replace, announce } from "../common/ui.js";
import { call } from "./session.js";
import { field, busy, modal, showErrors, clearErrors } from "./forms.js";

const POLL_FIRST_MS = 500;
const POLL_MOST_MS = 5000;
const SLOW_MS = 15000; // then say that the work is still waiting for the server

// Answers exist once teams may have answered: not in a draft or the lobby.
export function canRegrade(state) {
  return !["draft", "lobby"].includes(state.contest.status);
}

function explanation(state, question) {
  if (!question) {
    return "Every answer of every round is scored again against the questions' accepted answers as they are now.";
  }
  const round = state.round(state.roundOf(question.id));
  const others = round && (state.questions.get(round.id) || []).length > 1;
  return `Every answer already given to this question is scored again against its accepted answer as it is now${others ? `, and so are the other answers of “${round.title}”, as streak bonuses link them` : ""}.`;
}

function signed(points) {
  return points > 0 ? `+${points}` : String(points);
}

// The outcome, as the quizmaster reads it: whose points moved, and by how much.
export function outcome(state, changes) {
  const moved = Object.entries(changes || {}).filter(([, points]) => points !== 0);
  if (!moved.length) return [el("p", { class: "notice" }, "Regrade done: no team's points changed.")];
  const total = moved.reduce((sum, [, points]) => sum + points, 0);
  const teams = `${moved.length} team${moved.length === 1 ? "" : "s"}`;
  return [
    el("p", { class: "notice" }, `Regrade done: the points of ${teams} changed (${signed(total)} in all).`),
    el(
      "ul",
      { class: "regrade-changes" },
      moved.map(([id, points]) => el("li", {}, el("strong", {}, state.teamName(Number(id))), `: ${signed(points)} points`)),
    ),
  ];
}

// Resolves with the finished regrade, or null once `cancelled()` (the dialog closed).
function finished(state, regrade, { cancelled, onSlow }) {
  const known = state.regrades.get(regrade.id); // its event may come before the HTTP answer
  if (known) return Promise.resolve({ ...regrade, status: "done", changes: known.changes });
  return new Promise((resolve, reject) => {
    let delay = POLL_FIRST_MS;
    let timer = null;
    const slow = setTimeout(onSlow, SLOW_MS);
    const stop = () => {
      clearTimeout(timer);
      clearTimeout(slow);
      unsubscribe();
    };
    const done = (result) => {
      stop();
      resolve(result);
    };
    const unsubscribe = state.on((topic) => {
      const event = topic === "regrade" ? state.regrades.get(regrade.id) : null;
      if (event) done({ ...regrade, status: "done", changes: event.changes });
    });
    const poll = async () => {
      if (cancelled()) return done(null);
      try {
        const current = await call(`/regrades/${regrade.id}`);
        if (current.status === "done") return done(current);
      } catch (error) {
        if (error.status !== 0) {
          stop();
          return reject(error);
        }
        // Offline for a moment: ask again.
      }
      delay = Math.min(delay * 2, POLL_MOST_MS);
      timer = setTimeout(poll, delay);
    };
    timer = setTimeout(poll, delay);
  });
}

// Ask, queue the regrade, wait for it, show what changed. `question`: one of the round's
// questions (null: the whole contest).
export function regradeDialog(state, { question = null } = {}) {
  const reason = field({ label: "Reason (optional)", name: "reason", maxlength: 500, hint: "Kept with the correction, with your name." });
  const start = el("button", { type: "submit" }, question ? "Regrade this question" : "Regrade every answer");
  const cancel = el("button", { type: "button", class: "secondary" }, "Cancel");
  const status = el("div", { class: "regrade-status", role: "status" });
  const form = el(
    "form",
    { class: "regrade-form", novalidate: true },
    el("p", {}, explanation(state, question)),
    el(
      "p",
      {},
      "A team whose points change gets a correction in its score, and teams and the projector see the new scores at once. Essays and code keep the grade or verdict they have. Regrading again changes nothing more.",
    ),
    reason.wrap,
    el("div", { class: "row" }, start, cancel),
    status,
  );
  const title = question ? `Regrade “${question.prompt}”` : "Regrade the whole contest";
  const { dialog, close } = modal(title, form);
  let open = true;
  dialog.addEventListener("close", () => {
    open = false;
  });
  cancel.addEventListener("click", close);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    await busy(start, async () => {
      cancel.disabled = true;
      try {
        const path = question ? `/questions/${question.id}/regrade` : `/contests/${state.id}/regrade`;
        const queued = await call(path, { method: "POST", body: { reason: reason.input.value.trim() } });
        replace(status, el("p", { class: "muted" }, "Scoring the answers again…"));
        const result =
          queued.status === "done"
            ? queued
            : await finished(state, queued, {
                cancelled: () => !open,
                onSlow: () => replace(status, el("p", { class: "muted" }, "Still waiting for the server to score the answers again. You may close this window: the scores change when it is done.")),
              });
        if (!result) return;
        replace(status, outcome(state, result.changes));
        announce(status.textContent);
        start.hidden = true;
        reason.input.readOnly = true; // kept with this regrade; another needs a new dialog
        cancel.textContent = "Close";
        cancel.disabled = false;
        cancel.focus();
      } catch (error) {
        cancel.disabled = false;
        showErrors(form, error);
      }
    });
  });
  cancel.focus();
  return { dialog, close };
}
