// The side of the team's screen: its score, rank and neighbours; announcements; the top
// of the board; the team itself, with the link that adds another device.

import { el, replace, clockTime, displayCode } from "../common/ui.js";

function ordinal(n) {
  const tail = n % 100 >= 11 && n % 100 <= 13 ? "th" : { 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th";
  return `${n}${tail}`;
}

export function rankText(standing) {
  if (!standing || !standing.rank) return "Not ranked yet";
  return `${ordinal(standing.rank)} of ${standing.total}`;
}

// The standing and the board are redrawn only when what they show changed: a push that
// changes nothing here leaves them (and a screen reader reading them) alone.
export function drawStanding(node, state) {
  const standing = state.standing;
  const signature = JSON.stringify([state.score, standing, state.frozenAt, state.reveal, state.team.id, state.team.name]);
  if (node.dataset.signature === signature) return;
  node.dataset.signature = signature;
  const me = { rank: standing && standing.rank, id: state.team.id, name: state.team.name, score: standing ? standing.score : state.score };
  const rows = standing ? [...standing.neighbours, me].sort((a, b) => (a.rank || 1e9) - (b.rank || 1e9)) : [me];
  replace(
    node,
    el("h2", { id: "standing-title" }, "Score and rank"),
    el(
      "div",
      { class: "score-line" },
      el("p", { class: "big-number" }, el("span", { class: "visually-hidden" }, "Score: "), String(state.score), el("span", { class: "unit" }, " points")),
      el("p", { class: "rank" }, el("span", { class: "visually-hidden" }, "Rank: "), rankText(standing)),
    ),
    state.frozenAt
      ? el("p", { class: "notice small" }, `The leaderboard is frozen since ${clockTime(state.frozenAt)}: ranks are as they were then; your own score still counts.`)
      : null,
    state.reveal
      ? el("p", { class: "notice small" }, `Revealed: ${state.reveal.from_score} → ${state.reveal.to_score} points, rank ${state.reveal.from_rank} → ${state.reveal.to_rank}.`)
      : null,
    rows.length > 1
      ? el(
          "table",
          { class: "neighbours" },
          el("caption", { class: "visually-hidden" }, "The teams around yours"),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Rank"), el("th", { scope: "col" }, "Team"), el("th", { scope: "col", class: "num" }, "Points"))),
          el(
            "tbody",
            {},
            rows.map((row) =>
              el(
                "tr",
                { class: row.id === state.team.id ? "me" : null },
                el("td", {}, row.rank ? String(row.rank) : "–"),
                el("td", {}, row.name, row.id === state.team.id ? el("span", { class: "visually-hidden" }, " (your team)") : null),
                el("td", { class: "num" }, String(row.score)),
              ),
            ),
          ),
        )
      : null,
  );
}

// The board folds away in a <details> that stays the same node, so a board someone opened
// stays open (and its summary keeps the focus) while pushes change the rows.
export function drawBoard(node, state) {
  const board = state.leaderboard;
  const teams = board ? board.teams : [];
  const signature = JSON.stringify([teams, board && board.total, state.team.id]);
  if (node.dataset.signature === signature) return;
  node.dataset.signature = signature;
  if (!teams.length) {
    replace(node);
    node.boardParts = null;
    return;
  }
  if (!node.boardParts) {
    node.boardParts = { summary: el("summary"), list: el("ol", { class: "board" }) };
    replace(node, el("details", {}, node.boardParts.summary, node.boardParts.list));
  }
  node.boardParts.summary.textContent = `Leaderboard · top ${teams.length} of ${board.total}`;
  replace(
    node.boardParts.list,
    teams.map((row) =>
      el(
        "li",
        { class: row.id === state.team.id ? "me" : null },
        el("span", { class: "board-rank" }, String(row.rank)),
        el("span", { class: "board-name" }, row.name),
        el("span", { class: "board-score" }, String(row.score)),
      ),
    ),
  );
}

export function drawAnnouncements(node, state) {
  const items = state.announcements.slice().reverse();
  node.hidden = !items.length;
  const signature = items.map((a) => a.seq).join(",");
  if (signature === node.dataset.signature) return;
  node.dataset.signature = signature;
  replace(
    node,
    el("h2", {}, "Announcements"),
    el(
      "ul",
      { class: "announcements", role: "list" },
      items.slice(0, 10).map((a, index) =>
        el("li", { class: index === 0 ? "latest" : null }, el("span", { class: "small muted" }, clockTime(a.at)), " ", a.text),
      ),
    ),
  );
}

// The team: its members, and a link for another device (secret: anyone with it plays as
// the team, so it stays folded away until asked for).
export class TeamPanel {
  constructor({ code, token, onLeave }) {
    this.link = `${location.origin}/play/${displayCode(code)}#t=${encodeURIComponent(token)}`;
    this.title = el("h2", {});
    this.members = el("p", { class: "muted" });
    const linkId = "team-link-copy";
    const field = el("input", { id: linkId, type: "text", readonly: true, value: this.link, class: "mono" });
    const copied = el("p", { class: "small good", role: "status" });
    const copy = el("button", { type: "button", class: "secondary" }, "Copy link");
    copy.addEventListener("click", async () => {
      field.select();
      try {
        await navigator.clipboard.writeText(this.link);
      } catch (error) {
        document.execCommand("copy"); // plain-http venue networks have no clipboard API
      }
      copied.textContent = "Copied. Open it on the other device.";
    });
    const leave = el("button", { type: "button", class: "secondary" }, "Leave on this device");
    leave.addEventListener("click", () => {
      if (confirm("Forget your team on this device? You can come back with the team link from another device.")) onLeave();
    });
    this.node = el(
      "section",
      { class: "panel team-panel", "aria-labelledby": "team-title" },
      this.title,
      this.members,
      el(
        "details",
        { class: "device-link" },
        el("summary", {}, "Add another device"),
        el("p", { class: "small" }, "Open this link on a teammate's phone or laptop: it joins as your team. Share it only with your team."),
        el("label", { for: linkId }, "Team link"),
        field,
        el("div", { class: "row" }, copy, leave),
        copied,
      ),
    );
    this.title.id = "team-title";
  }

  update(state) {
    this.title.textContent = state.team.name;
    const members = state.team.members || [];
    this.members.textContent = members.length ? members.join(", ") : "No members listed.";
  }
}
