// The HTTP API, as every app calls it: JSON both ways, errors as ApiError with the
// server's stable `code`, its `detail` for a person, and `fields` per input.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `The server answered ${status}.`);
    this.status = status;
    this.code = (body && body.code) || "error";
    this.fields = (body && body.fields) || {};
  }
}

// A fresh idempotency key. crypto.randomUUID needs a secure context, which a venue's
// plain-http LAN address is not; getRandomValues works everywhere.
export function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// `auth`: {scheme: "Bearer" | "Token", token} or null.
export async function api(path, { method = "GET", body, auth = null, idempotencyKey = null } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth && auth.token) headers.Authorization = `${auth.scheme} ${auth.token}`;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
  } catch (error) {
    throw new ApiError(0, { code: "offline", detail: "No connection to the server. Check the network and try again." });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (error) {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

// A text download (CSV) with the same authentication, saved through a link.
export async function download(path, filename, auth) {
  const response = await fetch(`/api/v1${path}`, {
    headers: { Authorization: `${auth.scheme} ${auth.token}` },
    credentials: "omit",
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
