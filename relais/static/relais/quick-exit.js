// Quick Exit on every page a reporter sees (ADR 0017, after the GOV.UK Design System's "Exit this page"):
// the button, or Shift pressed 3 times within 5 seconds, blanks the page at once and replaces it with a neutral
// site through location.replace, so Back does not come back here. Without JavaScript the button is a plain link.
//
// Forms: a browser adds a history entry for every form it posts, and Back from the neutral site would land on
// one. So each form is sent with fetch, and the page it leads to replaces the current entry. Without
// JavaScript the forms post as usual (the page still works; only the history grows).
// Also: the case code's copy button, and focus on an error summary.
const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 5000;

let exitUrl = null;
let presses = [];

function leave(url) {
  document.documentElement.style.visibility = "hidden";
  document.title = "";
  window.location.replace(url);
}

// Counted on keyup, as the help card component does: Shift alone, each press within 5 seconds of the last;
// Shift released after typing a capital letter (that keyup comes with shiftKey set) does not count.
let lastKeyWasModified = false;
document.addEventListener(
  "keyup",
  (event) => {
    if (event.key === "Shift" && !lastKeyWasModified && exitUrl) {
      const now = Date.now();
      presses = presses.filter((t) => now - t < SHIFT_WINDOW_MS);
      presses.push(now);
      if (presses.length >= SHIFT_PRESSES) leave(exitUrl);
    } else {
      presses = [];
    }
    lastKeyWasModified = event.shiftKey;
  },
  true,
);

// Brought back from the back-forward cache, the page must not stay hidden.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) document.documentElement.style.visibility = "";
});

async function send(form, submitter) {
  const body = new FormData(form, submitter);
  let response;
  try {
    // Not form.action: an input named "action" shadows it.
    response = await fetch(form.getAttribute("action") || window.location.href, { method: "POST", body, credentials: "same-origin" });
  } catch {
    if (submitter && submitter.name) {
      const carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = submitter.name;
      carried.value = submitter.value;
      form.append(carried);
    }
    HTMLFormElement.prototype.submit.call(form); // offline or blocked: the ordinary way
    return;
  }
  if (response.redirected) {
    window.location.replace(response.url);
    return;
  }
  // A refusal (the page again, with its errors): shown in place, under the same entry.
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  document.title = page.title;
  document.body.replaceWith(document.adoptNode(page.body));
  init(document);
}

function init(root) {
  const button = root.querySelector("[data-quick-exit]");
  if (button) {
    exitUrl = button.getAttribute("href");
    button.addEventListener("click", (event) => {
      event.preventDefault();
      leave(exitUrl);
    });
  }
  for (const form of root.querySelectorAll('form[method="post"]')) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send(form, event.submitter);
    });
  }
  for (const copy of root.querySelectorAll("[data-copy]")) {
    if (!navigator.clipboard) continue;
    copy.hidden = false;
    copy.addEventListener("click", async () => {
      const status = copy.parentElement.querySelector(".copy-status");
      try {
        await navigator.clipboard.writeText(copy.dataset.copy);
        if (status) status.textContent = copy.dataset.copied || "✓";
      } catch {
        if (status) status.textContent = "";
      }
    });
  }
  const summary = root.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
}

init(document);
