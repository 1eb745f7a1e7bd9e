// The shell's only script: toasts (from HX-Trigger "toast" and from failed htmx requests), polling while visible and
// time-zone prefill.
(function () {
  "use strict";

  function showToast(message, level) {
    var area = document.getElementById("toasts");
    if (!area || !message) return;
    var toast = document.createElement("div");
    toast.className = "toast " + (level || "success");
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    toast.textContent = message;
    area.appendChild(toast);
    setTimeout(function () { toast.remove(); }, level === "error" ? 8000 : 4000);
  }

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

  // A fragment swapped into a <dialog> (the booking widget) opens it.
  document.addEventListener("htmx:afterSwap", function (e) {
    var dialog = e.detail.target.closest && e.detail.target.closest("dialog");
    if (dialog && !dialog.open) dialog.showModal();
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

  // Elements with data-poll-seconds get "visible-poll" (PageEvents.VisiblePoll) that often while the page is visible;
  // the timer ends when htmx swaps the element away.
  function startPolling(element) {
    if (element.dataset.polling) return;
    element.dataset.polling = "1";
    var timer = setInterval(function () {
      if (!element.isConnected) clearInterval(timer);
      else if (document.visibilityState === "visible") htmx.trigger(element, "visible-poll");
    }, Number(element.dataset.pollSeconds) * 1000);
  }
  document.addEventListener("htmx:load", function (e) {
    var root = e.detail.elt;
    if (root.matches && root.matches("[data-poll-seconds]")) startPolling(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-poll-seconds]").forEach(startPolling);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-booking]").forEach(watchBookingFrame);
    document.querySelectorAll("#toasts [data-autohide]").forEach(function (toast) {
      setTimeout(function () { toast.remove(); }, 4000);
    });
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
