// The demo social feed: a post's ⋯ menu, the report dialog, and the help card Relais answers with, shown by
// <relais-help-card> (relais/static/relais/help-card.js), the component any platform can embed.
// Plain ES2020, no framework and no inline script, so the page can run under a strict CSP.
// Every text comes from the page (rendered by Django in the page's language), never from this file.
"use strict";

(() => {
  const strings = JSON.parse(document.getElementById("i18n").textContent);
  const dialog = document.getElementById("report-dialog");
  const form = document.getElementById("report-form");
  const reportStep = document.getElementById("report-step");
  const helpStep = document.getElementById("help-step");
  const shareStep = document.getElementById("share-step");
  const codeStep = document.getElementById("code-step");
  const steps = [reportStep, helpStep, shareStep, codeStep];
  const submitButton = document.getElementById("report-submit");
  const formError = document.getElementById("form-error");
  const countrySelect = document.getElementById("demo-country");
  const ageInput = document.getElementById("demo-age");
  const RETRY_DELAYS_MS = [5000, 30000, 120000];

  let opener = null;
  let reportedPost = null;

  /** A phrase from the page, with its %(name)s placeholders filled in. */
  const t = (key, values = {}) =>
    (strings[key] || "").replace(/%\((\w+)\)s/g, (_, name) => (name in values ? String(values[name]) : ""));

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === "") continue;
      node.append(child);
    }
    return node;
  };

  const timezone = () => {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
    } catch {
      return null;
    }
  };

  const language = () => document.documentElement.lang || "fr";

  // ---- Demo settings -------------------------------------------------------------------------------
  const zoneOut = document.getElementById("demo-timezone");
  if (zoneOut) zoneOut.textContent = timezone() || "—";

  // ---- The ⋯ menu of each post (a disclosure: a button showing a short list) -------------------------
  const toggles = Array.from(document.querySelectorAll(".post-menu__toggle"));

  const closeMenus = (except = null) => {
    for (const toggle of toggles) {
      if (toggle === except) continue;
      toggle.setAttribute("aria-expanded", "false");
      document.getElementById(toggle.getAttribute("aria-controls")).hidden = true;
    }
  };

  for (const toggle of toggles) {
    const panel = document.getElementById(toggle.getAttribute("aria-controls"));
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      closeMenus(toggle);
      toggle.setAttribute("aria-expanded", String(open));
      panel.hidden = !open;
    });
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        closeMenus();
        toggle.focus();
      }
    });
    toggle.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        closeMenus();
      }
    });
    // Tabbing out of a menu closes it, so an open menu never hides the next post.
    toggle.parentElement.addEventListener("focusout", (event) => {
      if (event.relatedTarget instanceof Node && !toggle.parentElement.contains(event.relatedTarget)) {
        closeMenus();
      }
    });
  }

  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element) || !event.target.closest(".post-menu")) closeMenus();
  });

  for (const item of document.querySelectorAll("[data-report]")) {
    item.addEventListener("click", () => {
      const post = document.getElementById(item.dataset.report);
      const toggle = post.querySelector(".post-menu__toggle");
      closeMenus();
      openDialog(post, toggle);
    });
  }

  // ---- The dialog ----------------------------------------------------------------------------------
  /** Show one step of the dialog; focus its title (a new screen), or `focusTarget` (back to where one was). */
  const showStep = (step, focusTarget = null) => {
    for (const each of steps) each.hidden = each !== step;
    const title = step.querySelector(".report-dialog__title");
    dialog.setAttribute("aria-labelledby", title.id);
    if (focusTarget) {
      focusTarget.focus();
      focusTarget.scrollIntoView({ block: "center" });
    } else {
      dialog.scrollTop = 0;
      title.focus();
    }
  };

  const openDialog = (post, toggle) => {
    opener = toggle;
    reportedPost = post;
    form.reset();
    clearErrors();
    setBusy(false);
    const quote = document.getElementById("reported-post");
    quote.replaceChildren(
      el("p", { class: "reported-post__author" }, post.querySelector(".post__author").textContent),
      el("p", {}, post.querySelector(".post__text").textContent),
    );
    dialog.showModal();
    // A report already made about this post (this visit or an earlier one): its card, offer and code again.
    const state = remembered[post.dataset.postId];
    if (state) {
      showCard(state.help, true, state.id, state.reporter_url);
      offerSharing(state, state.description, post.dataset.postId);
      if (state.shared && sharing) showShared(state.shared);
    } else {
      showStep(reportStep);
    }
  };

  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }

  dialog.addEventListener("close", () => {
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });

  // ---- Sending the report --------------------------------------------------------------------------
  const fieldError = (fieldset, message) => {
    const out = fieldset.querySelector(".field-error");
    out.textContent = message;
    out.hidden = false;
    fieldset.classList.add("question--invalid");
  };

  const clearErrors = () => {
    for (const out of form.querySelectorAll(".field-error")) {
      out.textContent = "";
      out.hidden = true;
    }
    for (const fieldset of form.querySelectorAll(".question--invalid")) {
      fieldset.classList.remove("question--invalid");
    }
    formError.replaceChildren();
    formError.hidden = true;
  };

  const showFormError = (message) => {
    const selected = countrySelect.selectedOptions[0];
    const number = (selected && selected.dataset.emergency) || "112";
    const text = t("error_emergency", { number: "\u0000" }).split("\u0000");
    formError.replaceChildren(
      el("p", {}, message),
      el("p", {}, text[0], el("a", { href: `tel:${number}` }, number), text[1] || ""),
    );
    formError.hidden = false;
  };

  const setBusy = (busy) => {
    submitButton.disabled = busy;
    form.setAttribute("aria-busy", String(busy));
    if (!submitButton.dataset.label) submitButton.dataset.label = submitButton.textContent;
    submitButton.textContent = busy ? t("sending") : submitButton.dataset.label;
  };

  const readAge = () => {
    if (ageInput.validity.badInput) return Number.NaN;
    const raw = ageInput.value.trim();
    if (raw === "") return null;
    const age = Number(raw);
    return Number.isInteger(age) && age >= 0 && age <= 120 ? age : Number.NaN;
  };

  const newReportId = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return `demo-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  };

  const csrfToken = () => form.querySelector("input[name=csrfmiddlewaretoken]").value;

  const post = (payload) =>
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload),
    });

  /** A report the server could not store yet is sent again, with the same id so it is stored once. */
  const retryLater = (payload, attempt = 0) => {
    if (attempt >= RETRY_DELAYS_MS.length) return;
    window.setTimeout(async () => {
      try {
        const response = await post(payload);
        if (response.ok) {
          const status = document.getElementById("help-status");
          if (status.dataset.reportId === payload.platform_report_id) {
            status.textContent = t("stored");
            status.classList.remove("help__status--pending");
          }
          return;
        }
        if (response.status < 500) return;
      } catch {
        // Offline: try again below.
      }
      retryLater(payload, attempt + 1);
    }, RETRY_DELAYS_MS[attempt]);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const data = new FormData(form);
    const category = data.get("category");
    const danger = data.get("danger");
    const age = readAge();
    let firstInvalid = null;
    if (!category) {
      fieldError(document.getElementById("category-field"), t("pick_category"));
      firstInvalid = firstInvalid || form.querySelector("input[name=category]");
    }
    if (!danger) {
      fieldError(document.getElementById("danger-field"), t("pick_danger"));
      firstInvalid = firstInvalid || form.querySelector("input[name=danger]");
    }
    if (Number.isNaN(age)) {
      showFormError(t("bad_age"));
    }
    if (firstInvalid) {
      firstInvalid.focus();
      return;
    }
    if (Number.isNaN(age)) {
      formError.focus();
      return;
    }

    const reporter = { country: countrySelect.value, language: language() };
    const zone = timezone();
    if (zone) reporter.timezone = zone;
    if (age !== null) reporter.age = age;
    const description = String(data.get("description") || "").trim();
    const postId = reportedPost.dataset.postId;
    const payload = {
      platform_report_id: newReportId(),
      category,
      danger,
      reporter,
      content: [
        {
          kind: "post",
          content_id: postId,
          url: new URL(`/#${postId}`, window.location.href).href,
          text: reportedPost.querySelector(".post__text").textContent.trim(),
        },
      ],
    };
    if (description) payload.description = description;

    setBusy(true);
    let response;
    let body = null;
    try {
      response = await post(payload);
      body = await response.json().catch(() => null);
    } catch {
      setBusy(false);
      showFormError(t("error_network"));
      return;
    }
    setBusy(false);
    if (body && body.help && (response.ok || response.status === 503)) {
      const stored = response.ok && body.stored !== false;
      if (stored) remembered[postId] = { ...body, shared: null, description };
      showCard(body.help, stored, payload.platform_report_id, stored ? body.reporter_url : null);
      offerSharing(stored ? body : null, description, postId);
      if (!stored) retryLater(payload);
    } else if (response.status === 403) {
      showFormError(t("error_session"));
    } else if (response.status >= 400 && response.status < 500) {
      showFormError(t("error_invalid"));
    } else {
      showFormError(t("error_network"));
    }
    if (!formError.hidden) formError.focus();
  });
  formError.tabIndex = -1;

  // ---- The help card: <relais-help-card>, the component a platform embeds ----------------------------
  const helpCard = document.getElementById("help-card");
  const remembered = JSON.parse(document.getElementById("demo-reports").textContent);

  const showCard = (card, stored, reportId, reporterUrl) => {
    const status = document.getElementById("help-status");
    status.textContent = stored ? t("stored") : t("not_stored");
    status.classList.toggle("help__status--pending", !stored);
    status.dataset.reportId = reportId;
    if (reporterUrl) helpCard.setAttribute("reporter-url", reporterUrl);
    else helpCard.removeAttribute("reporter-url");
    helpCard.card = card;
    showStep(helpStep);
  };

  // The code step's ways to reach the helpline (with the code in the message where a channel can carry it).
  const channelItem = (channel) => {
    const newTab = /^https?:/i.test(channel.uri) ? { target: "_blank", rel: "noopener noreferrer" } : {};
    const label = channel.open_now
      ? el("a", { class: "channel__link", href: channel.uri, ...newTab }, channel.label)
      : el("span", { class: "channel__label" }, channel.label);
    const state = channel.open_now ? "channel--open" : "channel--closed";
    return el("li", { class: `channel ${state}`, "data-channel-id": channel.id }, label);
  };

  // ---- Sharing with the helpline, on the reporter's consent -----------------------------------------
  // The demo's back end shares the report as the platform would (the API key stays on the server); the
  // browser only says yes or no, and which consent text it showed.
  const shareOffer = document.getElementById("share-offer");
  const shareOpen = document.getElementById("share-open");
  const shareStatus = document.getElementById("share-status");
  const shareConfirm = document.getElementById("share-confirm");
  const shareError = document.getElementById("share-error");
  const withdrawButton = document.getElementById("share-withdraw");
  const withdrawError = document.getElementById("withdraw-error");
  const describeChoice = document.getElementById("share-description-choice");
  const describeBox = document.getElementById("share-description");
  let sharing = null; // {reportId, helplineId, name, description, shared: null | share response}

  const postJson = (url, payload) =>
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload),
    });

  const fillNames = (name) => {
    for (const node of dialog.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t, { name });
  };

  const busy = (button, on, label) => {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.disabled = on;
    button.textContent = on ? label : button.dataset.label;
  };

  const showError = (box, message) => {
    box.replaceChildren(el("p", {}, message));
    box.hidden = false;
    box.focus();
  };

  const refreshOffer = () => {
    shareOpen.textContent = sharing.shared ? t("show_code") : t("share_offer", { name: sharing.name });
  };

  /** Shared: the offer becomes "Show my code", and the status line keeps the code in view. */
  const showShared = (shared) => {
    sharing.shared = shared;
    if (remembered[sharing.postId]) remembered[sharing.postId].shared = shared;
    shareStatus.textContent = t("shared_status", { name: sharing.name, code: shared.case_code });
    refreshOffer();
  };

  const offerSharing = (body, description, postId) => {
    sharing = null;
    shareStatus.textContent = "";
    shareOffer.hidden = !(body && body.share);
    if (shareOffer.hidden) return;
    sharing = {
      reportId: body.id,
      helplineId: body.share.helpline_id,
      name: body.share.name,
      description,
      postId,
      shared: null,
    };
    fillNames(sharing.name);
    refreshOffer();
  };

  shareOpen.addEventListener("click", () => {
    if (sharing.shared) {
      showCode(sharing.shared);
      return;
    }
    describeChoice.hidden = !sharing.description;
    describeBox.checked = false;
    document.getElementById("share-description-text").textContent = sharing.description ? `“${sharing.description}”` : "";
    shareError.hidden = true;
    busy(shareConfirm, false);
    showStep(shareStep);
  });

  for (const button of dialog.querySelectorAll("[data-back]")) {
    button.addEventListener("click", () => showStep(helpStep, shareOpen));
  }

  const showCode = (shared) => {
    // The grouped code for the eye; for the ear (and screen readers, which would read "4821" as a number),
    // the server's digit-by-digit words in the reporter's language.
    document.getElementById("case-code").replaceChildren(el("span", { "aria-hidden": "true" }, shared.case_code));
    document.getElementById("case-code-spoken").textContent = t("code_spoken", { spoken: shared.case_code_spoken });
    const zone = timezone();
    const until = new Intl.DateTimeFormat(language(), { dateStyle: "long", ...(zone ? { timeZone: zone } : {}) }).format(
      new Date(shared.expires_at),
    );
    document.getElementById("code-valid").textContent = t("code_valid", { days: shared.valid_days, date: until });
    document
      .getElementById("code-channels")
      .replaceChildren(...shared.helpline.channels.map((c) => channelItem({ ...c, uri: c.uri_with_code || c.uri })));
    withdrawError.hidden = true;
    busy(withdrawButton, false);
    showStep(codeStep);
  };

  shareConfirm.addEventListener("click", async () => {
    shareError.hidden = true;
    busy(shareConfirm, true, t("sharing"));
    let response = null;
    let body = null;
    try {
      response = await postJson(form.dataset.shareUrl, {
        report_id: sharing.reportId,
        helpline_id: sharing.helplineId,
        text_version: document.getElementById("share-text-version").textContent.trim(),
        description: !describeChoice.hidden && describeBox.checked,
      });
      body = await response.json().catch(() => null);
    } catch {
      body = null;
    }
    busy(shareConfirm, false);
    if (!response || !response.ok || !body || !body.case_code) {
      showError(shareError, response && response.status === 403 ? t("error_session") : t("share_error"));
      return;
    }
    showShared(body);
    showCode(body);
  });

  withdrawButton.addEventListener("click", async () => {
    withdrawError.hidden = true;
    busy(withdrawButton, true, t("stopping"));
    let response = null;
    try {
      response = await postJson(form.dataset.withdrawUrl, { report_id: sharing.reportId });
    } catch {
      response = null;
    }
    busy(withdrawButton, false);
    if (!response || !response.ok) {
      showError(withdrawError, response && response.status === 403 ? t("error_session") : t("withdraw_error"));
      return;
    }
    sharing.shared = null;
    if (remembered[sharing.postId]) remembered[sharing.postId].shared = null;
    shareStatus.textContent = t("withdrawn_status", { name: sharing.name });
    refreshOffer();
    showStep(helpStep, shareOpen);
  });
})();
