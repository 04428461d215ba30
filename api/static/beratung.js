/* LVR-Beratungskompass – caseworker lookup page (/beratung, /beratung/<id>). Plain JavaScript, no build step.
 *
 * Search as you type (250 ms debounce) over /api/v1/services/search, or the filtered list of /api/v1/services when
 * the query is empty; filters from /api/v1/vocab; the detail view shows every section of the record. Deep links:
 * /beratung/<id> (history.pushState); query and filters live in the query string (history.replaceState).
 * Each record lists its claims with their source, date and confirmations; the "Prüfung" filter shows only
 * unverified (or verified) entries.
 * Every text from the API is rendered with textContent; links only for http(s), tel: and mailto: values.
 */
(() => {
  "use strict";

  const DEBOUNCE_MS = 250;
  const TOP = 50;
  const BASE = "/beratung";

  const $ = (id) => document.getElementById(id);
  const form = $("search-form");
  const q = $("q");
  const selects = { lebenslage: $("f-lebenslage"), provider: $("f-provider"), target_group: $("f-target"), verified: $("f-verified") };
  const resultsList = $("results");
  const resultStatus = $("result-status");
  const detail = $("detail");

  /** All services of the catalogue by id (summaries: verified flag, target groups …), loaded once. */
  const summaries = new Map();
  const labels = { lebenslagen: new Map(), target_groups: new Map() };
  let currentId = null;

  // --- helpers --------------------------------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") el.className = value;
      else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return el;
  }

  function safeHttpUrl(value) {
    if (typeof value !== "string") return null;
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  /** A link for an http(s) URL from the record, else the plain text. Print shows the address of named links. */
  function externalLink(url, text) {
    const safe = safeHttpUrl(url);
    if (!safe) return text || url || "";
    return h("a", { href: safe, rel: "noopener noreferrer", class: text && text !== url ? "external" : null }, text || url);
  }

  function formatDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? `${m[3]}.${m[2]}.${m[1]}` : iso || "";
  }

  class HttpError extends Error {
    constructor(status, retryAfter) {
      super(`HTTP ${status}`);
      this.status = status;
      this.retryAfter = retryAfter;
    }
  }

  async function getJSON(path, signal) {
    const response = await fetch(path, { headers: { Accept: "application/json" }, signal });
    if (!response.ok) throw new HttpError(response.status, parseInt(response.headers.get("Retry-After") || "", 10) || null);
    return response.json();
  }

  function errorText(error) {
    if (error instanceof HttpError && error.status === 429) {
      return `Zu viele Anfragen in kurzer Zeit. Bitte warten Sie ${error.retryAfter || 10} Sekunden.`;
    }
    if (error instanceof HttpError && error.status === 404) return "Diese Leistung gibt es im Katalog nicht (mehr).";
    return "Der Leistungskatalog ist gerade nicht erreichbar. Bitte versuchen Sie es später noch einmal.";
  }

  // --- URL state ----------------------------------------------------------------------------------------------

  function idFromPath(pathname) {
    const m = /^\/beratung\/([^/]+)\/?$/.exec(pathname);
    return m ? decodeURIComponent(m[1]) : null;
  }

  function searchParams() {
    const params = new URLSearchParams();
    const text = q.value.trim();
    if (text) params.set("q", text);
    for (const [name, select] of Object.entries(selects)) if (select.value) params.set(name, select.value);
    return params;
  }

  function urlFor(id) {
    const query = searchParams().toString();
    return (id ? `${BASE}/${encodeURIComponent(id)}` : BASE) + (query ? `?${query}` : "");
  }

  function formFromUrl() {
    const params = new URLSearchParams(location.search);
    q.value = params.get("q") || "";
    for (const [name, select] of Object.entries(selects)) {
      const value = params.get(name) || "";
      select.value = [...select.options].some((o) => o.value === value) ? value : "";
    }
  }

  // --- vocabularies and filters ---------------------------------------------------------------------------------

  function fillSelect(select, entries) {
    for (const entry of entries) {
      select.append(h("option", { value: entry.id }, `${entry.label} (${entry.count})`));
    }
  }

  async function loadVocabAndList() {
    const [vocab, list] = await Promise.all([getJSON("/api/v1/vocab"), getJSON("/api/v1/services")]);
    fillSelect(selects.lebenslage, vocab.lebenslagen);
    fillSelect(selects.provider, vocab.providers);
    fillSelect(selects.target_group, vocab.target_groups);
    for (const entry of vocab.lebenslagen) labels.lebenslagen.set(entry.id, entry.label);
    for (const entry of vocab.target_groups) labels.target_groups.set(entry.id, entry.label);
    for (const service of list.services) summaries.set(service.id, service);
  }

  // --- search -------------------------------------------------------------------------------------------------

  let timer = null;
  let inFlight = null;
  let searchSeq = 0;

  function scheduleSearch() {
    clearTimeout(timer);
    timer = setTimeout(runSearch, DEBOUNCE_MS);
  }

  async function runSearch() {
    clearTimeout(timer);
    history.replaceState(history.state, "", urlFor(currentId));
    inFlight?.abort();
    inFlight = new AbortController();
    const seq = ++searchSeq;
    const text = q.value.trim();
    const { lebenslage, provider, target_group: targetGroup, verified } = Object.fromEntries(Object.entries(selects).map(([k, s]) => [k, s.value]));
    resultsList.setAttribute("aria-busy", "true");
    let results;
    try {
      if (text) {
        const params = new URLSearchParams({ q: text, top: String(TOP) });
        if (lebenslage) params.set("lebenslage", lebenslage);
        if (provider) params.set("provider", provider);
        const answer = await getJSON(`/api/v1/services/search?${params}`, inFlight.signal);
        // The search has no target-group or verification filter: apply them with the catalogue summaries.
        results = answer.results
          .map((hit) => ({ ...hit, ...(summaries.get(hit.id) || {}) }))
          .filter((s) => !targetGroup || (s.target_groups || []).includes(targetGroup))
          .filter((s) => !verified || String(s.verified === true) === verified);
      } else {
        const params = new URLSearchParams();
        if (lebenslage) params.set("lebenslage", lebenslage);
        if (provider) params.set("provider", provider);
        if (targetGroup) params.set("target_group", targetGroup);
        if (verified) params.set("verified", verified);
        const answer = await getJSON(`/api/v1/services${params.size ? `?${params}` : ""}`, inFlight.signal);
        results = [...answer.services].sort((a, b) => a.title.localeCompare(b.title, "de"));
      }
    } catch (error) {
      if (error.name === "AbortError" || seq !== searchSeq) return;
      resultsList.replaceChildren();
      resultsList.removeAttribute("aria-busy");
      resultStatus.textContent = errorText(error);
      return;
    }
    if (seq !== searchSeq) return;
    renderResults(results, text);
  }

  function badge(verified) {
    return verified
      ? h("span", { class: "badge badge-verified" }, "geprüft")
      : h("span", { class: "badge badge-unverified" }, "nicht geprüft");
  }

  /** "3 von 12 Angaben bestätigt", or null when the record has no claims count. */
  function claimCount(s) {
    if (typeof s.claims_total !== "number") return null;
    return `${s.claims_confirmed || 0} von ${s.claims_total} Angaben bestätigt`;
  }

  function renderResults(results, text) {
    resultsList.removeAttribute("aria-busy");
    resultsList.replaceChildren(
      ...results.map((s) =>
        h(
          "li",
          { class: "result", "data-service-id": s.id },
          h(
            "h3",
            { class: "result-title" },
            h("a", { href: `${BASE}/${encodeURIComponent(s.id)}`, "aria-current": s.id === currentId ? "true" : null, onclick: onServiceLink }, s.title),
          ),
          h("p", { class: "result-teaser" }, s.teaser || ""),
          h(
            "p",
            { class: "result-meta" },
            h("span", {}, s.provider || ""),
            " ",
            s.verified === undefined ? null : badge(s.verified),
            claimCount(s) ? [" ", h("span", { class: "claim-count" }, claimCount(s))] : null,
          ),
        ),
      ),
    );
    const count = results.length;
    const what = count === 1 ? "1 Leistung" : `${count} Leistungen`;
    resultStatus.textContent = count ? (text ? `${what} gefunden für „${text}“.` : `${what} im Katalog.`) : "Keine passende Leistung gefunden. Versuchen Sie andere Wörter oder weniger Filter.";
  }

  function markCurrent() {
    for (const link of resultsList.querySelectorAll("a")) {
      const id = link.closest("[data-service-id]")?.dataset.serviceId;
      if (id === currentId) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }

  // --- detail view ----------------------------------------------------------------------------------------------

  function onServiceLink(event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const id = idFromPath(new URL(event.currentTarget.href).pathname);
    if (!id) return;
    event.preventDefault();
    if (id !== currentId) history.pushState({ id }, "", urlFor(id));
    showDetail(id, true);
  }

  const EMPTY = "Keine bestätigten Angaben.";

  function empty() {
    return h("p", { class: "empty" }, EMPTY);
  }

  function textBlock(value, attrs) {
    return value ? h("p", { class: "text", ...(attrs || {}) }, value) : empty();
  }

  function list(items, ordered) {
    return items && items.length ? h(ordered ? "ol" : "ul", { class: "list" }, items.map((i) => h("li", {}, i))) : empty();
  }

  function dl(rows) {
    const shown = rows.filter(([, value]) => value !== null && value !== undefined && value !== "");
    if (!shown.length) return empty();
    return h("dl", { class: "facts" }, shown.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
  }

  let sectionCount = 0;

  function section(title, ...content) {
    const id = `s-${++sectionCount}`;
    return h("section", { class: "detail-section", "aria-labelledby": id }, h("h3", { id }, title), ...content);
  }

  const KIND_LABELS = {
    landschaftsverband: "Landschaftsverband des Wohnorts (im Rheinland der LVR, in Westfalen-Lippe der LWL)",
    kreis: "Kreis oder kreisfreie Stadt des Wohnorts",
    fixed: "Eine feste Stelle, unabhängig vom Wohnort",
  };

  function phoneLink(phone) {
    const digits = (phone || "").replace(/[^\d+]/g, "");
    return digits.length >= 5 ? h("a", { href: `tel:${digits}` }, phone) : phone;
  }

  function mailLink(email) {
    return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(email || "") ? h("a", { href: `mailto:${email}` }, email) : email;
  }

  function renderContact(contact) {
    if (!contact) return null;
    return dl([
      ["Name", contact.name],
      ["Telefon", contact.phone ? phoneLink(contact.phone) : null],
      ["E-Mail", contact.email ? mailLink(contact.email) : null],
      ["Internet", contact.url ? externalLink(contact.url) : null],
      ["Anschrift", contact.address ? h("span", { class: "text" }, contact.address) : null],
      ["Erreichbarkeit", contact.hours],
    ]);
  }

  const CLAIM_KINDS = {
    amount: "Betrag",
    threshold: "Schwelle",
    deadline: "Frist",
    age: "Alter",
    legal: "Rechtsgrundlage",
    office: "Zuständigkeit",
    count: "Anzahl",
    fact: "Angabe",
  };
  const ORIGINS = { "facts-file": "aus der Recherche zum Leistungskatalog", "general-law": "aus allgemeinem Recht ergänzt" };

  /** The source a claim refers to: a source of the record (by id) or a legal basis (by citation). */
  function claimSource(s, ref) {
    if (!ref) return null;
    const source = (s.sources || []).find((src) => src.id === ref);
    if (source) return { title: source.title, url: source.url, note: source.url_note };
    const basis = (s.legal_bases || []).find((b) => b.citation === ref);
    if (basis) return { title: basis.title ? `${basis.citation} – ${basis.title}` : basis.citation, url: basis.url, note: basis.url_note };
    return { title: ref, url: null, note: null };
  }

  function renderClaim(s, claim) {
    const source = claimSource(s, claim.source);
    const confirmed = (claim.confirmations || []).length > 0;
    const kind = CLAIM_KINDS[claim.kind] || claim.kind;
    const facts = [
      claim.text.startsWith(kind) ? null : h("span", { class: "claim-kind" }, `${kind}: `),
      h("span", { class: "claim-text" }, claim.text),
    ];
    const meta = [];
    if (claim.valid_from) meta.push(h("span", { class: "claim-stand" }, `Stand ${formatDate(claim.valid_from)}`));
    if (claim.change_rule) meta.push(h("span", {}, `Änderung: ${claim.change_rule}`));
    meta.push(h("span", { class: "claim-source" }, "Quelle: ", source ? externalLink(source.url, source.title) : "keine angegeben"));
    meta.push(h("span", {}, ORIGINS[claim.origin] || claim.origin));
    if (claim.note) meta.push(h("span", { class: "claim-note" }, claim.note));
    const status = confirmed
      ? claim.confirmations.map((c) => h("span", { class: "badge badge-verified" }, `bestätigt von ${c.by} am ${formatDate(c.date)}`))
      : [h("span", { class: "badge badge-unverified" }, "nicht bestätigt")];
    return h(
      "li",
      { class: "claim", "data-claim-id": claim.id, "data-confirmed": confirmed ? "true" : "false" },
      h("p", { class: "claim-line" }, facts, " ", status),
      h("p", { class: "claim-meta" }, meta.map((m, i) => (i ? [" · ", m] : m))),
    );
  }

  function renderDetail(s) {
    sectionCount = 0;
    const r = s.responsible || {};
    const o = s.online_service || {};
    const formUrl = safeHttpUrl(o.form_url);
    const pageUrl = new URL(`${BASE}/${encodeURIComponent(s.id)}`, location.origin).href;
    $("print-note").textContent = `Ausdruck aus dem LVR-Beratungskompass, ${pageUrl}, gedruckt am ${new Date().toLocaleDateString("de-DE")}.`;

    const header = h(
      "header",
      { class: "detail-header" },
      h("p", { class: "back" }, h("a", { href: "#results-heading" }, "Zur Trefferliste")),
      h("h2", { id: "detail-title", tabindex: "-1" }, s.title),
      h(
        "p",
        { class: "detail-meta" },
        badge(s.verified),
        " ",
        h("span", { class: "claim-count" }, `${(s.claims || []).filter((c) => (c.confirmations || []).length).length} von ${(s.claims || []).length} Angaben bestätigt`),
        " ",
        h("span", { class: "stand" }, `Stand: ${formatDate(s.stand)}`),
        " ",
        h("span", {}, `Anbieter: ${s.provider || r.provider || ""}`),
      ),
      s.verified ? null : h("p", { class: "warning" }, "Nicht geprüft: Die Angaben dieses Eintrags sind nicht vollständig aus Primärquellen bestätigt. Bitte vor einer verbindlichen Auskunft bei der zuständigen Stelle prüfen."),
      h("p", { class: "toolbar" }, h("button", { type: "button", class: "button", onclick: () => window.print() }, "Drucken"), " ", h("span", { class: "permalink" }, "Link zu dieser Leistung: ", h("a", { href: pageUrl }, pageUrl))),
    );

    const legal = (s.legal_bases || []).map((b) => [
      externalLink(b.url, b.citation),
      b.title ? ` – ${b.title}` : "",
      b.url ? null : h("span", { class: "link-note" }, ` (kein Paragraphenlink: ${b.url_note || "nicht angegeben"})`),
    ]);
    const claims = s.claims || [];
    const confirmedCount = claims.filter((c) => (c.confirmations || []).length).length;

    detail.replaceChildren(
      header,
      section("Kurzbeschreibung", textBlock(s.teaser)),
      section("Beschreibung", textBlock(s.full_text)),
      section("In Leichter Sprache", textBlock(s.leichte_sprache)),
      section("Voraussetzungen", list(s.prerequisites)),
      section("Erforderliche Unterlagen", list(s.documents)),
      section("Kosten", textBlock(s.costs)),
      section("Fristen", textBlock(s.deadlines)),
      section("Bearbeitungsdauer", textBlock(s.processing_time)),
      section("Verfahrensablauf", list(s.procedure, true)),
      section("Rechtsgrundlagen", legal.length ? h("ul", { class: "list" }, legal.map((parts) => h("li", {}, parts))) : empty()),
      section("Rechtsbehelf", textBlock(s.legal_remedy)),
      section("Hinweise", list(s.hints)),
      section(
        "Zuständige Stelle und Kontakt",
        dl([
          ["Anbieter", r.provider],
          ["Zuständigkeit", KIND_LABELS[r.kind] || r.kind],
          ["Stelle", r.unit],
          ["In Westfalen-Lippe", r.lwl_unit],
          ["Hinweis", r.note],
        ]),
        r.contact ? h("h4", {}, "Kontakt") : null,
        renderContact(r.contact),
      ),
      section(
        "Online-Antrag",
        dl([
          ["Online-Antrag", o.available ? "vorhanden" : "kein Online-Antrag bekannt"],
          ["Formular", formUrl ? h("span", {}, externalLink(formUrl), " ", o.form_url_verified ? "(Adresse bestätigt)" : "(Adresse nicht bestätigt)") : null],
          ["Anmeldung", o.login],
          ["Hinweis", o.note],
        ]),
      ),
      section("LeiKa-Schlüssel", dl([["LeiKa-Schlüssel", o.leika || "nicht angegeben"], ["Typisierung", s.typisierung || "nicht angegeben"]])),
      section(
        "Einordnung",
        dl([
          ["Lebenslagen", (s.lebenslagen_labels || []).map((l) => l.label).join(", ")],
          ["Zielgruppen", (s.target_groups_labels || []).map((l) => l.label).join(", ")],
        ]),
      ),
      section(
        "Verwandte Leistungen",
        (s.related_services || []).length
          ? h("ul", { class: "list" }, s.related_services.map((rel) => h("li", {}, h("a", { href: `${BASE}/${encodeURIComponent(rel.id)}`, onclick: onServiceLink }, rel.title))))
          : empty(),
      ),
      section(
        "Angaben und Quellen",
        claims.length
          ? [
              h("p", { class: "text" }, `${confirmedCount} von ${claims.length} Angaben an ihrer Quelle bestätigt.`),
              h("ul", { class: "list claims" }, claims.map((c) => renderClaim(s, c))),
            ]
          : empty(),
      ),
      section(
        "Quellen",
        (s.sources || []).length
          ? h(
              "ul",
              { class: "list" },
              s.sources.map((src) =>
                h("li", {}, externalLink(src.url, src.title), src.url ? null : h("span", { class: "link-note" }, ` (${src.url_note || "keine Adresse"})`)),
              ),
            )
          : empty(),
      ),
      section(
        "Stand und Prüfung",
        dl([
          ["Stand", formatDate(s.stand)],
          ["Bestätigte Angaben", `${confirmedCount} von ${claims.length}`],
          ["Geprüft", s.verified ? "ja, alle Angaben aus Primärquellen bestätigt" : "nein – nicht geprüft"],
        ]),
      ),
    );
    detail.setAttribute("aria-labelledby", "detail-title");
    detail.removeAttribute("aria-label");
    document.title = `${s.title} – Leistungssuche – LVR-Beratungskompass`;
  }

  let detailSeq = 0;

  async function showDetail(id, moveFocus) {
    currentId = id;
    markCurrent();
    if (!id) {
      detail.hidden = true;
      detail.replaceChildren();
      document.title = "Leistungssuche für Beratende – LVR-Beratungskompass";
      return;
    }
    const seq = ++detailSeq;
    detail.hidden = false;
    detail.setAttribute("aria-busy", "true");
    let service;
    try {
      service = await getJSON(`/api/v1/services/${encodeURIComponent(id)}`);
    } catch (error) {
      if (seq !== detailSeq) return;
      detail.removeAttribute("aria-busy");
      detail.replaceChildren(h("h2", { id: "detail-title", tabindex: "-1" }, "Leistung nicht gefunden"), h("p", { class: "error" }, errorText(error)));
      if (moveFocus) $("detail-title").focus();
      return;
    }
    if (seq !== detailSeq) return;
    renderDetail(service);
    detail.removeAttribute("aria-busy");
    if (moveFocus) $("detail-title").focus();
  }

  // --- wiring -------------------------------------------------------------------------------------------------

  q.addEventListener("input", scheduleSearch);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runSearch();
  });
  for (const select of Object.values(selects)) select.addEventListener("change", runSearch);
  $("reset").addEventListener("click", () => {
    q.value = "";
    for (const select of Object.values(selects)) select.value = "";
    runSearch();
    q.focus();
  });
  window.addEventListener("popstate", () => {
    currentId = idFromPath(location.pathname);
    formFromUrl();
    runSearch();
    showDetail(currentId, false);
  });

  async function start() {
    try {
      await loadVocabAndList();
    } catch (error) {
      resultStatus.textContent = errorText(error);
    }
    formFromUrl();
    currentId = idFromPath(location.pathname);
    history.replaceState({ id: currentId }, "", location.href);
    await Promise.all([runSearch(), showDetail(currentId, false)]);
  }

  start();
})();
