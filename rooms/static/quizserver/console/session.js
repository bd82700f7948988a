// The quizmaster's session: the API token in sessionStorage (gone when the tab closes),
// and the API calls made with it. A 401 anywhere means the token is no longer good:
// forget it and go back to the login form.

import { api, ApiError, download } from "../common/api.js";

const KEY = "quizserver.console.token";
let expiredHandler = null;

function storage() {
  try {
    return window.sessionStorage;
  } catch (error) {
    return null; // storage disabled: the token lives only as long as the page
  }
}

let memoryToken = null;

export const session = {
  get token() {
    const store = storage();
    return (store && store.getItem(KEY)) || memoryToken;
  },
  set(token) {
    memoryToken = token;
    storage()?.setItem(KEY, token);
  },
  clear() {
    memoryToken = null;
    storage()?.removeItem(KEY);
  },
  auth() {
    return { scheme: "Token", token: this.token };
  },
  onExpired(handler) {
    expiredHandler = handler;
  },
};

function expired(error) {
  if (error instanceof ApiError && error.status === 401 && session.token) {
    session.clear();
    expiredHandler?.(error);
  }
  throw error;
}

// The API with the quizmaster's token.
export function call(path, options = {}) {
  return api(path, { ...options, auth: session.auth() }).catch(expired);
}

export function saveFile(path, filename) {
  return download(path, filename, session.auth()).catch(expired);
}

// A file upload (import): sent as the file's own text, so the server's line numbers are the
// lines of the file as the quizmaster sees it.
export async function upload(path, file) {
  const name = file.name.toLowerCase();
  const type = name.endsWith(".csv") ? "text/csv" : "application/json";
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": type, Authorization: `Token ${session.token}` },
      body: await file.text(),
      credentials: "omit",
    });
  } catch (error) {
    throw new ApiError(0, { code: "offline", detail: "No connection to the server. Check the network and try again." });
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) return expired(new ApiError(response.status, data));
  return data;
}

export async function login(username, password) {
  const data = await api("/auth/token", { method: "POST", body: { username, password } });
  session.set(data.token);
  return data.token;
}
