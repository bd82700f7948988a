// The projector's whole-screen views that are not the running board: the lobby (how to
// join, teams arriving), the podium at the end, and the messages for a missing contest.

import { displayCode, el, replace } from "../common/ui.js";

export function joinUrl(code) {
  return `${location.origin}/play/${displayCode(code)}`;
}

// The link as a node that breaks between the server and the path, never inside the code.
export function joinLink(code) {
  return [location.origin, el("wbr"), el("span", { class: "nowrap" }, `/play/${displayCode(code)}`)];
}

export function qrImage(code, { small = false } = {}) {
  return el("img", {
    class: small ? "qr qr-small" : "qr",
    src: `/screen/${encodeURIComponent(code)}/join.svg`,
    alt: `QR code to join the quiz: ${joinUrl(code)}`,
    width: 400,
    height: 400,
  });
}

// The code as big letters, read out letter by letter to screen readers.
function bigCode(code) {
  const shown = displayCode(code);
  return el(
    "p",
    { class: "join-code" },
    el("span", { "aria-hidden": "true" }, shown),
    el("span", { class: "visually-hidden" }, `Code: ${shown.split("").join(" ")}`),
  );
}

export class LobbyView {
  constructor({ section, code }) {
    this.section = section;
    this.code = code;
    this.count = el("p", { class: "arrivals-count" });
    this.names = el("ul", { class: "arrivals", "aria-label": "Teams that have joined" });
    this.moreNames = el("p", { class: "muted arrivals-more" });
    this.built = false;
  }

  build(contest) {
    replace(
      this.section,
      el(
        "div",
        { class: "lobby-join" },
        el("div", { class: "lobby-qr" }, qrImage(contest.code)),
        el(
          "div",
          { class: "lobby-text" },
          el("h2", { id: "lobby-heading" }, contest.status === "draft" ? "Join the quiz when it opens" : "Join the quiz"),
          el("p", { class: "join-step" }, "Scan the code, or go to"),
          el("p", { class: "join-url big-url" }, joinLink(contest.code)),
          el("p", { class: "join-step" }, "and enter the code"),
          bigCode(contest.code),
        ),
      ),
      el(
        "div",
        { class: "lobby-teams" },
        el("div", { class: "arrivals-head" }, el("h2", { class: "arrivals-heading" }, "Teams in the room"), this.count),
        this.names,
        this.moreNames,
      ),
    );
    this.built = true;
  }

  // names: newest first; count: the contest's team count.
  update(contest, names, newest) {
    if (!this.built || this.builtFor !== contest.status) this.build(contest);
    this.builtFor = contest.status;
    const count = Math.max(contest.teams, names.length);
    this.count.textContent =
      count === 0 ? "Waiting for the first team…" : `${count} team${count === 1 ? " has" : "s have"} joined`;
    // Chips are kept by name: only a team that just arrived pops in.
    const chips = new Map([...this.names.children].map((chip) => [chip.textContent, chip]));
    replace(
      this.names,
      names.map((name) => {
        let chip = chips.get(name);
        if (!chip) {
          chip = el("li", { class: name === newest ? "arrival pop" : "arrival" }, name);
          // Once: hiding and showing a chip (fitNames) must not replay it.
          chip.addEventListener("animationend", () => chip.classList.remove("pop"), { once: true });
        }
        chip.classList.toggle("newest", name === newest);
        return chip;
      }),
    );
    this.fitNames(count);
  }

  // Keep the names to the space the list has: hide the oldest that do not fit.
  fitNames(count = this.lastCount ?? 0) {
    this.lastCount = count;
    const items = [...this.names.children];
    for (const item of items) item.hidden = false;
    let shown = items.length;
    this.moreNames.textContent = shown < count ? `and ${count - shown} more` : "";
    if (this.names.clientHeight === 0) return;
    while (shown > 0 && this.names.scrollHeight > this.names.clientHeight + 1) {
      shown -= 1;
      items[shown].hidden = true;
      this.moreNames.textContent = `and ${count - shown} more`;
    }
  }
}

export function podium(section, teams, title) {
  const [first, second, third] = teams;
  const place = (team, n, label) =>
    team
      ? el(
          "li",
          { class: `podium-place place-${n}` },
          el("p", { class: "podium-name" }, el("span", { class: "visually-hidden" }, `${label}: `), team.name),
          el("p", { class: "podium-score" }, `${team.score}`, el("span", { class: "visually-hidden" }, " points")),
          el("div", { class: "podium-block", "aria-hidden": "true" }, el("span", {}, n)),
        )
      : null;
  replace(
    section,
    el("h2", { id: "podium-heading", class: "podium-heading" }, `${title}: the winners`),
    el(
      "ol",
      { class: "podium-places", "aria-labelledby": "podium-heading" },
      // Drawn second, first, third; the list order (and reading order) stays 1, 2, 3.
      place(first, 1, "First place"),
      place(second, 2, "Second place"),
      place(third, 3, "Third place"),
    ),
    teams.length === 0 ? el("p", { class: "muted" }, "No team finished this quiz.") : null,
  );
}

export function problem(main, heading, text) {
  replace(main, el("section", { class: "problem", "aria-labelledby": "problem-heading" }, el("h1", { id: "problem-heading" }, heading), el("p", {}, text)));
}
