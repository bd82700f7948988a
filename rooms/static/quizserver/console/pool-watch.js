// A pool round as it is played: how many questions were claimed and answered, mystery boxes
// opened, and the latest claims and answers as they arrive.

import { el, replace, clockTime } from "../common/ui.js";

const SHOWN = 25;

function stat(label, value) {
  return el("div", { class: "stat" }, el("span", { class: "stat-value" }, String(value)), el("span", { class: "stat-label" }, label));
}

export function poolWatch(state, round) {
  const stats = el("div", { class: "stats" });
  const feed = el("ol", { class: "feed", tabindex: "0", "aria-label": `Latest in ${round.title}` });
  const node = el(
    "section",
    { class: "panel pool-watch", "data-round": round.id, "aria-labelledby": `pool-h-${round.id}` },
    el("h3", { id: `pool-h-${round.id}` }, `Pool round: ${round.title}`),
    stats,
    el("h4", {}, "Latest"),
    feed,
  );
  // Drawn again only when something it shows changed: it is asked at every event of the
  // contest, and a quizmaster may be scrolling or selecting in its feed.
  let shown = null;
  const update = () => {
    const s = state.poolStats(round.id);
    const items = state.feed.filter((f) => f.round === round.id).slice(0, SHOWN);
    const key = JSON.stringify([s.claims, s.boxes, [...s.claimed], [...s.results], (state.questions.get(round.id) || []).length, items.map((f) => [f.seq, state.teamName(f.team)])]);
    if (key === shown) return;
    shown = key;
    const results = [...s.results.values()];
    const questions = state.questions.get(round.id) || [];
    const regular = questions.filter((q) => !q.mystery).length;
    replace(
      stats,
      stat("claims", s.claims),
      round.exclusive ? stat(`of ${regular} questions taken`, [...s.claimed].filter((id) => !state.question(id)?.mystery).length) : null,
      stat("answers", results.length),
      stat("correct", results.filter((c) => c === true).length),
      stat("wrong", results.filter((c) => c === false).length),
      stat("waiting for a score", results.filter((c) => c === null || c === undefined).length),
      round.mystery_boxes.length ? stat("mystery boxes opened", s.boxes) : null,
    );
    replace(
      feed,
      items.length
        ? items.map((f) => el("li", {}, el("span", { class: "muted feed-time" }, clockTime(f.at)), " ", el("strong", {}, state.teamName(f.team)), " ", f.text))
        : el("li", { class: "muted" }, "Nothing yet: teams claim questions from the team page."),
    );
  };
  return { node, update, destroy() {} };
}
