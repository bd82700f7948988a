// Fair-play signals: when this device leaves the quiz page (the tab hidden, or the window
// losing focus to another app), measure how long, and tell the server once it is back
// (POST /api/v1/me/focus). Only while the contest is running: a phone put away in the
// lobby is nobody's business. A report is a hint for the quizmaster, never a penalty,
// and it fails silently: an older server without the endpoint (404), a rate limit or a
// dropped network must not trouble the team.

import { api } from "../common/api.js";
import { deviceId } from "./session.js";

// Shorter absences are noise (a click into the browser's own toolbar, a permission prompt).
const MIN_AWAY_MS = 300;

// `playing()`: the team's auth while its contest is running, else null.
export function watchFocus({ playing }) {
  const device = deviceId();
  let awayStart = null;
  let kind = null;
  let disabled = false;

  function leave(why) {
    if (disabled || !playing()) return;
    if (awayStart === null) {
      awayStart = performance.now();
      kind = why;
    } else if (why === "hidden") {
      kind = "hidden"; // blurred first, then hidden: it was a tab switch
    }
  }

  function back() {
    if (awayStart === null || document.visibilityState !== "visible") return;
    const awayMs = Math.round(performance.now() - awayStart);
    const reported = kind;
    awayStart = null;
    kind = null;
    const auth = playing();
    if (awayMs < MIN_AWAY_MS || !auth) return;
    api("/me/focus", { method: "POST", auth, body: { device, kind: reported, away_ms: awayMs } }).catch((error) => {
      if (error && error.status === 404) disabled = true;
    });
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") leave("hidden");
    else back();
  });
  window.addEventListener("blur", () => leave("blur"));
  window.addEventListener("focus", back);
  window.addEventListener("pagehide", () => {
    awayStart = null; // the page is going away: nothing comes back to report it
  });
}
