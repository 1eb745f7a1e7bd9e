// The shell's only script: toasts (from HX-Trigger "toast" and from failed htmx requests) and time-zone prefill.
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

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#toasts [data-autohide]").forEach(function (toast) {
      setTimeout(function () { toast.remove(); }, 4000);
    });
    document.querySelectorAll("input[data-detect-time-zone]").forEach(function (input) {
      if (!input.value && window.Intl) input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    });
  });
})();
