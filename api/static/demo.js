// Demo page only: list the widget's postMessage events (schema v1, docs/widget.md) as a partner portal would.
"use strict";
window.addEventListener("message", (event) => {
  // Accept only messages from this very page: same window, same origin.
  if (event.source !== window || event.origin !== window.location.origin) return;
  const data = event.data;
  if (!data || typeof data.type !== "string" || !data.type.startsWith("beratungskompass:") || data.version !== 1) return;
  const list = document.getElementById("demo-events");
  const empty = document.getElementById("demo-events-empty");
  if (!list) return;
  const item = document.createElement("li");
  const code = document.createElement("code");
  code.textContent = JSON.stringify(data);
  item.append(code);
  list.append(item);
  if (empty) empty.hidden = true;
});
