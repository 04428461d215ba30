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

  function uiLanguage() {
    const wanted = (script.dataset.lang || document.documentElement.lang || "de").toLowerCase();
    return wanted.startsWith("en") ? "en" : "de";
  }

  const API = apiBase();
  if (!API) return;
  const LANG = uiLanguage();
  const CSS_URL = new URL("widget.css", script.src).href;
  const STORAGE_KEY = `beratungskompass:v${STORAGE_VERSION}:${API}`;

  // --- interface texts ----------------------------------------------------------------------------------------

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
      answersGerman: null,
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
      privacyTitle: "Privacy notice",
      privacyServer: (days) =>
        "Your messages are sent to the LVR-Beratungskompass. The server deletes the conversation " +
        (days ? `${days} days after your last message` : "automatically after a fixed period") +
        ", or earlier if you delete it.",
      privacy: [
        "This browser tab keeps the conversation until you delete the conversation or close the tab.",
        "Please do not write names, addresses or other personal data that your question does not need.",
      ],
      answersGerman: "The assistant answers in German only. You may write in English; the answers will be in German.",
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
        LVR: "Landschaftsverband Rheinland (LVR)",
        LWL: "Landschaftsverband Westfalen-Lippe (LWL)",
        "Kreis/kreisfreie Stadt": "your Kreis or kreisfreie Stadt (district or independent city)",
        other: "another office (see responsible office)",
      },
    },
  };
  const T = TEXTS[LANG];

  // --- small helpers ------------------------------------------------------------------------------------------

  /** An element with attributes and children; strings become text nodes (never HTML). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") el.className = value;
      else if (name === "text") el.textContent = value;
      else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    }
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
    return LANG === "en" ? `${match[3]}/${match[2]}/${match[1]}` : `${match[3]}.${match[2]}.${match[1]}`;
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
    return { sessionId: null, items: [], leichteSprache: false, open: false };
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

  const host = document.createElement("beratungskompass-chat");
  host.setAttribute("lang", LANG);
  const root = host.attachShadow({ mode: "open" }); // open: testable and scannable by axe-core
  const stylesheet = h("link", { rel: "stylesheet", href: CSS_URL });

  const launcher = h(
    "button",
    { type: "button", class: "bk-launcher", "aria-expanded": "false", "aria-controls": "bk-panel", onclick: () => setOpen(true, true) },
    h("span", { class: "bk-launcher-icon", "aria-hidden": "true" }, "?"),
    h("span", { class: "bk-launcher-long" }, T.launcher),
    h("span", { class: "bk-launcher-short" }, T.launcherShort),
  );

  const easySwitch = h(
    "button",
    { type: "button", role: "switch", class: "bk-switch", "aria-checked": String(state.leichteSprache), onclick: toggleLeichteSprache },
    h("span", { class: "bk-switch-label" }, T.easy),
    h("span", { class: "bk-switch-state", "aria-hidden": "true" }),
  );
  const closeButton = h("button", { type: "button", class: "bk-icon-button", "aria-label": T.close, onclick: () => setOpen(false, true) },
    h("span", { "aria-hidden": "true" }, "×"));

  const privacy = h(
    "div",
    { class: "bk-privacy" },
    h("p", { class: "bk-privacy-title" }, h("strong", {}, T.privacyTitle)),
    h("p", { class: "bk-privacy-server" }, T.privacyServer(null)),
    T.privacy.map((line) => h("p", {}, line)),
    T.answersGerman ? h("p", { class: "bk-note" }, T.answersGerman) : null,
  );

  // The server's retention period for the notice above (a failed request leaves the text without a number).
  request("GET", "/api/v1/privacy", undefined, SERVICE_TIMEOUT_MS)
    .then((info) => {
      if (Number.isInteger(info?.retention_days) && info.retention_days > 0) {
        privacy.querySelector(".bk-privacy-server").textContent = T.privacyServer(info.retention_days);
      }
    })
    .catch(() => {});

  const log = h("div", { class: "bk-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": T.messages });
  // The scrolling part: focusable so that keyboard users can scroll it (WCAG 2.1.1).
  const body = h("div", { class: "bk-body", role: "region", "aria-label": T.log, tabindex: "0" }, privacy, log);
  const status = h("p", { class: "bk-status", role: "status" });
  const input = h("input", {
    id: "bk-input",
    class: "bk-input",
    type: "text",
    name: "message",
    autocomplete: "off",
    maxlength: String(MAX_MESSAGE),
    placeholder: T.placeholder,
    "aria-describedby": "bk-error",
  });
  const sendButton = h("button", { type: "submit", class: "bk-button bk-primary" }, T.send);
  const inputError = h("p", { id: "bk-error", class: "bk-error", "aria-live": "assertive" });
  const form = h(
    "form",
    { class: "bk-form", onsubmit: onSubmit, novalidate: true },
    h("label", { for: "bk-input", class: "bk-visually-hidden" }, T.inputLabel),
    h("div", { class: "bk-form-row" }, input, sendButton),
    inputError,
  );

  const removeButton = h("button", { type: "button", class: "bk-button bk-danger-link", onclick: askRemove }, T.remove);
  const confirmYes = h("button", { type: "button", class: "bk-button bk-danger", onclick: removeConversation }, T.yesRemove);
  const confirmNo = h("button", { type: "button", class: "bk-button", onclick: cancelRemove }, T.cancel);
  const confirmBox = h("div", { class: "bk-confirm", hidden: true }, h("p", { id: "bk-confirm-text" }, T.confirmRemove), h("div", { class: "bk-row" }, confirmYes, confirmNo));
  confirmBox.setAttribute("role", "group");
  confirmBox.setAttribute("aria-labelledby", "bk-confirm-text");

  const panel = h(
    "div",
    { id: "bk-panel", class: "bk-panel", hidden: true, onkeydown: onPanelKey },
    h(
      "header",
      { class: "bk-header" },
      h("div", { class: "bk-heading" }, h("h2", { class: "bk-title" }, T.title), h("p", { class: "bk-subtitle" }, T.subtitle)),
      closeButton,
      h("div", { class: "bk-header-controls" }, easySwitch),
    ),
    body,
    status,
    form,
    h("footer", { class: "bk-footer" }, removeButton, confirmBox),
  );

  // A complementary landmark: the chat is findable by landmark navigation and stays apart from the host's content.
  const container = h("aside", { class: "bk-root", "aria-label": T.region }, launcher, panel);
  // Hidden until the stylesheet is there, so that no unstyled widget flashes on the host page.
  container.hidden = true;
  stylesheet.addEventListener("load", () => (container.hidden = false));
  stylesheet.addEventListener("error", () => {
    container.hidden = false;
    console.error("beratungskompass widget: widget.css could not be loaded from", CSS_URL);
  });
  root.append(stylesheet, container);

  // --- rendering of conversation items ------------------------------------------------------------------------

  function renderUser(item) {
    return h("div", { class: "bk-msg bk-user" }, h("span", { class: "bk-visually-hidden" }, T.you + " "), h("p", { class: "bk-text" }, item.text));
  }

  let speaking = null; // the read-aloud button of the message being spoken

  function readAloudButton(text) {
    if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") return null;
    const button = h("button", { type: "button", class: "bk-button bk-small" }, T.readAloud);
    button.addEventListener("click", () => {
      const wasMine = speaking === button;
      stopSpeaking();
      if (wasMine) return;
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "de-DE";
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
    return h(
      "div",
      { class: "bk-msg bk-bot" },
      h("span", { class: "bk-visually-hidden" }, T.bot + " "),
      item.text ? h("p", { class: "bk-text", lang: "de" }, item.text) : null,
      buttons.length
        ? h(
            "div",
            { class: "bk-choices", role: "group", "aria-label": T.choices },
            buttons.map((b) => h("button", { type: "button", class: "bk-button bk-choice", lang: "de", onclick: () => send(b.payload, b.title) }, b.title)),
          )
        : null,
      item.text ? readAloudButton(item.text) : null,
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
    const focusable = [...panel.querySelectorAll("button, input, a[href], [tabindex='0']")].filter((el) => el.getClientRects().length > 0);
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

  /** Send one message (typed text or a button payload); `shown` is what the conversation shows for it. */
  async function send(message, shown) {
    if (busy) return false;
    setBusy(true);
    addItems([{ kind: "user", text: shown }], true);
    let reply;
    try {
      reply = await request("POST", "/api/v1/chat", { session_id: state.sessionId, message });
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
    const items = (Array.isArray(reply.messages) ? reply.messages : []).map((m) => ({
      kind: "bot",
      text: typeof m.text === "string" ? m.text : "",
      buttons: Array.isArray(m.buttons) ? m.buttons.map((b) => ({ title: String(b.title), payload: String(b.payload) })) : [],
    }));
    if (serviceIds.length || handoff || meta.authority) {
      items.push({ kind: "meta", serviceIds, authority: typeof meta.authority === "string" ? meta.authority : null, handoff, services: facts });
    }
    setBusy(false);
    addItems(items, true);
    if (serviceIds.length) emit("service-selected", { serviceIds });
    // "handoff" when the bot hands off to the application; "handoff-prefill" when the citizen agreed to pass on data.
    if (handoff && !handoff.prefill) emit("handoff", { serviceId: handoff.service_id, url: handoff.url, office: handoff.office });
    if (handoff && handoff.prefill) {
      emit("handoff-prefill", { serviceId: handoff.service_id, url: handoff.url, office: handoff.office, prefill: handoff.prefill });
    }
    return true;
  }

  async function toggleLeichteSprache() {
    const on = !state.leichteSprache;
    const ok = await send(on ? "/leichte_sprache_on" : "/leichte_sprache_off", on ? T.easyOn : T.easyOff);
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
    const open = state.open;
    Object.assign(state, emptyState(), { open });
    clearStoredState(); // nothing of the conversation stays in the tab
    log.replaceChildren();
    renderEasyState();
    confirmBox.hidden = true;
    removeButton.hidden = false;
    input.value = "";
    input.focus();
    status.textContent = T.removed;
    emit("conversation-deleted", {});
  }

  // --- start --------------------------------------------------------------------------------------------------

  for (const item of state.items) {
    const node = renderItem(item);
    if (node) log.append(node);
  }
  renderEasyState();
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
