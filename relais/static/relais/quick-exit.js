// Quick Exit on every page a reporter sees (ADR 0017, after the GOV.UK Design System's "Exit this page"):
// the button, or Shift pressed 3 times within 5 seconds, blanks the page at once and replaces it with a neutral
// site through location.replace, so Back does not come back here. Without JavaScript the button is a plain link.
// Also: the case code's copy button, and focus on an error summary.
const SHIFT_PRESSES = 3;
const SHIFT_WINDOW_MS = 5000;

function leave(url) {
  document.documentElement.style.visibility = "hidden";
  document.title = "";
  window.location.replace(url);
}

const button = document.querySelector("[data-quick-exit]");
if (button) {
  const url = button.getAttribute("href");
  button.addEventListener("click", (event) => {
    event.preventDefault();
    leave(url);
  });
  let presses = [];
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Shift" || event.repeat) return;
    const now = Date.now();
    presses = presses.filter((t) => now - t < SHIFT_WINDOW_MS);
    presses.push(now);
    if (presses.length >= SHIFT_PRESSES) leave(url);
  });
}

for (const copy of document.querySelectorAll("[data-copy]")) {
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

const summary = document.querySelector("[data-focus-on-load]");
if (summary) summary.focus();
