// Form pieces for the console: labelled fields, errors next to the field that caused them,
// buttons that show they are working, and modal dialogs (native <dialog>: focus stays in
// it, Escape closes it).

import { el, replace, announce } from "../common/ui.js";

let counter = 0;
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}

// A labelled input. `type` "textarea" and "select" (with `options`: [[value, label]]) too.
export function field({ label, name, type = "text", value, hint, options, required, ...attrs }) {
  const id = uid(name || "field");
  const hintId = hint ? `${id}-hint` : null;
  let input;
  if (type === "textarea") {
    input = el("textarea", { id, name, required, "aria-describedby": hintId, ...attrs });
    input.defaultValue = value ?? ""; // the default too, so that form.reset() comes back to it
  } else if (type === "select") {
    input = el(
      "select",
      { id, name, required, "aria-describedby": hintId, ...attrs },
      options.map(([v, text]) => el("option", { value: v, selected: value !== undefined && value !== null && String(value) === v }, text)),
    );
  } else {
    input = el("input", { id, name, type, required, "aria-describedby": hintId, value, ...attrs });
  }
  const wrap = el(
    "div",
    { class: "field" },
    el("label", { for: id }, label, required ? el("span", { class: "muted" }, " (required)") : null),
    hint ? el("p", { id: hintId, class: "hint muted" }, hint) : null,
    input,
  );
  return { wrap, input };
}

export function checkbox({ label, name, checked = false, hint }) {
  const id = uid(name || "check");
  const input = el("input", { id, name, type: "checkbox", checked });
  const wrap = el(
    "div",
    { class: "field check" },
    input,
    el("label", { for: id }, label),
    hint ? el("span", { class: "hint muted" }, hint) : null,
  );
  return { wrap, input };
}

// An optional integer: "" → undefined.
export function intOrNull(input) {
  const text = input.value.trim();
  return text === "" ? undefined : Number(text);
}

// DRF-style error details ({field: [msg]}, nested dicts and lists) → [[path, message]].
export function flattenErrors(fields, prefix = "") {
  const out = [];
  if (fields === null || fields === undefined) return out;
  if (typeof fields === "string") return [[prefix, fields]];
  if (Array.isArray(fields)) {
    if (fields.every((item) => typeof item === "string")) return fields.map((m) => [prefix, m]);
    fields.forEach((item, i) => out.push(...flattenErrors(item, prefix ? `${prefix}.${i}` : String(i))));
    return out;
  }
  for (const [key, value] of Object.entries(fields)) {
    const path = key === "non_field_errors" ? prefix : prefix ? `${prefix}.${key}` : key;
    out.push(...flattenErrors(value, path));
  }
  return out;
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => {
    node.removeAttribute("aria-invalid");
    const ids = (node.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && !x.endsWith("-err"));
    if (ids.length) node.setAttribute("aria-describedby", ids.join(" "));
    else node.removeAttribute("aria-describedby");
  });
  const summary = form.querySelector(".form-summary");
  if (summary) replace(summary);
}

// Show an ApiError on a form: each field's message under its input (matched by `name`,
// dotted paths for nested fields), the rest and the server's detail in the summary.
export function showErrors(form, error, { fields = error.fields } = {}) {
  clearErrors(form);
  const loose = [];
  for (const [path, message] of flattenErrors(fields)) {
    const input = path ? form.querySelector(`[name="${CSS.escape(path)}"]`) : null;
    if (!input) {
      loose.push(path ? `${path}: ${message}` : message);
      continue;
    }
    const id = `${input.id}-err`;
    const existing = document.getElementById(id);
    if (existing) existing.append(` ${message}`);
    else {
      input.insertAdjacentElement("afterend", el("p", { id, class: "field-error bad" }, message));
      const described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
    }
    input.setAttribute("aria-invalid", "true");
  }
  let summary = form.querySelector(".form-summary");
  if (!summary) {
    summary = el("div", { class: "form-summary", role: "alert", tabindex: "-1" });
    form.prepend(summary);
  }
  const marked = form.querySelector("[aria-invalid]");
  const text = marked && !loose.length ? "Please correct the marked fields." : error.message;
  replace(summary, el("p", { class: "error" }, text), loose.length ? el("ul", {}, loose.map((m) => el("li", {}, m))) : null);
  (marked || summary).focus?.();
}

// Run an action while its button shows it is busy; errors go to `onError` or a notice.
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

// A status line under an action: replaces its text, and tells screen readers.
export function flash(node, text, kind = "good") {
  replace(node, el("p", { class: kind === "bad" ? "error" : "notice" }, text));
  announce(text);
}

// A modal dialog with a title; returns {dialog, body, close}. Removed from the page on close.
// Focus goes back to the button that opened it; when that button was redrawn meanwhile, to
// its successor, found by the same `data-focus-key`.
export function modal(title, ...content) {
  const titleId = uid("dialog-title");
  const body = el("div", { class: "dialog-body" }, content);
  const closeButton = el("button", { type: "button", class: "secondary dialog-close" }, "Close");
  const dialog = el(
    "dialog",
    { class: "console-dialog", "aria-labelledby": titleId },
    el("div", { class: "row dialog-head" }, el("h2", { id: titleId, class: "grow" }, title), closeButton),
    body,
  );
  const opener = document.activeElement;
  const close = () => dialog.close();
  closeButton.addEventListener("click", close);
  const key = opener?.dataset?.focusKey;
  dialog.addEventListener("close", () => {
    dialog.remove();
    const back = opener && opener.isConnected ? opener : key ? document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) : null;
    back?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, body, close };
}

// Ask before something that cannot be undone. Resolves true or false.
export function confirmAction(question, confirmLabel, { danger = true } = {}) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = el("button", { type: "button", class: danger ? "danger" : "" }, confirmLabel);
    const no = el("button", { type: "button", class: "secondary" }, "Cancel");
    const { dialog, close } = modal("Please confirm", el("p", {}, question), el("div", { class: "row" }, yes, no));
    yes.addEventListener("click", () => {
      answer = true;
      close();
    });
    no.addEventListener("click", close);
    dialog.addEventListener("close", () => resolve(answer));
    no.focus();
  });
}

export function formatMs(ms) {
  if (ms === null || ms === undefined) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${s % 60} s`;
}

// A table that scrolls inside its own box on narrow screens.
export function tableBox(caption, head, rows, { className = "" } = {}) {
  return el(
    "div",
    { class: "table-box", tabindex: "0", role: "region", "aria-label": `${caption} (table)` },
    el(
      "table",
      { class: className },
      el("caption", { class: "visually-hidden" }, caption),
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { scope: "col" }, h || el("span", { class: "visually-hidden" }, "Actions"))))),
      el("tbody", {}, rows),
    ),
  );
}
