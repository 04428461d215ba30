/*! LVR-Beratungskompass – chat widget. Plain JavaScript, no build step, no dependencies. See docs/widget.md.
 *
 * Embed:  <script src="https://host/widget.js" data-api="https://host" defer></script>
 *
 * - Renders into the open Shadow DOM of a <beratungskompass-chat> element, so host-page CSS cannot restyle it
 *   (widget.css is loaded into the shadow root, next to this file).
 * - Bot text is always rendered as text (textContent); the only links it creates are metadata.handoff.url after
 *   checking it is http(s).
 * - Keeps the conversation for the tab in sessionStorage (session id and the rendered items as data, never HTML).
 * - Tells the host page what happened with window.postMessage(…, location.origin) – schema v1 in docs/widget.md.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  if (!script || window.__beratungskompassWidget) return; // not from a classic <script> tag, or loaded twice
  window.__beratungskompassWidget = true;

  const EVENT_VERSION = 1;
  const STORAGE_VERSION = 1;
  const MAX_MESSAGE = 5000; // characters, as the API (api/schemas.py MESSAGE_MAX)
  const SERVICE_TIMEOUT_MS = 4000;

  // --- configuration ------------------------------------------------------------------------------------------

  function apiBase() {
    const raw = script.dataset.api || new URL(script.src, location.href).origin;
    try {
      const url = new URL(raw, location.href);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href.replace(/\/+$/, "");
    } catch (_) {
      /* fall through */
    }
    console.error("beratungskompass widget: data-api must be an http(s) URL, got", raw);
    return null;
  }

  /** The primary subtag of a language tag, lower case ("en-GB" → "en", "de_DE" → "de"), or null. */
  function primaryLanguage(tag) {
    const match = /^([a-z]{2,3})(?:[-_]|$)/i.exec(typeof tag === "string" ? tag.trim() : "");
    return match ? match[1].toLowerCase() : null;
  }

  const API = apiBase();
  if (!API) return;
  // The language the embedding page asks for before the first reply: data-language (data-lang is its older name),
  // else the page's <html lang>. Used only when the chat serves it (see served()).
  const PAGE_LANGUAGE = primaryLanguage(script.dataset.language || script.dataset.lang || document.documentElement.lang);
  const DEFAULT_LANGUAGE = "de"; // the bot's own language (knowledge.vocab.DEFAULT_LANGUAGE)
  const CSS_URL = new URL("widget.css", script.src).href;
  const STORAGE_KEY = `beratungskompass:v${STORAGE_VERSION}:${API}`;

  // --- interface texts ----------------------------------------------------------------------------------------
  //
  // The widget's own texts, one entry per language; they follow the conversation's language (uiLanguage()). In a
  // language the chat serves but this table lacks, the widget's texts are German; the messages keep their language.

  const TEXTS = {
    de: {
      launcher: "Fragen? Chat mit dem LVR-Beratungskompass",
      launcherShort: "Chat: Beratungskompass",
      region: "Chat: LVR-Beratungskompass",
      title: "LVR-Beratungskompass",
      subtitle: "Digitale Beratung zu Leistungen des LVR",
      close: "Chat schließen",
      easy: "Leichte Sprache",
      on: "an",
      off: "aus",
      easyOn: "Leichte Sprache einschalten",
      easyOff: "Leichte Sprache ausschalten",
      switchLanguage: "Sprache wechseln:",
      languageNow: (name) => `Die Unterhaltung ist jetzt auf ${name}.`,
      privacyTitle: "Hinweis zum Datenschutz",
      // The retention period comes from GET /api/v1/privacy (BK_RETENTION_DAYS); null while it is not known.
      privacyServer: (days) =>
        "Ihre Nachrichten werden an den LVR-Beratungskompass gesendet. Der Server löscht die Unterhaltung " +
        (days ? `${days} Tage nach Ihrer letzten Nachricht` : "nach einer festen Frist automatisch") +
        ", oder früher, wenn Sie sie löschen.",
      privacy: [
        "In diesem Browser-Tab bleibt die Unterhaltung gespeichert, bis Sie die Unterhaltung löschen oder den Tab schließen.",
        "Bitte schreiben Sie keine Namen, Adressen oder andere persönliche Daten, die für Ihre Frage nicht nötig sind.",
      ],
      log: "Unterhaltung",
      messages: "Nachrichten",
      you: "Sie:",
      bot: "Beratungskompass:",
      choices: "Antwortmöglichkeiten",
      readAloud: "Vorlesen",
      stopReading: "Vorlesen beenden",
      inputLabel: "Ihre Nachricht",
      placeholder: "Beschreiben Sie Ihre Situation …",
      send: "Senden",
      remove: "Unterhaltung löschen",
      confirmRemove: "Möchten Sie die Unterhaltung wirklich löschen? Sie wird hier und auf dem Server gelöscht.",
      yesRemove: "Ja, löschen",
      cancel: "Abbrechen",
      removed: "Die Unterhaltung wurde gelöscht.",
      removeFailed:
        "Die Unterhaltung konnte auf dem Server gerade nicht gelöscht werden. Sie ist noch gespeichert. Bitte versuchen Sie es später noch einmal.",
      thinking: "Der Beratungskompass antwortet …",
      answered: "Neue Antwort des Beratungskompasses.",
      tooLong: `Bitte kürzen Sie Ihre Nachricht auf höchstens ${MAX_MESSAGE} Zeichen.`,
      empty: "Bitte geben Sie zuerst eine Nachricht ein.",
      rateLimited: (s) => `Zu viele Nachrichten in kurzer Zeit. Bitte warten Sie ${s} Sekunden und versuchen Sie es dann noch einmal.`,
      unreachable: "Der Beratungskompass ist gerade nicht erreichbar. Bitte versuchen Sie es später noch einmal.",
      failed: "Das hat leider nicht geklappt. Bitte versuchen Sie es noch einmal.",
      sourceTitle: "Grundlage dieser Antwort",
      service: "Leistung",
      responsible: "Zuständige Stelle",
      authority: "Zuständig für Sie",
      phone: "Telefon",
      stand: "Stand",
      source: "Quelle",
      notVerified: "Angaben nicht abschließend geprüft",
      someNotVerified: "Die Angaben zu diesen Leistungen sind nicht alle abschließend geprüft.",
      formLink: (title) => `Zum Online-Antrag: ${title}`,
      newTab: "(öffnet in einem neuen Tab)",
      noForm: "Für diese Leistung ist kein Online-Antrag bestätigt. Bitte wenden Sie sich an die zuständige Stelle.",
      authorities: {
        LVR: "Landschaftsverband Rheinland (LVR)",
        LWL: "Landschaftsverband Westfalen-Lippe (LWL)",
        "Kreis/kreisfreie Stadt": "Ihr Kreis oder Ihre kreisfreie Stadt",
        other: "eine andere Stelle (siehe zuständige Stelle)",
      },
    },
    en: {
      launcher: "Questions? Chat with the LVR-Beratungskompass",
      launcherShort: "Chat: Beratungskompass",
      region: "Chat: LVR-Beratungskompass",
      title: "LVR-Beratungskompass",
      subtitle: "Digital advice on LVR services",
      close: "Close chat",
      easy: "Easy German (Leichte Sprache)",
      on: "on",
      off: "off",
      easyOn: "Switch on Easy German",
      easyOff: "Switch off Easy German",
      switchLanguage: "Change language:",
      languageNow: (name) => `The conversation is now in ${name}.`,
      privacyTitle: "Privacy notice",
      privacyServer: (days) =>
        "Your messages are sent to the LVR-Beratungskompass. The server deletes the conversation " +
        (days ? `${days} days after your last message` : "automatically after a fixed period") +
        ", or earlier if you delete it.",
      privacy: [
        "This browser tab keeps the conversation until you delete the conversation or close the tab.",
        "Please do not write names, addresses or other personal data that your question does not need.",
      ],
      log: "Conversation",
      messages: "Messages",
      you: "You:",
      bot: "Beratungskompass:",
      choices: "Suggested replies",
      readAloud: "Read aloud",
      stopReading: "Stop reading",
      inputLabel: "Your message",
      placeholder: "Describe your situation …",
      send: "Send",
      remove: "Delete conversation",
      confirmRemove: "Do you really want to delete the conversation? It is deleted here and on the server.",
      yesRemove: "Yes, delete",
      cancel: "Cancel",
      removed: "The conversation was deleted.",
      removeFailed: "The conversation could not be deleted on the server right now. It is still stored. Please try again later.",
      thinking: "The Beratungskompass is answering …",
      answered: "New answer from the Beratungskompass.",
      tooLong: `Please shorten your message to at most ${MAX_MESSAGE} characters.`,
      empty: "Please type a message first.",
      rateLimited: (s) => `Too many messages in a short time. Please wait ${s} seconds and try again.`,
      unreachable: "The Beratungskompass cannot be reached right now. Please try again later.",
      failed: "That did not work. Please try again.",
      sourceTitle: "This answer is based on",
      service: "Service",
      responsible: "Responsible office",
      authority: "Responsible for you",
      phone: "Phone",
      stand: "As of",
      source: "Source",
      notVerified: "information not fully verified",
      someNotVerified: "The information on these services is not all fully verified.",
      formLink: (title) => `Online application: ${title}`,
      newTab: "(opens in a new tab)",
      noForm: "No confirmed online application exists for this service. Please contact the responsible office.",
      authorities: {
        LVR: "Regional Association of Rhineland (LVR, Landschaftsverband Rheinland)",
        LWL: "Regional Association of Westphalia-Lippe (LWL, Landschaftsverband Westfalen-Lippe)",
        "Kreis/kreisfreie Stadt": "your Kreis or kreisfreie Stadt (district or independent city)",
        other: "another office (see responsible office)",
      },
    },
  };
  let T = TEXTS[DEFAULT_LANGUAGE]; // the texts of uiLanguage(), set by renderTexts()

  // --- small helpers ------------------------------------------------------------------------------------------

  /** An element with attributes and children; strings become text nodes (never HTML). An element given a `lang`
   * gets the `dir` of that language too (dirOf). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") el.className = value;
      else if (name === "text") el.textContent = value;
      else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    if (el.hasAttribute("lang")) el.setAttribute("dir", dirOf(el.getAttribute("lang")));
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return el;
  }

  /** The URL when it is an absolute http(s) address, else null (no javascript:, data:, relative …). */
  function safeHttpUrl(value) {
    if (typeof value !== "string") return null;
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  function formatDate(iso) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!match) return iso || "";
    return uiLanguage() === "en" ? `${match[3]}/${match[2]}/${match[1]}` : `${match[3]}.${match[2]}.${match[1]}`;
  }

  function reducedMotion() {
    return window.matchMedia?.("(prefers-reduced-motion: reduce)").matches ?? false;
  }

  /** Tell the host page (same window, same origin only) what happened. Schema v1: docs/widget.md. */
  function emit(type, fields) {
    if (!location.origin || location.origin === "null") return; // file:// or sandboxed: no safe target origin
    try {
      window.postMessage({ type: `beratungskompass:${type}`, version: EVENT_VERSION, ...fields }, location.origin);
    } catch (error) {
      console.warn("beratungskompass widget: postMessage failed", error);
    }
  }

  // --- state (persisted per tab) --------------------------------------------------------------------------------

  function emptyState() {
    // language: the conversation's language as the last reply said it (metadata.language); null before it
    return { sessionId: null, items: [], leichteSprache: false, open: false, language: null };
  }

  function loadState() {
    try {
      const raw = window.sessionStorage.getItem(STORAGE_KEY);
      if (!raw) return emptyState();
      const data = JSON.parse(raw);
      if (!data || !Array.isArray(data.items)) return emptyState();
      return {
        sessionId: typeof data.sessionId === "string" ? data.sessionId : null,
        items: data.items.filter((item) => item && typeof item.kind === "string"),
        leichteSprache: data.leichteSprache === true,
        open: data.open === true,
        language: languageCode(data.language),
      };
    } catch (_) {
      return emptyState(); // storage disabled or corrupt: start fresh
    }
  }

  function saveState() {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
    } catch (_) {
      /* storage full or disabled: the conversation still works, it just does not survive a reload */
    }
  }

  function clearStoredState() {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (_) {
      /* nothing stored */
    }
  }

  const state = loadState();
  if (script.dataset.open === "true") state.open = true;

  // --- languages ------------------------------------------------------------------------------------------------
  //
  // Each message carries the language it is in (`lang`) and that language's direction (`dir`): a bot message the
  // language of its reply (metadata.language), the user's own the language the reply says the conversation is in.
  // The widget's own texts follow the conversation: the last reply's language, before it the page's.

  /** A language code as the API sends it ("de", "en"), else null. */
  function languageCode(value) {
    return typeof value === "string" && /^[a-z]{2,3}$/.test(value) ? value : null;
  }

  // The languages the chat serves, code → {name, rtl}, from GET /api/v1/languages (knowledge.vocab.LANGUAGES);
  // null until that answer is there.
  let languages = null;

  /** Whether the chat serves `code`; before the API said which languages it serves, those of the widget's texts. */
  function served(code) {
    return Object.hasOwn(languages || TEXTS, code);
  }

  /** The writing direction of a language: "rtl" where the API flags it, "auto" for a language it does not know. */
  function dirOf(code) {
    if (!languages) return "ltr"; // until the list is there; applyDirections() corrects every element then
    const entry = languages[code];
    return entry ? (entry.rtl ? "rtl" : "ltr") : "auto";
  }

  /** The conversation's language as far as the widget knows it: the last reply's, else the page's; else null. */
  function knownLanguage() {
    if (state.language) return state.language;
    return PAGE_LANGUAGE && served(PAGE_LANGUAGE) ? PAGE_LANGUAGE : null;
  }

  /** The language of the widget's own texts: the conversation's when the widget has texts in it, else German. */
  function uiLanguage() {
    const code = knownLanguage();
    return code && TEXTS[code] ? code : DEFAULT_LANGUAGE;
  }

  function languageName(code) {
    return languages?.[code]?.name || code;
  }

  // --- API calls ----------------------------------------------------------------------------------------------

  class HttpError extends Error {
    constructor(status, retryAfter) {
      super(`HTTP ${status}`);
      this.status = status;
      this.retryAfter = retryAfter;
    }
  }

  async function request(method, path, body, timeoutMs) {
    const controller = timeoutMs ? new AbortController() : null;
    const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : null;
    try {
      const response = await fetch(`${API}${path}`, {
        method,
        headers: body === undefined ? { Accept: "application/json" } : { "Content-Type": "application/json", Accept: "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        signal: controller?.signal,
      });
      if (!response.ok) {
        throw new HttpError(response.status, parseInt(response.headers.get("Retry-After") || "", 10) || null);
      }
      return response.status === 204 ? null : await response.json();
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  const serviceCache = new Map();

  /** Amounts, thresholds and deadlines of a record, each with its date and the source it rests on. */
  function datedClaims(s) {
    const sourceOf = (ref) => {
      const src = (s.sources || []).find((x) => x.id === ref);
      if (src) return { title: src.title, url: src.url };
      const basis = (s.legal_bases || []).find((b) => b.citation === ref);
      return basis ? { title: basis.citation, url: basis.url } : null;
    };
    return (s.claims || [])
      .filter((c) => ["amount", "threshold", "deadline"].includes(c.kind))
      .slice(0, 6)
      .map((c) => ({ text: c.text, validFrom: c.valid_from || null, source: sourceOf(c.source) }));
  }

  /** The facts the provenance box shows about a service, or null when it cannot be fetched. */
  async function serviceFacts(id) {
    if (!serviceCache.has(id)) {
      serviceCache.set(
        id,
        request("GET", `/api/v1/services/${encodeURIComponent(id)}`, undefined, SERVICE_TIMEOUT_MS)
          .then((s) => ({
            id,
            title: s.title,
            provider: s.responsible?.provider || null,
            office: s.responsible?.unit || s.responsible?.contact?.name || null,
            lwlOffice: s.responsible?.lwl_unit || null,
            phone: s.responsible?.contact?.phone || null,
            stand: s.stand || null,
            verified: s.verified === true,
            dated: datedClaims(s),
          }))
          .catch(() => {
            serviceCache.delete(id); // try again next time
            return null;
          }),
      );
    }
    return serviceCache.get(id);
  }

  // --- DOM ----------------------------------------------------------------------------------------------------
  //
  // The elements are built once; their texts are set by renderLanguage(), again whenever the language changes.

  const host = document.createElement("beratungskompass-chat");
  const root = host.attachShadow({ mode: "open" }); // open: testable and scannable by axe-core
  const stylesheet = h("link", { rel: "stylesheet", href: CSS_URL });

  const launcherLong = h("span", { class: "bk-launcher-long" });
  const launcherShort = h("span", { class: "bk-launcher-short" });
  const launcher = h(
    "button",
    { type: "button", class: "bk-launcher", "aria-expanded": "false", "aria-controls": "bk-panel", onclick: () => setOpen(true, true) },
    h("span", { class: "bk-launcher-icon", "aria-hidden": "true" }, "?"),
    launcherLong,
    launcherShort,
  );

  const easyLabel = h("span", { class: "bk-switch-label" });
  const easySwitch = h(
    "button",
    { type: "button", role: "switch", class: "bk-switch", "aria-checked": String(state.leichteSprache), onclick: toggleLeichteSprache },
    easyLabel,
    h("span", { class: "bk-switch-state", "aria-hidden": "true" }),
  );
  // One button per other language the chat serves (renderLanguageSwitch); empty until the list is known.
  const languageSwitch = h("div", { class: "bk-languages" });
  const closeButton = h("button", { type: "button", class: "bk-icon-button", onclick: () => setOpen(false, true) },
    h("span", { "aria-hidden": "true" }, "×"));
  const title = h("h2", { class: "bk-title" });
  const subtitle = h("p", { class: "bk-subtitle" });

  let retentionDays = null; // the server's retention period for the privacy notice; null while not known
  const privacy = h("div", { class: "bk-privacy" });

  // The server's retention period for the notice (a failed request leaves the text without a number).
  request("GET", "/api/v1/privacy", undefined, SERVICE_TIMEOUT_MS)
    .then((info) => {
      if (Number.isInteger(info?.retention_days) && info.retention_days > 0) {
        retentionDays = info.retention_days;
        renderPrivacy();
      }
    })
    .catch(() => {});

  const log = h("div", { class: "bk-log", role: "log", "aria-live": "polite", "aria-relevant": "additions" });
  // The scrolling part: focusable so that keyboard users can scroll it (WCAG 2.1.1).
  const body = h("div", { class: "bk-body", role: "region", tabindex: "0" }, privacy, log);
  const status = h("p", { class: "bk-status", role: "status" });
  const input = h("input", {
    id: "bk-input",
    class: "bk-input",
    type: "text",
    name: "message",
    autocomplete: "off",
    maxlength: String(MAX_MESSAGE),
    "aria-describedby": "bk-error",
  });
  const inputLabel = h("label", { for: "bk-input", class: "bk-visually-hidden" });
  const sendButton = h("button", { type: "submit", class: "bk-button bk-primary" });
  const inputError = h("p", { id: "bk-error", class: "bk-error", "aria-live": "assertive" });
  const form = h(
    "form",
    { class: "bk-form", onsubmit: onSubmit, novalidate: true },
    inputLabel,
    h("div", { class: "bk-form-row" }, input, sendButton),
    inputError,
  );

  const removeButton = h("button", { type: "button", class: "bk-button bk-danger-link", onclick: askRemove });
  const confirmYes = h("button", { type: "button", class: "bk-button bk-danger", onclick: removeConversation });
  const confirmNo = h("button", { type: "button", class: "bk-button", onclick: cancelRemove });
  const confirmText = h("p", { id: "bk-confirm-text" });
  const confirmBox = h("div", { class: "bk-confirm", hidden: true }, confirmText, h("div", { class: "bk-row" }, confirmYes, confirmNo));
  confirmBox.setAttribute("role", "group");
  confirmBox.setAttribute("aria-labelledby", "bk-confirm-text");

  const panel = h(
    "div",
    { id: "bk-panel", class: "bk-panel", hidden: true, onkeydown: onPanelKey },
    h(
      "header",
      { class: "bk-header" },
      h("div", { class: "bk-heading" }, title, subtitle),
      closeButton,
      h("div", { class: "bk-header-controls" }, easySwitch, languageSwitch),
    ),
    body,
    status,
    form,
    h("footer", { class: "bk-footer" }, removeButton, confirmBox),
  );

  // A complementary landmark: the chat is findable by landmark navigation and stays apart from the host's content.
  const container = h("aside", { class: "bk-root" }, launcher, panel);
  // Hidden until the stylesheet is there, so that no unstyled widget flashes on the host page.
  container.hidden = true;
  stylesheet.addEventListener("load", () => (container.hidden = false));
  stylesheet.addEventListener("error", () => {
    container.hidden = false;
    console.error("beratungskompass widget: widget.css could not be loaded from", CSS_URL);
  });
  root.append(stylesheet, container);

  function renderPrivacy() {
    privacy.replaceChildren(
      h("p", { class: "bk-privacy-title" }, h("strong", {}, T.privacyTitle)),
      h("p", { class: "bk-privacy-server" }, T.privacyServer(retentionDays)),
      ...T.privacy.map((line) => h("p", {}, line)),
    );
  }

  /** The widget's own texts in uiLanguage(): the host's `lang`/`dir`, every label, the language switch. */
  function renderTexts() {
    const code = uiLanguage();
    T = TEXTS[code];
    host.setAttribute("lang", code);
    host.setAttribute("dir", dirOf(code));
    launcherLong.textContent = T.launcher;
    launcherShort.textContent = T.launcherShort;
    container.setAttribute("aria-label", T.region);
    title.textContent = T.title;
    subtitle.textContent = T.subtitle;
    closeButton.setAttribute("aria-label", T.close);
    easyLabel.textContent = T.easy;
    renderEasyState();
    renderPrivacy();
    log.setAttribute("aria-label", T.messages);
    body.setAttribute("aria-label", T.log);
    inputLabel.textContent = T.inputLabel;
    input.placeholder = T.placeholder;
    sendButton.textContent = T.send;
    removeButton.textContent = T.remove;
    confirmText.textContent = T.confirmRemove;
    confirmYes.textContent = T.yesRemove;
    confirmNo.textContent = T.cancel;
    renderLanguageSwitch();
  }

  let shownSwitch = null; // what the switch shows now: the conversation's language, the interface's, the list

  /** A button for every language the chat serves besides the conversation's; the focus stays in the group. */
  function renderLanguageSwitch() {
    const current = knownLanguage() || DEFAULT_LANGUAGE;
    const others = languages ? Object.keys(languages).filter((code) => code !== current) : [];
    const shown = [current, uiLanguage(), ...others].join(" ");
    if (shown === shownSwitch) return; // unchanged: the buttons (and a focus on them) stay as they are
    shownSwitch = shown;
    const focused = languageSwitch.contains(root.activeElement);
    languageSwitch.replaceChildren(
      ...others.map((code) =>
        h(
          "button",
          { type: "button", class: "bk-language", "data-language": code, onclick: () => switchLanguage(code) },
          h("span", { class: "bk-visually-hidden" }, T.switchLanguage + " "),
          h("span", { lang: code }, languageName(code)),
        ),
      ),
    );
    languageSwitch.hidden = others.length === 0;
    if (focused) languageSwitch.querySelector("button")?.focus();
  }

  /** Give every element with a `lang` the direction of its language (once the list of languages is known). */
  function applyDirections() {
    host.setAttribute("dir", dirOf(host.getAttribute("lang")));
    for (const el of root.querySelectorAll("[lang]")) el.setAttribute("dir", dirOf(el.getAttribute("lang")));
  }

  // The languages the chat serves: their names for the switch, their direction for `dir`.
  request("GET", "/api/v1/languages", undefined, SERVICE_TIMEOUT_MS)
    .then((info) => {
      const table = {};
      for (const entry of Array.isArray(info?.languages) ? info.languages : []) {
        const code = languageCode(entry?.code);
        if (code) table[code] = { name: typeof entry.name === "string" ? entry.name : code, rtl: entry.rtl === true };
      }
      if (!Object.keys(table).length) return;
      const before = uiLanguage();
      languages = table;
      if (uiLanguage() !== before) renderLanguage();
      else renderLanguageSwitch();
      applyDirections();
    })
    .catch(() => {}); // no switch, every text left to right: the chat itself still works

  // --- rendering of conversation items ------------------------------------------------------------------------

  /** The language a stored item is in; items stored before messages carried one were German. */
  function itemLanguage(item) {
    return languageCode(item.lang) || DEFAULT_LANGUAGE;
  }

  /** The widget's own words inside a message (its label, read-aloud) keep the interface's language. */
  function ownWords(attrs, ...children) {
    return h("span", { ...attrs, lang: uiLanguage() }, ...children);
  }

  function renderUser(item) {
    return h(
      "div",
      { class: "bk-msg bk-user", lang: itemLanguage(item) },
      ownWords({ class: "bk-visually-hidden" }, T.you + " "),
      h("p", { class: "bk-text" }, item.text),
    );
  }

  let speaking = null; // the read-aloud button of the message being spoken

  /** The voice for a language: one the user's browser languages name exactly ("en-GB"), else the platform's default
   * for it, else the first; null when the browser has none for it. */
  function voiceFor(code) {
    const voices = window.speechSynthesis.getVoices?.() || [];
    const matching = voices.filter((voice) => primaryLanguage(voice.lang) === code);
    const tag = (value) => String(value).replace("_", "-").toLowerCase();
    const preferred = (navigator.languages || []).map(tag);
    return (
      matching.find((voice) => preferred.includes(tag(voice.lang))) ||
      matching.find((voice) => voice.default) ||
      matching[0] ||
      null
    );
  }

  function readAloudButton(text, code) {
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") return null;
    const button = h("button", { type: "button", class: "bk-button bk-small", lang: uiLanguage() }, T.readAloud);
    button.addEventListener("click", () => {
      const wasMine = speaking === button;
      stopSpeaking();
      if (wasMine) return;
      const utterance = new window.SpeechSynthesisUtterance(text);
      const voice = voiceFor(code);
      if (voice) utterance.voice = voice;
      utterance.lang = voice ? String(voice.lang).replace("_", "-") : code;
      utterance.onend = utterance.onerror = () => {
        if (speaking === button) stopSpeaking();
      };
      speaking = button;
      button.textContent = T.stopReading;
      window.speechSynthesis.speak(utterance);
    });
    return button;
  }

  function stopSpeaking() {
    if (speaking) {
      speaking.textContent = T.readAloud;
      speaking = null;
    }
    if ("speechSynthesis" in window) window.speechSynthesis.cancel();
  }

  function renderBot(item) {
    const buttons = Array.isArray(item.buttons) ? item.buttons.filter((b) => b && typeof b.title === "string" && typeof b.payload === "string") : [];
    const code = itemLanguage(item);
    return h(
      "div",
      { class: "bk-msg bk-bot", lang: code },
      ownWords({ class: "bk-visually-hidden" }, T.bot + " "),
      item.text ? h("p", { class: "bk-text" }, item.text) : null,
      buttons.length
        ? h(
            "div",
            { class: "bk-choices", role: "group", "aria-label": T.choices },
            buttons.map((b) =>
              h("button", { type: "button", class: "bk-button bk-choice", onclick: () => send(b.payload, b.title, { shownLanguage: code }) }, b.title),
            ),
          )
        : null,
      item.text ? readAloudButton(item.text, code) : null,
    );
  }

  function officeOf(facts, authority) {
    if (!facts) return null;
    return authority === "LWL" && facts.lwlOffice ? facts.lwlOffice : facts.office;
  }

  function renderMeta(item) {
    const facts = item.services || {};
    const ids = Array.isArray(item.serviceIds) ? item.serviceIds : [];
    const box = h("div", { class: "bk-source" });
    if (ids.length) {
      box.append(h("p", { class: "bk-source-title" }, T.sourceTitle + ":"));
      const list = h("ul", { class: "bk-source-list" });
      const single = ids.length === 1;
      for (const id of ids) {
        const f = facts[id];
        const details = [];
        if (f && single) {
          // One service: who is responsible, how to reach them, how current and how checked the facts are.
          const office = officeOf(f, item.authority);
          if (office) details.push(h("span", { class: "bk-detail" }, `${T.responsible}: `, h("span", { lang: "de" }, office)));
          if (f.phone) details.push(h("span", { class: "bk-detail" }, `${T.phone}: ${f.phone}`));
          const stand = [f.stand ? `${T.stand} ${formatDate(f.stand)}` : null, f.verified ? null : T.notVerified].filter(Boolean).join(", ");
          if (stand) details.push(h("span", { class: "bk-detail bk-muted" }, stand));
          // Each amount, threshold or deadline with its own date and, where there is one, a link to its source.
          if (f.dated && f.dated.length) {
            details.push(
              h(
                "ul",
                { class: "bk-claims" },
                f.dated.map((c) => {
                  const url = c.source ? safeHttpUrl(c.source.url) : null;
                  const source = c.source ? (url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, c.source.title) : c.source.title) : null;
                  return h(
                    "li",
                    { lang: "de" },
                    c.text,
                    c.validFrom ? ` (${T.stand} ${formatDate(c.validFrom)})` : null,
                    source ? h("span", { class: "bk-muted" }, ` – ${T.source}: `, source) : null,
                  );
                }),
              ),
            );
          }
        }
        list.append(
          h(
            "li",
            { "data-service-id": id },
            f ? h("span", { class: "bk-service", lang: "de" }, f.title) : h("span", { class: "bk-service" }, `${T.service}: `, h("code", {}, id)),
            details,
          ),
        );
      }
      box.append(list);
      if (!single && ids.some((id) => facts[id] && !facts[id].verified)) {
        box.append(h("p", { class: "bk-muted" }, T.someNotVerified));
      }
    }
    if (item.authority && T.authorities[item.authority]) {
      box.append(h("p", { class: "bk-authority" }, `${T.authority}: ${T.authorities[item.authority]}`));
    }
    const handoff = item.handoff;
    if (handoff && typeof handoff.service_id === "string") {
      const url = safeHttpUrl(handoff.url);
      const f = facts[handoff.service_id];
      const title = f ? f.title : handoff.service_id;
      if (url) {
        box.append(
          h(
            "p",
            { class: "bk-handoff" },
            h("a", { class: "bk-form-link", href: url, target: "_blank", rel: "noopener noreferrer" }, T.formLink(title), " ", h("span", { class: "bk-muted" }, T.newTab)),
          ),
        );
      } else {
        const office = handoff.office || officeOf(f, item.authority);
        box.append(h("p", { class: "bk-handoff" }, T.noForm, office ? h("span", { class: "bk-detail" }, `${T.responsible}: `, h("span", { lang: "de" }, office)) : null));
      }
    }
    return box.childNodes.length ? box : null;
  }

  function renderNotice(item) {
    return h("div", { class: `bk-notice bk-${item.tone === "error" ? "error-notice" : "info"}` }, h("p", {}, item.text));
  }

  function renderItem(item) {
    switch (item.kind) {
      case "user":
        return renderUser(item);
      case "bot":
        return renderBot(item);
      case "meta":
        return renderMeta(item);
      case "notice":
        return renderNotice(item);
      default:
        return null;
    }
  }

  /** Append items to the conversation; scroll so that the first new one starts at the top of the view. */
  function addItems(items, persist) {
    const nodes = [];
    for (const item of items) {
      if (persist) state.items.push(item);
      const node = renderItem(item);
      if (node) {
        log.append(node);
        nodes.push(node);
      }
    }
    if (persist) saveState();
    if (nodes.length) scrollToShow(nodes[0]);
    return nodes;
  }

  function scrollTo(top) {
    body.scrollTo({ top, behavior: reducedMotion() ? "auto" : "smooth" });
  }

  function scrollToEnd() {
    scrollTo(body.scrollHeight);
  }

  /** Long answers are read from their start: bring `node` to the top, unless the rest fits below it anyway. */
  function scrollToShow(node) {
    const offset = node.getBoundingClientRect().top - body.getBoundingClientRect().top;
    scrollTo(Math.min(body.scrollTop + offset - 8, body.scrollHeight - body.clientHeight));
  }

  function renderEasyState() {
    easySwitch.setAttribute("aria-checked", String(state.leichteSprache));
    easySwitch.querySelector(".bk-switch-state").textContent = state.leichteSprache ? T.on : T.off;
  }

  const FOCUSABLE = "button, input, a[href], [tabindex='0']";

  /** The stored conversation rendered again (with the current interface texts); a focused control keeps the focus. */
  function renderLog() {
    const focused = [...log.querySelectorAll(FOCUSABLE)].indexOf(root.activeElement);
    if (speaking) stopSpeaking();
    log.replaceChildren(...state.items.map(renderItem).filter(Boolean));
    if (focused >= 0) log.querySelectorAll(FOCUSABLE)[focused]?.focus();
  }

  /** Everything in uiLanguage(): the widget's own texts and the conversation's labels. */
  function renderLanguage() {
    renderTexts();
    renderLog();
  }

  // --- behaviour ----------------------------------------------------------------------------------------------

  function setOpen(open, moveFocus) {
    state.open = open;
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    saveState();
    if (!moveFocus) return;
    if (open) {
      input.focus();
      scrollToEnd();
    } else {
      stopSpeaking();
      launcher.focus();
    }
  }

  const FULLSCREEN = "(max-width: 34em), (max-height: 34em)"; // as in widget.css

  /** Full-screen panel: it covers the page, so Tab wraps inside it (Escape or the close button leave it). */
  function keepFocusInside(event) {
    if (!window.matchMedia?.(FULLSCREEN).matches) return;
    const focusable = [...panel.querySelectorAll(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
    if (!focusable.length) return;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    const active = root.activeElement;
    if (event.shiftKey && (active === first || !panel.contains(active))) {
      last.focus();
      event.preventDefault();
    } else if (!event.shiftKey && active === last) {
      first.focus();
      event.preventDefault();
    }
  }

  function onPanelKey(event) {
    if (event.key === "Tab") {
      keepFocusInside(event);
      return;
    }
    if (event.key === "Escape" && !event.defaultPrevented) {
      if (!confirmBox.hidden) {
        cancelRemove();
      } else {
        setOpen(false, true);
      }
      event.preventDefault();
    }
  }

  let busy = false;

  function setBusy(value) {
    busy = value;
    // aria-disabled, not disabled: a disabled button would drop keyboard focus to the page.
    sendButton.setAttribute("aria-disabled", String(value));
    log.setAttribute("aria-busy", String(value));
    status.textContent = value ? T.thinking : "";
  }

  function onSubmit(event) {
    event.preventDefault();
    const text = input.value.trim();
    inputError.textContent = "";
    if (!text) {
      inputError.textContent = T.empty;
      return;
    }
    if (text.length > MAX_MESSAGE) {
      inputError.textContent = T.tooLong;
      return;
    }
    send(text, text).then((ok) => {
      if (ok) input.value = "";
    });
  }

  function errorText(error) {
    if (error instanceof HttpError) {
      if (error.status === 429) return T.rateLimited(error.retryAfter || 10);
      return T.failed;
    }
    return T.unreachable;
  }

  /** The hand-off of a turn's metadata, with only the fields of the contract (strings; prefill a flat object). */
  function readHandoff(raw) {
    if (!raw || typeof raw.service_id !== "string") return null;
    let prefill = null;
    if (raw.prefill && typeof raw.prefill === "object") {
      prefill = {};
      for (const key of ["place", "ags", "age", "leika"]) {
        if (typeof raw.prefill[key] === "string") prefill[key] = raw.prefill[key];
      }
    }
    return { service_id: raw.service_id, url: safeHttpUrl(raw.url), office: typeof raw.office === "string" ? raw.office : null, prefill };
  }

  /** Send one message (typed text or a button payload); `shown` is what the conversation shows for it.
   * `shownLanguage`: the language of `shown` when it is a button's title, not the citizen's own words (which are
   * taken to be in the reply's language). `switchTo`: the language the citizen chose with the switch (the hint). */
  async function send(message, shown, { shownLanguage = null, switchTo = null } = {}) {
    if (busy) return false;
    setBusy(true);
    const hint = switchTo || knownLanguage();
    const fixed = switchTo || shownLanguage;
    const mine = { kind: "user", text: shown, lang: fixed || hint || DEFAULT_LANGUAGE };
    const [mineNode] = addItems([mine], true);
    let reply;
    try {
      reply = await request("POST", "/api/v1/chat", { session_id: state.sessionId, message, language: hint });
    } catch (error) {
      setBusy(false);
      addItems([{ kind: "notice", tone: "error", text: errorText(error) }], false);
      return false;
    }
    state.sessionId = typeof reply.session_id === "string" ? reply.session_id : state.sessionId;
    const meta = reply.metadata || {};
    const serviceIds = Array.isArray(meta.service_ids) ? meta.service_ids.filter((id) => typeof id === "string") : [];
    const handoff = readHandoff(meta.handoff);
    const wanted = [...new Set([...serviceIds, ...(handoff ? [handoff.service_id] : [])])];
    const facts = {};
    for (const [i, f] of (await Promise.all(wanted.map(serviceFacts))).entries()) {
      if (f) facts[wanted[i]] = f;
    }
    // The reply's language is the conversation's from now on: the user's own message was in it too (unless it was
    // the name of a language the citizen chose), and the widget's texts follow it.
    const interfaceBefore = uiLanguage();
    const languageBefore = state.language;
    const replyLanguage = languageCode(meta.language);
    if (replyLanguage) state.language = replyLanguage;
    const code = knownLanguage() || DEFAULT_LANGUAGE;
    if (!fixed && mine.lang !== code) {
      mine.lang = code;
      mineNode?.setAttribute("lang", code);
      mineNode?.setAttribute("dir", dirOf(code));
    }
    const items = (Array.isArray(reply.messages) ? reply.messages : []).map((m) => ({
      kind: "bot",
      lang: code,
      text: typeof m.text === "string" ? m.text : "",
      buttons: Array.isArray(m.buttons) ? m.buttons.map((b) => ({ title: String(b.title), payload: String(b.payload) })) : [],
    }));
    if (serviceIds.length || handoff || meta.authority) {
      items.push({ kind: "meta", serviceIds, authority: typeof meta.authority === "string" ? meta.authority : null, handoff, services: facts });
    }
    setBusy(false);
    if (uiLanguage() !== interfaceBefore) renderLanguage();
    else renderLanguageSwitch();
    addItems(items, true);
    if (switchTo && replyLanguage === switchTo) status.textContent = T.languageNow(languageName(switchTo));
    if (state.language !== languageBefore) emit("language-changed", { language: state.language });
    if (serviceIds.length) emit("service-selected", { serviceIds });
    // "handoff" when the bot hands off to the application; "handoff-prefill" when the citizen agreed to pass on data.
    if (handoff && !handoff.prefill) emit("handoff", { serviceId: handoff.service_id, url: handoff.url, office: handoff.office });
    if (handoff && handoff.prefill) {
      emit("handoff-prefill", { serviceId: handoff.service_id, url: handoff.url, office: handoff.office, prefill: handoff.prefill });
    }
    return true;
  }

  /** Ask the bot to go on in another language: its switch payload, shown as the language's name. */
  function switchLanguage(code) {
    return send(`/switch_language${JSON.stringify({ language: code })}`, languageName(code), { switchTo: code });
  }

  async function toggleLeichteSprache() {
    const on = !state.leichteSprache;
    const shownLanguage = uiLanguage();
    const ok = await send(on ? "/leichte_sprache_on" : "/leichte_sprache_off", on ? T.easyOn : T.easyOff, { shownLanguage });
    if (ok) {
      state.leichteSprache = on;
      saveState();
      renderEasyState();
    }
  }

  function askRemove() {
    removeButton.hidden = true;
    confirmBox.hidden = false;
    confirmNo.focus();
  }

  function cancelRemove() {
    confirmBox.hidden = true;
    removeButton.hidden = false;
    removeButton.focus();
  }

  async function removeConversation() {
    if (busy) return;
    stopSpeaking();
    if (state.sessionId) {
      setBusy(true);
      try {
        await request("DELETE", `/api/v1/chat/${encodeURIComponent(state.sessionId)}`);
      } catch (error) {
        setBusy(false);
        confirmBox.hidden = true;
        removeButton.hidden = false;
        removeButton.focus();
        const text = error instanceof HttpError && error.status === 429 ? T.rateLimited(error.retryAfter || 10) : T.removeFailed;
        addItems([{ kind: "notice", tone: "error", text }], false);
        return;
      }
      setBusy(false);
    }
    const { open, language } = state; // the same person goes on: panel and language stay
    Object.assign(state, emptyState(), { open, language });
    clearStoredState(); // nothing of the conversation stays in the tab
    log.replaceChildren();
    renderEasyState();
    renderLanguageSwitch();
    confirmBox.hidden = true;
    removeButton.hidden = false;
    input.value = "";
    input.focus();
    status.textContent = T.removed;
    emit("conversation-deleted", {});
  }

  // --- start --------------------------------------------------------------------------------------------------

  renderLanguage(); // the texts, and the conversation restored from the tab
  panel.hidden = !state.open;
  launcher.hidden = state.open;
  launcher.setAttribute("aria-expanded", String(state.open));

  function mount() {
    document.body.append(host);
    if (state.open) scrollToEnd();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
})();
