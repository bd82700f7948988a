// The quizmaster's contests: the list, and a form to create one.

import { el, replace, announce, clockTime } from "../common/ui.js";
import { call } from "./session.js";
import { field, checkbox, showErrors, busy, tableBox } from "./forms.js";

export function topBar({ logout, title = null, status = null }) {
  return el(
    "header",
    { class: "topbar" },
    el("a", { href: "#/", class: "brand" }, "quizserver console"),
    title ? el("span", { class: "topbar-title spacer" }, title) : el("span", { class: "spacer" }),
    status,
    el("button", { type: "button", class: "secondary", onclick: logout }, "Log out"),
  );
}

export function statusTag(status) {
  return el("span", { class: `tag status-${status}` }, status);
}

function createForm() {
  const title = field({ label: "Title", name: "title", required: true, maxlength: 200 });
  const starting = field({
    label: "Starting points",
    name: "settings.starting_points",
    type: "number",
    value: 1000,
    min: 0,
    max: 1000000,
    hint: "Every team starts with these points (they pay for mystery boxes).",
  });
  const penalty = field({
    label: "Wrong-answer penalty",
    name: "settings.wrong_answer_penalty",
    type: "number",
    value: 0,
    min: 0,
  });
  const late = checkbox({ label: "Teams may join after the start", name: "settings.allow_late_join", checked: true });
  const submit = el("button", { type: "submit" }, "Create contest");
  const form = el(
    "form",
    { class: "panel", "aria-labelledby": "create-contest-h", novalidate: true },
    el("h2", { id: "create-contest-h" }, "New contest"),
    el("div", { class: "grid-2" }, title.wrap, starting.wrap, penalty.wrap),
    late.wrap,
    el("div", { class: "row" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        const contest = await call("/contests", {
          method: "POST",
          body: {
            title: title.input.value.trim(),
            settings: {
              starting_points: Number(starting.input.value || 0),
              wrong_answer_penalty: Number(penalty.input.value || 0),
              allow_late_join: late.input.checked,
            },
          },
        });
        announce(`Contest ${contest.title} created.`);
        location.hash = `#/contests/${contest.id}/build`;
      } catch (error) {
        showErrors(form, error, { fields: error.fields });
      }
    });
  });
  return form;
}

function contestRows(contests) {
  return contests.map((c) =>
    el(
      "tr",
      {},
      el("td", {}, el("a", { href: `#/contests/${c.id}/run` }, c.title)),
      el("td", { class: "code" }, c.code),
      el("td", {}, statusTag(c.status)),
      el("td", {}, String(c.rounds.length)),
      el("td", {}, clockTime(c.updated_at)),
      el(
        "td",
        {},
        el("a", { href: `#/contests/${c.id}/build`, "aria-label": `Build ${c.title}` }, "Build"),
        " · ",
        el("a", { href: `#/contests/${c.id}/run`, "aria-label": `Run ${c.title}` }, "Run"),
      ),
    ),
  );
}

export function contestsView(main, { logout }) {
  const list = el("section", { class: "panel", "aria-labelledby": "contests-h" }, el("h2", { id: "contests-h" }, "Your contests"));
  const body = el("div", {}, el("p", { class: "muted" }, "Loading…"));
  list.append(body);
  replace(
    main,
    topBar({ logout }),
    el("h1", { tabindex: "-1", class: "visually-hidden" }, "Contests"),
    el("div", { class: "contests-layout" }, list, createForm()),
  );
  main.querySelector("h1").focus();
  call("/contests")
    .then((contests) => {
      if (!contests.length) replace(body, el("p", {}, "No contests yet. Create one with the form."));
      else {
        contests.sort((a, b) => b.id - a.id);
        replace(body, tableBox("Your contests", ["Title", "Code", "Status", "Rounds", "Changed", ""], contestRows(contests)));
      }
    })
    .catch((error) => replace(body, el("p", { class: "error" }, error.message)));
  return { unmount() {} };
}
