// The contest socket (docs/PROTOCOL.md): hello, a snapshot or the missed events, then
// deltas. Keeps the heads of each stream and resyncs on any gap; reconnects by itself
// with backoff and resumes where it stood; estimates the server's clock from pongs.

export const PING_EVERY_MS = 20000;
// Nothing heard for this long (two pings unanswered): the connection died without a close
// (a phone that changed networks), which browsers may take minutes to notice.
export const SILENT_MS = 2 * PING_EVERY_MS + 5000;
// How often the socket looks at its connection: silence is noticed within this of SILENT_MS.
const WATCH_EVERY_MS = 5000;
// After the network comes back or the page is shown again, a ping unanswered for this
// long means the connection is dead: no need to wait for SILENT_MS.
const PROBE_MS = 5000;
// A resync unanswered for this long may be asked again; until then a gap asks nothing
// more (a burst of events after one lost message would otherwise send one resync each,
// and the server closes a socket that sends too many frames).
const RESYNC_WAIT_MS = 10000;
// A connection that is not open after this long is given up (a network that swallows
// the handshake can leave it pending for minutes).
const CONNECT_TIMEOUT_MS = 15000;
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const TOO_MANY_MESSAGES_WAIT_MS = 5000; // after a 4429: "reconnect after a few seconds"
// The clock offset comes from the sample with the shortest round trip among the latest
// few: a pong that was slow (a busy network) says little about the server's time.
const CLOCK_SAMPLES = 8;
const FINAL_CLOSES = new Set([4401, 4404]); // the token or the code is not good: do not retry
const TOO_MANY_MESSAGES = 4429;

export class ContestSocket {
  // handlers: onSnapshot(msg), onEvent(msg), onState(msg) (leaderboard, standing, presence…),
  // onStatus("connecting" | "live" | "offline" | "rejected", detail). "connecting" is the
  // first connection only: once it was lost, the socket says "offline" until it is live again.
  constructor({ code, token = null, audience = false, ...handlers }) {
    this.code = code;
    this.token = token;
    this.audience = audience;
    this.handlers = handlers;
    this.heads = null;
    this.epoch = null;
    this.offsetS = 0; // server time minus local time, in seconds
    this.clockSamples = []; // [{ offsetS, roundTripMs }], newest last
    this.backoffMs = BACKOFF_FIRST_MS;
    this.ws = null;
    this.stopped = true;
    this.helloSentAt = null;
    this.pings = new Map(); // id -> when it was sent, on the current connection
    this.syncingSince = null; // when a resume or resync was asked and not yet answered
    this.probeDeadline = null;
    this.onOnline = () => this.checkAlive();
    this.onVisible = () => {
      if (document.visibilityState === "visible") this.checkAlive();
    };
  }

  connect() {
    if (this.stopped) {
      this.stopped = false;
      window.addEventListener("online", this.onOnline);
      document.addEventListener("visibilitychange", this.onVisible);
    }
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return; // connecting or connected
    clearTimeout(this.retry);
    if (this.current !== "offline") this.status("connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/v1/contests/${encodeURIComponent(this.code)}/`);
    this.ws = ws;
    // Every listener ignores a socket that is no longer the current one: a connection
    // given up for dead may still deliver a message or a close long after.
    ws.addEventListener("open", () => {
      if (ws === this.ws) this.opened(ws);
    });
    ws.addEventListener("message", (message) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      this.probeDeadline = null;
      this.receive(JSON.parse(message.data));
    });
    ws.addEventListener("close", (close) => this.closed(ws, close.code));
    clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      if (ws === this.ws && ws.readyState === WebSocket.CONNECTING) this.giveUp(ws);
    }, CONNECT_TIMEOUT_MS);
  }

  opened(ws) {
    const hello = { type: "hello", token: this.token, audience: this.audience };
    if (this.heads && this.epoch !== null) Object.assign(hello, { heads: this.heads, epoch: this.epoch });
    this.helloSentAt = Date.now();
    ws.send(JSON.stringify(hello));
    this.syncingSince = Date.now(); // a snapshot or a replay and `synced` answer it
    this.lastHeard = Date.now();
    this.pings.clear();
    this.ping();
    clearInterval(this.watcher);
    this.watcher = setInterval(() => this.watch(), WATCH_EVERY_MS);
  }

  stop() {
    this.stopped = true;
    this.current = null;
    clearTimeout(this.retry);
    clearTimeout(this.connectTimer);
    clearInterval(this.watcher);
    window.removeEventListener("online", this.onOnline);
    document.removeEventListener("visibilitychange", this.onVisible);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000);
  }

  // The network came back or the page is visible again: reconnect at once if offline,
  // and if connected, make sure the connection still carries anything.
  checkAlive() {
    if (this.stopped) return;
    if (!this.ws) {
      this.connect();
      return;
    }
    if (this.ws.readyState !== WebSocket.OPEN || this.probeDeadline !== null) return; // one probe at a time
    this.probeDeadline = Date.now() + PROBE_MS;
    this.ping();
  }

  reconnectNow() {
    this.checkAlive();
  }

  // The server's clock now, in milliseconds since the epoch.
  serverNow() {
    return Date.now() + this.offsetS * 1000;
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  // Every WATCH_EVERY_MS: give up a silent connection, and ping when one is due.
  watch() {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    const probeFailed = this.probeDeadline !== null && now > this.probeDeadline;
    if (now - this.lastHeard > SILENT_MS || probeFailed) {
      this.giveUp(ws);
      return;
    }
    if (now - this.lastPing >= PING_EVERY_MS - WATCH_EVERY_MS / 2) this.ping();
  }

  // Reconnect now; the dead socket's own close, when it comes, is ignored.
  giveUp(ws) {
    this.closed(ws, 4000);
    ws.close(4000);
  }

  ping() {
    const id = Math.random().toString(36).slice(2, 10);
    this.lastPing = Date.now();
    if (this.pings.size > 16) this.pings.clear(); // unanswered ones are lost for good
    this.pings.set(id, Date.now());
    this.send({ type: "ping", id });
  }

  // Ask for what was missed after the heads; `fresh`: a snapshot instead.
  resync({ fresh = false } = {}) {
    this.syncingSince = Date.now();
    this.send(fresh || !this.heads ? { type: "resync" } : { type: "resync", heads: this.heads });
  }

  // Ask the server to send again every event after `heads` (positions behind the ones held,
  // e.g. `{contest: 0}` for a whole log from its start), then `synced`. Streams not named
  // keep their heads. The events from there on reach onEvent again, in order, as if new;
  // nothing is asked before the first snapshot (it holds everything up to its heads).
  replayFrom(heads) {
    if (!this.heads) return;
    this.heads = { ...this.heads, ...heads };
    this.resync();
  }

  // A message was lost: one resync, not one per message that follows the loss.
  gap(options) {
    if (this.syncingSince !== null && Date.now() - this.syncingSince < RESYNC_WAIT_MS) return;
    this.resync(options);
  }

  receive(msg) {
    if (msg.type === "snapshot") {
      this.epoch = msg.epoch;
      this.heads = { ...msg.heads };
      this.syncingSince = null;
      // Answering the hello, its round trip is known; answering a resync, it is not.
      const sent = this.helloSentAt;
      this.helloSentAt = null;
      const now = Date.now();
      this.clockFrom(msg.server_time, sent ?? now, now, sent === null ? Infinity : now - sent);
      this.backoffMs = BACKOFF_FIRST_MS;
      this.status("live");
      this.handlers.onSnapshot?.(msg);
      return;
    }
    if (this.epoch !== null && msg.epoch !== this.epoch) {
      // The contest's log was rebuilt: positions of the old one mean nothing.
      this.gap({ fresh: true });
      return;
    }
    if (msg.stream) return this.event(msg);
    if (msg.type === "pong") {
      const sent = this.pings.get(msg.id);
      this.pings.delete(msg.id);
      if (sent !== undefined) this.clockFrom(msg.server_time, sent, Date.now());
      this.checkHeads(msg.heads);
      return;
    }
    if (msg.type === "synced") {
      this.syncingSince = null;
      this.status("live");
      this.backoffMs = BACKOFF_FIRST_MS;
      this.checkHeads(msg.heads);
      return;
    }
    this.handlers.onState?.(msg);
  }

  event(msg) {
    if (this.heads === null) return; // before the snapshot: it will hold this event
    const head = this.heads[msg.stream] ?? 0;
    if (msg.seq <= head) return; // already applied (a replay overlapping the live feed)
    if (msg.prev !== head) return this.gap(); // a message was lost
    this.heads[msg.stream] = msg.seq;
    this.handlers.onEvent?.(msg);
  }

  checkHeads(serverHeads) {
    if (!serverHeads || !this.heads) return;
    for (const [stream, seq] of Object.entries(serverHeads)) {
      if (seq > (this.heads[stream] ?? 0)) return this.gap();
    }
  }

  clockFrom(serverTimeS, sentMs, receivedMs, roundTripMs = receivedMs - sentMs) {
    if (typeof serverTimeS !== "number") return;
    const sample = { offsetS: serverTimeS - (sentMs + receivedMs) / 2000, roundTripMs };
    this.clockSamples = [...this.clockSamples.slice(1 - CLOCK_SAMPLES), sample];
    const best = this.clockSamples.reduce((a, b) => (b.roundTripMs <= a.roundTripMs ? b : a));
    this.offsetS = best.offsetS;
  }

  closed(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearInterval(this.watcher);
    this.syncingSince = null;
    this.probeDeadline = null;
    if (this.stopped) return;
    if (FINAL_CLOSES.has(code)) {
      this.stop(); // not even when the network comes back: the token or the code is wrong
      this.status("rejected", code);
      return;
    }
    this.status("offline");
    const least = code === TOO_MANY_MESSAGES ? TOO_MANY_MESSAGES_WAIT_MS : 0;
    const wait = Math.max(least, this.backoffMs * (0.75 + Math.random() * 0.5));
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.connect(), wait);
  }

  status(state, detail) {
    this.current = state;
    this.handlers.onStatus?.(state, detail);
  }
}
