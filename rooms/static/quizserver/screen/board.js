// The projector's leaderboard: as many rows as fit the space it has, each row keyed by
// team, and rows that glide to their new place when ranks change (FLIP: measure where a
// row was, move it in the DOM, start it from the old place with a transform, let it slide
// home). With prefers-reduced-motion the rows simply jump.
//
// A board longer than the screen pages: the top PINNED rows stay, and the rows below them
// show the next places every few seconds (the app turns the pages). The socket pushes only
// the top of the board; the places below it come from the public board (`setRest`), which
// is frozen during a freeze like the pushes.

import { el, replace } from "../common/ui.js";

const MOVE_MS = 700;
const DELTA_SHOWN_MS = 4000;
const PINNED = 3;
// Pages cover the first PAGED_PLACES places: a national event's board is not read to the
// last team from a projector, and one round of pages stays a few minutes long.
export const PAGED_PLACES = 100;

export function reducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

export function ordinal(n) {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${{ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th"}`;
}

export class BoardView {
  // `list`: the <ol> the rows live in (its height decides how many fit); `more`: where
  // "+ N more teams" goes; `empty`: the text shown with no team at all.
  constructor({ list, more, empty = "No teams yet." }) {
    this.list = list;
    this.more = more;
    this.empty = empty;
    this.rows = new Map(); // team id -> { li, score, rank, name }
    this.teams = [];
    this.total = 0;
    this.capacity = 10;
    this.highlight = null;
    this.deltaTimers = new Map();
    this.flowing = false;
    this.rest = []; // the whole board, from the public leaderboard: the places below the top
    this.paging = false;
    this.page = 0;
  }

  // teams: [{rank, id, name, score}] best first; total: how many teams the board has.
  show(teams, total = teams.length, { highlight = this.highlight } = {}) {
    this.teams = teams;
    this.total = Math.max(total, teams.length);
    this.highlight = highlight;
    this.render();
  }

  // The whole board (from the public leaderboard), for the places below the pushed top.
  setRest(teams) {
    this.rest = teams;
    this.render({ animate: false });
  }

  // Off during a reveal: it plays on the rows it is given, and nothing else is shown.
  setPaging(on) {
    if (this.paging === on) return;
    this.paging = on;
    this.page = 0;
    if (!on) this.rest = [];
    this.render({ animate: false });
  }

  // The rows known: the pushed top (the newest), then the rest of the public board in its
  // order, without the teams the top holds; places are positions on this list.
  known() {
    const top = this.teams;
    if (!this.paging || this.rest.length === 0) return top;
    const inTop = new Set(top.map((team) => team.id));
    const below = this.rest.filter((team) => !inTop.has(team.id));
    return [...top, ...below].slice(0, Math.max(top.length, this.total)).map((team, index) => ({ ...team, rank: index + 1 }));
  }

  // True when the screen has room for places it was not pushed.
  wantsRest() {
    return this.paging && !this.flowing && this.total > this.teams.length;
  }

  pinnedRows() {
    return Math.min(PINNED, Math.max(0, this.capacity - 3));
  }

  pageCount(known = this.known()) {
    const places = Math.min(known.length, PAGED_PLACES);
    if (!this.paging || places <= this.capacity) return 1;
    const pinned = this.pinnedRows();
    return Math.ceil((places - pinned) / (this.capacity - pinned));
  }

  turnPage() {
    if (this.pageCount() < 2) return;
    this.page += 1;
    this.render();
  }

  // The rows on the screen now, and what the line under them says.
  visible() {
    const known = this.known();
    const pages = this.pageCount(known);
    if (pages < 2) {
      const rows = known.slice(0, this.capacity);
      const hidden = this.total - rows.length;
      return { rows, firstPaged: null, more: hidden > 0 ? `+ ${hidden} more team${hidden === 1 ? "" : "s"}` : "" };
    }
    const page = this.page % pages;
    const pinned = this.pinnedRows();
    const per = this.capacity - pinned;
    const places = Math.min(known.length, PAGED_PLACES);
    const from = pinned + page * per;
    const rows = [...known.slice(0, pinned), ...known.slice(from, Math.min(from + per, places))];
    const last = Math.min(from + per, places);
    const beyond = this.total - places;
    const more = `Places ${from + 1}–${last} of ${this.total} · page ${page + 1} of ${pages}${beyond > 0 ? ` · + ${beyond} more` : ""}`;
    return { rows, firstPaged: page > 0 ? known[from].id : null, more };
  }

  setHighlight(teamId) {
    this.highlight = teamId;
    for (const [id, row] of this.rows) row.li.classList.toggle("highlight", id === teamId);
  }

  // How many rows fit the list's height now; re-render when that changed.
  fit() {
    const style = getComputedStyle(this.list);
    // On a phone the page scrolls: every row the server sent is shown.
    const flowing = style.getPropertyValue("--fit").trim() === "none";
    this.flowing = flowing;
    const rowHeight = parseFloat(style.gridAutoRows) || this.list.firstElementChild?.offsetHeight || 60;
    const gap = parseFloat(style.rowGap) || 0;
    const height = this.list.clientHeight;
    const capacity = flowing ? Infinity : Math.max(1, Math.floor((height + gap) / (rowHeight + gap)));
    if (capacity !== this.capacity) {
      this.capacity = capacity;
      this.page = 0; // pages of another size: start from the first
      this.render({ animate: false });
    }
  }

  render({ animate = true } = {}) {
    const { rows: visible, firstPaged, more } = this.visible();
    const motion = animate && !reducedMotion();
    const before = new Map();
    if (motion) for (const [id, row] of this.rows) before.set(id, row.li.getBoundingClientRect().top);

    const keep = new Set(visible.map((team) => team.id));
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.li.remove();
        this.rows.delete(id);
      }
    }
    const ordered = visible.map((team) => this.row(team));
    ordered.forEach((li, index) => {
      if (this.list.children[index] !== li) this.list.insertBefore(li, this.list.children[index] || null);
    });
    if (visible.length === 0) replace(this.list, el("li", { class: "board-empty" }, this.empty));
    else this.list.querySelector(".board-empty")?.remove();

    for (const [id, row] of this.rows) row.li.classList.toggle("page-start", id === firstPaged);
    this.more.textContent = more;
    if (motion) this.glide(before);
  }

  row(team) {
    let row = this.rows.get(team.id);
    if (!row) {
      const li = el(
        "li",
        { class: "board-row entering", dataset: { team: team.id } },
        el("span", { class: "rank" }),
        el("span", { class: "name" }),
        el("span", { class: "delta", "aria-hidden": "true" }),
        el("span", { class: "score" }),
      );
      row = { li, score: team.score, rank: null, name: null };
      this.rows.set(team.id, row);
      if (!reducedMotion()) li.addEventListener("animationend", () => li.classList.remove("entering"), { once: true });
      else li.classList.remove("entering");
    }
    const { li } = row;
    if (row.rank !== team.rank) {
      li.querySelector(".rank").textContent = team.rank;
      li.classList.toggle("top-1", team.rank === 1);
      li.classList.toggle("top-2", team.rank === 2);
      li.classList.toggle("top-3", team.rank === 3);
      row.rank = team.rank;
    }
    if (row.name !== team.name) {
      li.querySelector(".name").textContent = team.name;
      li.title = team.name;
      row.name = team.name;
    }
    const scoreNode = li.querySelector(".score");
    if (scoreNode.firstChild === null || row.score !== team.score) {
      const change = team.score - row.score;
      replace(scoreNode, String(team.score), el("span", { class: "visually-hidden" }, " points"));
      if (change) this.showDelta(team.id, li, change);
      row.score = team.score;
    }
    li.classList.toggle("highlight", team.id === this.highlight);
    return li;
  }

  showDelta(id, li, change) {
    const node = li.querySelector(".delta");
    node.textContent = change > 0 ? `+${change}` : `−${Math.abs(change)}`;
    node.className = `delta shown ${change > 0 ? "up" : "down"}`;
    clearTimeout(this.deltaTimers.get(id));
    this.deltaTimers.set(
      id,
      setTimeout(() => {
        node.className = "delta";
        node.textContent = "";
      }, DELTA_SHOWN_MS),
    );
  }

  // FLIP: every row that moved starts where it was and slides to where it is now.
  glide(before) {
    const moved = [];
    for (const [id, row] of this.rows) {
      const top = before.get(id);
      if (top === undefined) continue;
      const dy = top - row.li.getBoundingClientRect().top;
      if (Math.abs(dy) < 1) continue;
      row.li.style.transition = "none";
      row.li.style.transform = `translateY(${dy}px)`;
      row.li.classList.toggle("moving-up", dy > 0);
      moved.push(row.li);
    }
    if (!moved.length) return;
    this.list.getBoundingClientRect(); // commit the start positions before transitioning
    requestAnimationFrame(() => {
      for (const li of moved) {
        li.style.transition = `transform ${MOVE_MS}ms cubic-bezier(0.2, 0.8, 0.2, 1)`;
        li.style.transform = "";
        li.addEventListener(
          "transitionend",
          () => {
            li.style.transition = "";
            li.classList.remove("moving-up");
          },
          { once: true },
        );
      }
    });
  }
}
