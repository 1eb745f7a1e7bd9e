// The shell's only script: toasts (from HX-Trigger "toast" and from failed htmx requests), busy panels, time-zone
// prefill, and the fallback of live updates.
(function () {
  "use strict";

  // The toast area is a popover, so it sits in the top layer: shown again after each toast, it is above any open dialog.
  function raiseToasts() {
    var area = document.getElementById("toasts");
    if (!area || !area.showPopover) return;
    if (!area.hasAttribute("popover")) area.setAttribute("popover", "manual");
    if (area.matches(":popover-open")) area.hidePopover();
    if (area.children.length > 0) area.showPopover();
  }

  function removeToast(toast, after) {
    setTimeout(function () { toast.remove(); raiseToasts(); }, after);
  }

  function showToast(message, level) {
    var area = document.getElementById("toasts");
    if (!area || !message) return;
    var toast = document.createElement("div");
    toast.className = "toast " + (level || "success");
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    toast.textContent = message;
    area.appendChild(toast);
    raiseToasts();
    removeToast(toast, level === "error" ? 8000 : 4000);
  }

  // What a request will replace is busy until the answer is in: dimmed where its content will appear, and said so to
  // assistive technology (aria-busy), not only by the corner pill.
  function busyTarget(e) {
    var target = e.detail.target || e.detail.elt;
    return target && target.id !== "toasts" && target !== document.body ? target : null;
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var target = busyTarget(e);
    if (target) target.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var target = busyTarget(e);
    if (target) target.removeAttribute("aria-busy");
  });

  // Servers send HX-Trigger: {"toast": {"level": "...", "message": "..."}}.
  document.addEventListener("toast", function (e) { showToast(e.detail && e.detail.message, e.detail && e.detail.level); });

  // A 4xx/5xx that the server did not already explain with a toast still tells the person something went wrong.
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    if (xhr.getResponseHeader("HX-Trigger")) return;
    var message = "The request failed (" + xhr.status + ").";
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) message = body.error.message;
    } catch (_) { /* not the JSON envelope */ }
    showToast(message, "error");
  });
  document.addEventListener("htmx:sendError", function () {
    showToast("Could not reach the server. Check your connection and try again.", "error");
  });

  // A fragment swapped into a <dialog> (the booking widget) opens it; toasts stay above it.
  document.addEventListener("htmx:afterSwap", function (e) {
    var dialog = e.detail.target.closest && e.detail.target.closest("dialog");
    if (dialog && !dialog.open) {
      dialog.showModal();
      raiseToasts();
    }
  });

  // The booking widget: Calendly's page reports progress with postMessage. Only messages from Calendly's origin (or
  // the simulator's, in simulated mode) count, and a booking is recorded by the server, which confirms it with Calendly.
  function watchBookingFrame(box) {
    var frame = box.querySelector("iframe[data-booking-frame]");
    var status = box.querySelector("[data-booking-status]");
    if (!frame || box.dataset.watched) return;
    box.dataset.watched = "1";
    var loaded = false;
    frame.addEventListener("load", function () { loaded = true; status.textContent = "Pick a time that suits you."; });
    setTimeout(function () {
      if (!loaded) status.textContent = "Calendly is taking long to load. Use the link below to book in a new tab.";
    }, 15000);
  }
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-booking]").forEach(watchBookingFrame);
  });
  window.addEventListener("message", function (e) {
    var box = document.querySelector("[data-booking]");
    var data = e.data;
    if (!box || e.origin !== box.dataset.calendlyOrigin || !data || typeof data.event !== "string") return;
    var status = box.querySelector("[data-booking-status]");
    if (data.event === "calendly.date_and_time_selected") status.textContent = "Almost there: enter your details.";
    if (data.event !== "calendly.event_scheduled") return;
    var eventUri = data.payload && data.payload.event && data.payload.event.uri;
    var inviteeUri = data.payload && data.payload.invitee && data.payload.invitee.uri;
    // Calendly may send event_scheduled twice.
    if (!eventUri || !inviteeUri || box.dataset.recorded === inviteeUri) return;
    box.dataset.recorded = inviteeUri;
    status.textContent = "Confirming your booking…";
    // The server confirms it with Calendly; its answer is the status line, a toast and "sessions-changed" for the lists.
    htmx.ajax("POST", "/bookings/record", {
      source: box, target: status, swap: "innerHTML",
      values: { coachId: box.dataset.coachId, eventUri: eventUri, inviteeUri: inviteeUri }
    }).catch(function () {
      status.textContent = "The booking is made in Calendly, but this page could not record it. It will appear shortly.";
    });
  });

  // Live updates (htmx's sse extension on the element with sse-connect): parts of the page listen with
  // hx-trigger="sse:<event>". While the stream is not open (not yet, broken, or its server gone) those parts refresh
  // themselves every 30 seconds as if their event had come, while the page is visible. When the stream opens again
  // after a break, the server first tells of what changed since the page was rendered (the stream's since), so the
  // page does not refresh everything itself as well.
  var LIVE_POLL_MS = 30000;
  function refreshLivePart(part) {
    var events = part.getAttribute("hx-trigger").split(",").map(function (spec) { return spec.trim().split(/\s+/)[0]; });
    var live = events.filter(function (name) { return name.indexOf("sse:") === 0; })[0];
    if (live) htmx.trigger(part, live);
  }
  function refreshLiveParts(stream) {
    stream.querySelectorAll("[hx-trigger*='sse:']").forEach(refreshLivePart);
  }
  document.addEventListener("htmx:sseOpen", function (e) { e.target.dataset.live = "open"; });
  ["htmx:sseError", "htmx:sseClose"].forEach(function (name) {
    document.addEventListener(name, function (e) { e.target.dataset.live = "closed"; });
  });
  // A live refresh waits for the page's actions in flight (a cancel, a no-show): swapped first, it would remove the
  // form whose answer (its toast, its events) is still to come, and htmx drops an answer for a removed element.
  function isLive(elt) {
    var trigger = elt.getAttribute && elt.getAttribute("hx-trigger");
    return !!trigger && trigger.indexOf("sse:") !== -1;
  }
  var actionsInFlight = 0;
  var deferredParts = [];
  document.addEventListener("htmx:beforeRequest", function (e) {
    if (!isLive(e.detail.elt) || actionsInFlight === 0) return;
    e.preventDefault();
    if (deferredParts.indexOf(e.detail.elt) === -1) deferredParts.push(e.detail.elt);
  });
  document.addEventListener("htmx:beforeSend", function (e) { if (!isLive(e.detail.elt)) actionsInFlight++; });
  document.addEventListener("htmx:afterRequest", function (e) {
    if (isLive(e.detail.elt)) return;
    actionsInFlight = Math.max(0, actionsInFlight - 1);
    if (actionsInFlight === 0) deferredParts.splice(0).forEach(function (part) { if (part.isConnected) refreshLivePart(part); });
  });

  setInterval(function () {
    if (document.visibilityState !== "visible") return;
    document.querySelectorAll("[sse-connect]").forEach(function (stream) {
      if (stream.dataset.live !== "open") refreshLiveParts(stream);
    });
  }, LIVE_POLL_MS);

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-booking]").forEach(watchBookingFrame);
    document.querySelectorAll("#toasts [data-autohide]").forEach(function (toast) { removeToast(toast, 4000); });
    raiseToasts();
    // The settings select: offer the browser's own time zone when it differs from the stored one.
    document.querySelectorAll("select[data-suggest-time-zone]").forEach(function (select) {
      var detected = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (!detected || detected === select.value || !select.querySelector('option[value="' + detected + '"]')) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = "Use this browser's time zone (" + detected + ")";
      button.addEventListener("click", function () { select.value = detected; });
      select.insertAdjacentElement("afterend", button);
    });
    document.querySelectorAll("input[data-detect-time-zone]").forEach(function (input) {
      if (!input.value && window.Intl) input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    });
  });
})();
