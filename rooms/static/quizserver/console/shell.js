// One contest in the console: its header (title, join code, status, connection), the tabs,
// and the tab on show. The contest's state and socket live as long as this view.

import { el, replace, displayCode } from "../common/ui.js";
import { ContestState } from "./state.js";
import { topBar, statusTag } from "./contests.js";
import { buildTab } from "./build.js";
import { runTab } from "./run.js";
import { teamsTab } from "./teams.js";
import { gradingTab } from "./grading.js";
import { judgeTab } from "./judge.js";
import { resultsTab } from "./results.js";

export const TABS = [
  { id: "build", label: "Build", view: buildTab },
  { id: "run", label: "Run", view: runTab },
  { id: "teams", label: "Teams", view: teamsTab },
  { id: "grading", label: "Grading", view: gradingTab },
  { id: "judge", label: "Judge", view: judgeTab },
  { id: "results", label: "Results", view: resultsTab },
];

const STATUS_TEXT = { connecting: "Connecting…", live: "Live", offline: "Offline, reconnecting…", rejected: "Not allowed" };

// Calls `fn` at most once per frame however many times it is asked to.
export function coalesce(fn) {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    const run = () => {
      pending = false;
      fn();
    };
    if (document.hidden) setTimeout(run, 200);
    else requestAnimationFrame(run);
  };
}

// Subscribe `draw` to some topics of the state; returns the unsubscribe.
export function watch(state, topics, draw) {
  const scheduled = coalesce(draw);
  return state.on((topic) => {
    if (topics.includes(topic)) scheduled();
  });
}

export function contestView(main, route, { logout }) {
  const state = new ContestState(route.id);
  const connection = el("span", { class: "connection", role: "status" });
  const heading = el("h1", { tabindex: "-1", class: "contest-title" }, "Loading contest…");
  const meta = el("p", { class: "contest-meta" });
  const nav = el("nav", { class: "tabs", "aria-label": "Contest sections" });
  const panel = el("section", { class: "tab-panel", "aria-labelledby": "tab-heading" });
  replace(main, topBar({ logout, status: connection }), heading, meta, nav, panel);
  heading.focus();

  let tab = null;
  let mounted = null;
  const view = {
    contestId: route.id,
    show(tabId) {
      if (!state.contest) {
        tab = tabId;
        return;
      }
      mounted?.unmount?.();
      tab = tabId;
      const spec = TABS.find((t) => t.id === tabId);
      for (const link of nav.querySelectorAll("a")) {
        if (link.dataset.tab === tabId) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
      }
      replace(panel, el("h2", { id: "tab-heading", class: "visually-hidden" }, spec.label));
      const body = el("div", { class: "tab-body" });
      panel.append(body);
      mounted = spec.view(body, state);
      document.title = `${spec.label} · ${state.contest.title} · quizserver`;
    },
    unmount() {
      mounted?.unmount?.();
      state.stop();
    },
  };

  const drawHeader = () => {
    const c = state.contest;
    heading.textContent = c.title;
    replace(
      meta,
      "Join code ",
      el("strong", { class: "code" }, displayCode(c.code)),
      " · ",
      statusTag(c.status),
      " · ",
      el("a", { href: `/screen/${encodeURIComponent(c.code)}`, target: "_blank", rel: "noopener" }, "Projector screen"),
      " · ",
      el("a", { href: `/play/${encodeURIComponent(c.code)}`, target: "_blank", rel: "noopener" }, "Team page"),
    );
  };
  const drawStatus = () => {
    const status = state.status;
    const dot = status === "live" ? "live" : status === "connecting" ? "" : "offline";
    replace(connection, el("span", { class: `status-dot ${dot}`, "aria-hidden": "true" }), STATUS_TEXT[status] || status);
  };
  drawStatus();
  state.on((topic) => {
    if (topic === "contest") drawHeader();
    if (topic === "status") drawStatus();
  });

  state
    .load()
    .then(() => {
      drawHeader();
      replace(
        nav,
        el(
          "ul",
          {},
          TABS.map((t) => el("li", {}, el("a", { href: `#/contests/${state.id}/${t.id}`, "data-tab": t.id }, t.label))),
        ),
      );
      view.show(tab || route.tab);
    })
    .catch((error) => {
      heading.textContent = "This contest could not be loaded";
      replace(panel, el("p", { class: "error" }, error.message), el("p", {}, el("a", { href: "#/" }, "Back to your contests")));
    });
  tab = route.tab;
  return view;
}
