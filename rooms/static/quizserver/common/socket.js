// The contest socket (docs/PROTOCOL.md): hello, a snapshot or the missed events, then
// deltas. Keeps the heads of each stream and resyncs on any gap; reconnects by itself
// with backoff and resumes where it stood; estimates the server's clock from pongs.

const PING_EVERY_MS = 20000;
// Nothing heard for this long (two pings unanswered): the connection died without a close
// (a phone that changed networks), which browsers may take minutes to notice.
const SILENT_MS = 2 * PING_EVERY_MS + 5000;
const FINAL_CLOSES = new Set([4401, 4404]); // the token or the code is not good: do not retry

export class ContestSocket {
  // handlers: onSnapshot(msg), onEvent(msg), onState(msg) (leaderboard, standing, presence…),
  // onStatus("connecting" | "live" | "offline" | "rejected", detail)
  constructor({ code, token = null, audience = false, ...handlers }) {
    this.code = code;
    this.token = token;
    this.audience = audience;
    this.handlers = handlers;
    this.heads = null;
    this.epoch = null;
    this.offsetS = 0; // server time minus local time, in seconds
    this.backoffMs = 1000;
    this.ws = null;
    this.stopped = false;
    this.pings = new Map();
    window.addEventListener("online", () => this.reconnectNow());
  }

  connect() {
    this.stopped = false;
    this.status("connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/v1/contests/${encodeURIComponent(this.code)}/`);
    this.ws = ws;
    ws.addEventListener("open", () => {
      const hello = { type: "hello", token: this.token, audience: this.audience };
      if (this.heads && this.epoch !== null) Object.assign(hello, { heads: this.heads, epoch: this.epoch });
      ws.send(JSON.stringify(hello));
      this.lastHeard = Date.now();
      this.ping();
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.ping(), PING_EVERY_MS);
    });
    ws.addEventListener("message", (message) => {
      this.lastHeard = Date.now();
      this.receive(JSON.parse(message.data));
    });
    ws.addEventListener("close", (close) => this.closed(ws, close.code));
  }

  stop() {
    this.stopped = true;
    clearInterval(this.pinger);
    if (this.ws) this.ws.close(1000);
  }

  reconnectNow() {
    if (this.stopped || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return;
    clearTimeout(this.retry);
    this.connect();
  }

  // The server's clock now, in milliseconds since the epoch.
  serverNow() {
    return Date.now() + this.offsetS * 1000;
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  ping() {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN && Date.now() - this.lastHeard > SILENT_MS) {
      this.closed(ws, 4000); // reconnect now; the dead socket's own close, when it comes, is ignored
      this.ws = null;
      ws.close(4000);
      return;
    }
    const id = Math.random().toString(36).slice(2, 10);
    this.pings.set(id, Date.now());
    this.send({ type: "ping", id });
  }

  resync() {
    this.send({ type: "resync", heads: this.heads || {} });
  }

  receive(msg) {
    if (msg.type === "snapshot") {
      this.epoch = msg.epoch;
      this.heads = { ...msg.heads };
      this.clockFrom(msg.server_time, Date.now(), Date.now());
      this.backoffMs = 1000;
      this.status("live");
      this.handlers.onSnapshot?.(msg);
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
      this.status("live");
      this.backoffMs = 1000;
      this.checkHeads(msg.heads);
      return;
    }
    this.handlers.onState?.(msg);
  }

  event(msg) {
    if (this.heads === null) return; // before the snapshot: it will hold this event
    if (msg.epoch !== this.epoch) return this.resync();
    const head = this.heads[msg.stream] ?? 0;
    if (msg.seq <= head) return; // already applied (a replay overlapping the live feed)
    if (msg.prev !== head) return this.resync(); // a message was lost
    this.heads[msg.stream] = msg.seq;
    this.handlers.onEvent?.(msg);
  }

  checkHeads(serverHeads) {
    if (!serverHeads || !this.heads) return;
    for (const [stream, seq] of Object.entries(serverHeads)) {
      if (seq > (this.heads[stream] ?? 0)) return this.resync();
    }
  }

  clockFrom(serverTimeS, sentMs, receivedMs) {
    if (typeof serverTimeS !== "number") return;
    this.offsetS = serverTimeS - (sentMs + receivedMs) / 2000;
  }

  closed(ws, code) {
    if (ws !== this.ws) return;
    clearInterval(this.pinger);
    if (this.stopped) return;
    if (FINAL_CLOSES.has(code)) {
      this.status("rejected", code);
      return;
    }
    this.status("offline");
    const wait = this.backoffMs * (0.75 + Math.random() * 0.5);
    this.backoffMs = Math.min(this.backoffMs * 2, 30000);
    this.retry = setTimeout(() => this.connect(), wait);
  }

  status(state, detail) {
    this.handlers.onStatus?.(state, detail);
  }
}
