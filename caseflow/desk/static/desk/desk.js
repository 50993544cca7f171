// Keyboard-first desk. "/" focuses the search; "?" shows the shortcuts; any element with
// data-key="x" is activated by pressing x (links and buttons are clicked, fields focused).
// Keys are ignored while typing in a field, and when a modifier is held.
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    const tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    if (typing(event.target)) return;
    if (event.key === "/") {
      const search = document.getElementById("global-search");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
      return;
    }
    if (event.key === "?") {
      const help = document.getElementById("shortcuts");
      if (help && !help.open) help.showModal();
      return;
    }
    const candidates = document.querySelectorAll('[data-key="' + CSS.escape(event.key) + '"]');
    const target = Array.prototype.find.call(candidates, visible);
    if (!target) return;
    event.preventDefault();
    if (target.matches("input, textarea, select")) {
      target.focus();
    } else if (target.tagName === "DETAILS") {
      target.open = true;
      const first = target.querySelector("input, textarea, select, button");
      if (first) first.focus();
    } else {
      target.click();
    }
  });

  // After htmx swaps in content, focus what the server marked with autofocus.
  document.addEventListener("htmx:afterSettle", function (event) {
    const focus = event.detail.elt && event.detail.elt.querySelector("[autofocus]");
    if (focus) focus.focus();
  });
})();
