// Announcements on the projector: each one large across the screen for a while (longer
// for longer text), one after another when several arrive, each shown once (a replay
// after a reconnect carries the same seq).

import { announce, el, replace } from "../common/ui.js";

const SHORTEST_MS = 8000;
const LONGEST_MS = 20000;
const MS_PER_CHARACTER = 120;

export class Announcements {
  constructor(aside) {
    this.aside = aside;
    this.queue = [];
    this.shown = new Set();
    this.timer = null;
  }

  show(text, seq) {
    if (this.shown.has(seq)) return;
    this.shown.add(seq);
    this.queue.push(text);
    announce(`Announcement: ${text}`);
    if (!this.timer) this.next();
  }

  next() {
    const text = this.queue.shift();
    if (text === undefined) {
      this.aside.hidden = true;
      this.timer = null;
      return;
    }
    replace(this.aside, el("p", { class: "announcement-label" }, "Announcement"), el("p", { class: "announcement-text" }, text));
    this.aside.hidden = false;
    const shownFor = Math.min(LONGEST_MS, Math.max(SHORTEST_MS, text.length * MS_PER_CHARACTER));
    this.timer = setTimeout(() => this.next(), shownFor);
  }
}
