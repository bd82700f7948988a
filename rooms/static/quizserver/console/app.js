// The quizmaster console: log in, pick or create a contest, build it, run it.
// Routes live in the URL hash: #/ (contests), #/contests/<id>/<tab>.

import { el, replace, announce } from "../common/ui.js";
import { field, showErrors, busy } from "./forms.js";
import { session, login } from "./session.js";
import { contestsView } from "./contests.js";
import { contestView, TABS } from "./shell.js";

const main = document.getElementById("main");
let current = null; // the mounted view: {unmount(), route?}
let notice = null; // a message to show on the next login form

function parseRoute() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  if (parts[0] === "contests" && /^\d+$/.test(parts[1] || "")) {
    const tab = TABS.some((t) => t.id === parts[2]) ? parts[2] : "run";
    return { name: "contest", id: Number(parts[1]), tab };
  }
  return { name: "contests" };
}

function unmount() {
  current?.unmount?.();
  current = null;
}

function render() {
  if (!session.token) return showLogin();
  const route = parseRoute();
  if (route.name === "contest" && current?.contestId === route.id) {
    current.show(route.tab); // same contest, another tab: keep its socket
    return;
  }
  unmount();
  replace(main);
  current = route.name === "contest" ? contestView(main, route, { logout }) : contestsView(main, { logout });
}

function showLogin() {
  unmount();
  const username = field({ label: "Username", name: "username", autocomplete: "username", required: true });
  const password = field({
    label: "Password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = el("button", { type: "submit" }, "Log in");
  const form = el("form", { class: "panel login", novalidate: true }, username.wrap, password.wrap, el("div", { class: "row" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(submit, async () => {
      try {
        await login(username.input.value.trim(), password.input.value);
        notice = null;
        announce("Logged in.");
        render();
      } catch (error) {
        showErrors(form, error);
      }
    });
  });
  replace(
    main,
    el(
      "div",
      { class: "login-page" },
      el("h1", { tabindex: "-1" }, "Quizmaster console"),
      el("p", { class: "muted" }, "Log in with your quizmaster account to build and run contests."),
      notice ? el("p", { class: "notice", role: "status" }, notice) : null,
      form,
    ),
  );
  username.input.focus();
}

function logout() {
  session.clear();
  notice = "You are logged out.";
  location.hash = "#/";
  showLogin();
  announce("Logged out.");
}

session.onExpired(() => {
  notice = "Your session ended. Please log in again.";
  showLogin();
});

window.addEventListener("hashchange", render);
render();
