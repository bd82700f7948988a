// Joining: a new team (code, name, members), or this device joining a team that already
// joined elsewhere, by the team link another device shows (/play/<CODE>#t=<token>).

import { api, ApiError } from "../common/api.js";
import { el, replace, announce, displayCode } from "../common/ui.js";
import { normaliseCode, rememberTeam, teamFor, lastCode } from "./session.js";

const MAX_MEMBERS = 12;

// Which field an error code belongs next to.
const CODE_ERRORS = new Set(["unknown_contest", "not_accepting"]);
const NAME_ERRORS = new Set(["name_taken"]);

let uid = 0;
function fieldId(name) {
  uid += 1;
  return `${name}-${uid}`;
}

function fieldError(id) {
  return el("p", { id, class: "field-error", hidden: true });
}

function showFieldError(input, node, text) {
  node.textContent = text || "";
  node.hidden = !text;
  if (text) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function memberRow(list, value = "") {
  const id = fieldId("member");
  const input = el("input", { id, name: "member", type: "text", maxlength: 64, autocomplete: "off", value });
  const error = fieldError(`${id}-error`);
  input.setAttribute("aria-describedby", error.id);
  const row = el(
    "li",
    { class: "member-row" },
    el("label", { for: id, class: "visually-hidden" }, "Member name"),
    el("div", { class: "row" }, el("div", { class: "grow" }, input), null),
    error,
  );
  const remove = el(
    "button",
    {
      type: "button",
      class: "secondary",
      onclick: () => {
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        relabel(list);
        (next ? next.querySelector("input") : list.closest("form").querySelector(".add-member")).focus();
      },
    },
    "Remove",
  );
  row.querySelector(".row").append(remove);
  row.memberInput = input;
  row.memberError = error;
  return row;
}

// Each member field says which member it is, and each Remove button whom it removes.
function relabel(list) {
  [...list.children].forEach((row, index) => {
    row.querySelector("label").textContent = `Member ${index + 1}`;
    row.querySelector("button").setAttribute("aria-label", `Remove member ${index + 1}`);
  });
  const add = list.closest("form")?.querySelector(".add-member");
  if (add) add.disabled = list.children.length >= MAX_MEMBERS;
}

function newTeamForm(code, onJoined) {
  const codeId = fieldId("code");
  const nameId = fieldId("team-name");
  const codeInput = el("input", {
    id: codeId,
    name: "code",
    type: "text",
    required: true,
    maxlength: 32,
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    placeholder: "ABCD-EFGH",
    value: code ? displayCode(code) : "",
    "aria-describedby": `${codeId}-error`,
  });
  const nameInput = el("input", {
    id: nameId,
    name: "team_name",
    type: "text",
    required: true,
    maxlength: 64,
    autocomplete: "off",
    "aria-describedby": `${nameId}-error`,
  });
  const codeError = fieldError(`${codeId}-error`);
  const nameError = fieldError(`${nameId}-error`);
  const membersError = fieldError(fieldId("members-error"));
  const formError = el("p", { class: "error", role: "alert", hidden: true });
  const list = el("ul", { class: "members", role: "list" });
  list.append(memberRow(list));
  const submit = el("button", { type: "submit", class: "wide" }, "Join the contest");
  const add = el("button", { type: "button", class: "secondary add-member" }, "Add a member");
  add.addEventListener("click", () => {
    if (list.children.length >= MAX_MEMBERS) return;
    const row = memberRow(list);
    list.append(row);
    relabel(list);
    row.memberInput.focus();
  });

  const form = el(
    "form",
    { class: "panel join-form", novalidate: true, "aria-labelledby": "join-title" },
    el("h2", { id: "join-title" }, "Join with your team"),
    el("label", { for: codeId }, "Join code"),
    el("p", { class: "hint muted", id: `${codeId}-hint` }, "On the big screen, like ABCD-EFGH."),
    codeInput,
    codeError,
    el("label", { for: nameId }, "Team name"),
    nameInput,
    nameError,
    el(
      "fieldset",
      { class: "members-set" },
      el("legend", {}, "Team members ", el("span", { class: "muted" }, "(optional)")),
      list,
      membersError,
      add,
    ),
    formError,
    submit,
  );
  codeInput.setAttribute("aria-describedby", `${codeId}-hint ${codeId}-error`);
  relabel(list);

  function clearErrors() {
    showFieldError(codeInput, codeError, "");
    showFieldError(nameInput, nameError, "");
    membersError.hidden = true;
    for (const row of list.children) showFieldError(row.memberInput, row.memberError, "");
    formError.hidden = true;
  }

  function showError(error) {
    const fields = error.fields || {};
    let focus = null;
    const flag = (input, node, text) => {
      showFieldError(input, node, text);
      focus = focus || input;
    };
    if (CODE_ERRORS.has(error.code) || fields.code) flag(codeInput, codeError, fields.code ? fields.code.join(" ") : error.message);
    if (NAME_ERRORS.has(error.code) || fields.team_name) {
      flag(nameInput, nameError, fields.team_name ? fields.team_name.join(" ") : error.message);
    }
    if (fields.members) {
      const rows = [...list.children].filter((row) => row.memberInput.value.trim() !== "");
      const perMember = typeof fields.members === "object" && !Array.isArray(fields.members) ? fields.members : null;
      if (perMember) {
        for (const [index, messages] of Object.entries(perMember)) {
          if (rows[index]) flag(rows[index].memberInput, rows[index].memberError, [].concat(messages).join(" "));
        }
      } else {
        membersError.textContent = [].concat(fields.members).join(" ");
        membersError.hidden = false;
      }
    }
    if (!focus) {
      formError.textContent = error.message;
      formError.hidden = false;
    } else {
      focus.focus();
    }
    announce(error.message);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const clean = normaliseCode(codeInput.value);
    const teamName = nameInput.value.trim();
    if (clean.length !== 8) {
      showFieldError(codeInput, codeError, "Enter the 8-character code from the screen, like ABCD-EFGH.");
      codeInput.focus();
      return;
    }
    if (!teamName) {
      showFieldError(nameInput, nameError, "Give your team a name.");
      nameInput.focus();
      return;
    }
    const members = [...list.children].map((row) => row.memberInput.value.trim()).filter(Boolean);
    submit.disabled = true;
    submit.textContent = "Joining…";
    try {
      const body = await api("/join", { method: "POST", body: { code: clean, team_name: teamName, members } });
      rememberTeam(clean, body.token, body.team);
      announce(`Joined as ${body.team.name}.`);
      onJoined(clean);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError(error);
    } finally {
      submit.disabled = false;
      submit.textContent = "Join the contest";
    }
  });
  return form;
}

// A team link: /play/<CODE>#t=<token>, pasted whole (or only its token, with the code above).
export function parseTeamLink(text, fallbackCode = "") {
  const raw = String(text || "").trim();
  const hash = raw.indexOf("#");
  const fragment = new URLSearchParams(hash >= 0 ? raw.slice(hash + 1) : "");
  const token = fragment.get("t");
  if (!token) return null;
  const path = hash >= 0 ? raw.slice(0, hash) : "";
  const match = path.match(/\/play\/([0-9A-Za-z-]+)\/?$/);
  const code = normaliseCode(match ? match[1] : fallbackCode);
  return code.length === 8 ? { code, token } : null;
}

function existingTeamForm(code, onJoined) {
  const id = fieldId("team-link");
  const input = el("input", {
    id,
    name: "team_link",
    type: "text",
    autocomplete: "off",
    spellcheck: "false",
    inputmode: "url",
    placeholder: "…/play/ABCD-EFGH#t=…",
    "aria-describedby": `${id}-hint ${id}-error`,
  });
  const error = fieldError(`${id}-error`);
  const form = el(
    "form",
    { class: "panel", novalidate: true, "aria-labelledby": "device-title" },
    el("h2", { id: "device-title" }, "This device joins an existing team"),
    el("label", { for: id }, "Team link"),
    el(
      "p",
      { class: "hint muted", id: `${id}-hint` },
      "On a device already in the team, open “Add another device” and paste its link here (or open the link on this device).",
    ),
    input,
    error,
    el("button", { type: "submit", class: "secondary wide" }, "Join this team"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const link = parseTeamLink(input.value, code);
    if (!link) {
      showFieldError(input, error, "This is not a team link: it looks like …/play/ABCD-EFGH#t=… .");
      input.focus();
      return;
    }
    showFieldError(input, error, "");
    rememberTeam(link.code, link.token);
    announce("Joining your team on this device.");
    onJoined(link.code);
  });
  return form;
}

function resumeOffer(onJoined) {
  const code = lastCode();
  const saved = code && teamFor(code);
  if (!saved) return null;
  const who = saved.team ? saved.team.name : "your team";
  return el(
    "section",
    { class: "panel resume", "aria-labelledby": "resume-title" },
    el("h2", { id: "resume-title" }, "Welcome back"),
    el("p", {}, `This device played as ${who}${saved.title ? ` in ${saved.title}` : ""} (${displayCode(code)}).`),
    el("button", { type: "button", class: "wide", onclick: () => onJoined(code) }, `Continue as ${who}`),
  );
}

// Draws the join page into `root`. `notice`: why we are here again (a rejected token…).
export function renderJoin(root, { code = "", notice = null, onJoined }) {
  replace(
    root,
    el(
      "header",
      { class: "join-header" },
      el("h1", {}, "Join the quiz"),
      el("p", { class: "muted" }, "Enter the code on the screen and choose a team name. Everyone in your team can play on their own phone."),
    ),
    notice ? el("p", { class: "notice", role: "alert" }, notice) : null,
    code ? null : resumeOffer(onJoined),
    el("div", { class: "join-grid" }, newTeamForm(code, onJoined), existingTeamForm(code, onJoined)),
  );
}
