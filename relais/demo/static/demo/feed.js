// The demo social feed: a post's ⋯ menu, the report dialog, and the help card Relais answers with.
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
    showStep(reportStep);
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
      showCard(body.help, stored, payload.platform_report_id);
      offerSharing(stored ? body : null, description);
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

  // ---- The help card -------------------------------------------------------------------------------
  const hhmm = (iso) => iso.slice(11, 16);

  const addDays = (isoDate, days) => {
    const [y, m, d] = isoDate.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
  };

  /** The day a channel opens, named from the dates in the reporter's zone (the card is already in it). */
  const dayName = (isoDate, today) => {
    const date = new Date(`${isoDate}T12:00:00Z`);
    const soon = isoDate < addDays(today, 7);
    const options = soon
      ? { weekday: "long", timeZone: "UTC" }
      : { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" };
    return new Intl.DateTimeFormat(language(), options).format(date);
  };

  const channelStatus = (channel, today) => {
    if (channel.open_now) {
      if (channel.closes_at) return t("open_until", { time: hhmm(channel.closes_at) });
      return channel.kind === "web" ? "" : t("open_always");
    }
    if (!channel.opens_at) return t("closed");
    const day = channel.opens_at.slice(0, 10);
    const time = hhmm(channel.opens_at);
    if (day === today) return t("opens_today", { time });
    if (day === addDays(today, 1)) return t("opens_tomorrow", { time });
    return t("opens_on", { day: dayName(day, today), time });
  };

  const isExternal = (uri) => /^https?:/i.test(uri);

  const linkAttrs = (uri, extra = {}) =>
    isExternal(uri) ? { href: uri, target: "_blank", rel: "noopener noreferrer", ...extra } : { href: uri, ...extra };

  const newTabNote = (uri) => (isExternal(uri) ? el("span", { class: "visually-hidden" }, ` ${t("new_tab")}`) : null);

  const ICONS = {
    phone:
      "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z",
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z",
    web: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm6.9 6h-2.9a15.7 15.7 0 0 0-1.4-3.6A8 8 0 0 1 18.9 8zM12 4c.8 1.2 1.5 2.5 1.9 4h-3.8c.4-1.5 1.1-2.8 1.9-4zM4.3 14a8 8 0 0 1 0-4h3.4a16 16 0 0 0 0 4zm.8 2h2.9c.3 1.3.8 2.5 1.4 3.6A8 8 0 0 1 5.1 16zM8 8H5.1a8 8 0 0 1 4.3-3.6C8.8 5.5 8.3 6.7 8 8zm4 12c-.8-1.2-1.5-2.5-1.9-4h3.8c-.4 1.5-1.1 2.8-1.9 4zm2.3-6H9.7a14.7 14.7 0 0 1 0-4h4.6a14.7 14.7 0 0 1 0 4zm.3 5.6c.6-1.1 1.1-2.3 1.4-3.6h2.9a8 8 0 0 1-4.3 3.6zM16.3 14a16 16 0 0 0 0-4h3.4a8 8 0 0 1 0 4z",
  };

  const icon = (kind) => {
    const name = kind === "phone" || kind === "sms" ? "phone" : kind === "web" ? "web" : "chat";
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "icon");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[name]);
    svg.append(path);
    return svg;
  };

  const numberOf = (uri) => uri.split(":", 2)[1].split("?")[0];

  const emergencyLabel = (item) =>
    t(item.uri.startsWith("sms:") ? "text_number" : "call_number", { number: item.number });

  const findChannel = (card, primary) => {
    const helpline = card.helplines.find((h) => h.id === primary.helpline_id);
    if (!helpline) return null;
    return helpline.channels.find((c) => c.uri === primary.uri && c.kind === primary.kind) || null;
  };

  const primaryButton = (card, today) => {
    const primary = card.primary;
    if (!primary) return null;
    const parts = [];
    let label = primary.label;
    if (primary.emergency) {
      const item = card.emergency.find((e) => e.id === primary.helpline_id);
      label = item ? emergencyLabel(item) : t("call_number", { number: numberOf(primary.uri) });
      if (item) parts.push(item.name);
    } else {
      const channel = findChannel(card, primary);
      const helpline = card.helplines.find((h) => h.id === primary.helpline_id);
      if (helpline && !label.includes(helpline.name)) parts.push(helpline.name);
      if (channel) {
        const status = channelStatus(channel, today);
        if (status) parts.push(status);
        if (channel.free) parts.push(t("free"));
      }
    }
    const classes = ["primary-action", primary.emergency ? "primary-action--emergency" : ""].join(" ").trim();
    return el(
      "div",
      { class: "primary" },
      el(
        "a",
        linkAttrs(primary.uri, { class: classes, "data-kind": primary.kind }),
        icon(primary.kind),
        el("span", { class: "primary-action__label" }, label),
        newTabNote(primary.uri),
      ),
      parts.length ? el("p", { class: "primary__note" }, parts.join(" · ")) : null,
    );
  };

  const emergencyItem = (item) =>
    el(
      "li",
      { class: "emergency", "data-emergency-id": item.id },
      el(
        "a",
        { class: "emergency__link", href: item.uri },
        el("span", { class: "emergency__number" }, item.number),
        el("span", { class: "emergency__name" }, item.name),
        el("span", { class: "visually-hidden" }, ` (${emergencyLabel(item)})`),
      ),
    );

  const channelItem = (channel, today) => {
    const status = channelStatus(channel, today);
    const reachable = channel.open_now;
    const details = [t(`kind_${channel.kind}`) || channel.kind, status, channel.free ? t("free") : ""].filter(Boolean);
    const label = reachable
      ? el("a", linkAttrs(channel.uri, { class: "channel__link" }), icon(channel.kind), channel.label, newTabNote(channel.uri))
      : el("span", { class: "channel__label" }, icon(channel.kind), channel.label);
    return el(
      "li",
      { class: `channel ${reachable ? "channel--open" : "channel--closed"}`, "data-channel-id": channel.id },
      label,
      el("span", { class: "channel__status" }, details.join(" · ")),
    );
  };

  const helplineItem = (helpline, today) =>
    el(
      "li",
      { class: "helpline", "data-helpline-id": helpline.id },
      el("h4", { class: "helpline__name" }, helpline.name),
      helpline.operator && helpline.operator !== helpline.name
        ? el("p", { class: "helpline__operator" }, helpline.operator)
        : null,
      el("p", { class: "helpline__description" }, helpline.description),
      el("ul", { class: "channels" }, ...helpline.channels.map((c) => channelItem(c, today))),
    );

  const showCard = (card, stored, reportId) => {
    const today = card.generated_at.slice(0, 10);
    helpStep.dataset.today = today;
    const immediate = card.danger === "immediate";
    const status = document.getElementById("help-status");
    status.textContent = stored ? t("stored") : t("not_stored");
    status.classList.toggle("help__status--pending", !stored);
    status.dataset.reportId = reportId;
    document.getElementById("help-fallback").hidden = !card.fallback;

    const emergencySection = document.getElementById("help-emergency");
    const helplinesSection = document.getElementById("help-helplines");
    const primarySlot = document.getElementById("help-primary");
    const button = primaryButton(card, today);
    primarySlot.replaceChildren(...(button ? [button] : []));

    document.getElementById("help-emergency-title").textContent = immediate ? t("emergency_now") : t("emergency_later");
    const emergency = card.emergency.filter((e) => !(immediate && card.primary && card.primary.helpline_id === e.id));
    document.getElementById("help-emergency-list").replaceChildren(...emergency.map(emergencyItem));
    emergencySection.classList.toggle("help__emergency--now", immediate);
    emergencySection.hidden = card.emergency.length === 0;

    document.getElementById("help-helpline-list").replaceChildren(...card.helplines.map((h) => helplineItem(h, today)));
    helplinesSection.hidden = card.helplines.length === 0;

    // Danger now: emergency numbers first, the primary (an emergency number) inside them. Otherwise the
    // primary action leads, then the helplines, and the emergency numbers close the card.
    const anchor = document.getElementById("help-fallback");
    if (immediate) {
      emergencySection.querySelector("h3").after(primarySlot);
      anchor.after(emergencySection, helplinesSection);
    } else {
      anchor.after(primarySlot, helplinesSection, emergencySection);
    }
    showStep(helpStep);
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

  const offerSharing = (body, description) => {
    sharing = null;
    shareStatus.textContent = "";
    shareOffer.hidden = !(body && body.share);
    if (shareOffer.hidden) return;
    sharing = {
      reportId: body.id,
      helplineId: body.share.helpline_id,
      name: body.share.name,
      description,
      shared: null,
    };
    fillNames(sharing.name);
    refreshOffer();
  };

  shareOpen.addEventListener("click", () => {
    if (sharing.shared) {
      showStep(codeStep);
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
    const today = helpStep.dataset.today || "";
    document
      .getElementById("code-channels")
      .replaceChildren(...shared.helpline.channels.map((c) => channelItem({ ...c, uri: c.uri_with_code || c.uri }, today)));
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
    sharing.shared = body;
    shareStatus.textContent = t("shared_status", { name: sharing.name, code: body.case_code });
    refreshOffer();
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
    shareStatus.textContent = t("withdrawn_status", { name: sharing.name });
    refreshOffer();
    showStep(helpStep, shareOpen);
  });
})();
