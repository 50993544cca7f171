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

  // After htmx swaps in content, focus what the server marked with autofocus; an action
  // form loaded when its <details> opened (ui/_action.html) gets its first field
  // focused, as if it had been on the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    const elt = event.detail.elt;
    if (!elt || !elt.querySelector) return;
    let focus = elt.querySelector("[autofocus]");
    if (!focus && elt.matches("[data-lazy-form]") && elt.closest("details[open]")) {
      focus = elt.querySelector("input:not([type=hidden]), textarea, select");
    }
    if (focus) focus.focus();
  });

  // --- Behaviour that used to sit in inline handlers --------------------------------------
  // The Content-Security-Policy allows no inline script, no on…= attributes and no eval:
  // pages say what they want with data-* attributes, and these listeners do it.

  // htmx evaluates hx-on, hx-vals="js:…" and trigger filters with eval: off (the policy
  // would refuse it anyway). htmx's script runs before this one (both deferred, in order).
  if (window.htmx) window.htmx.config.allowEval = false;

  // <select data-autosubmit>: choosing an option sends its form (the language switch).
  document.addEventListener("change", function (event) {
    const field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
  });

  // <button data-dismiss-parent>: removes its parent (a message's close button).
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-dismiss-parent]");
    if (button && button.parentElement) button.parentElement.remove();
  });

  // <form data-drop-empty hx-get=…>: htmx leaves out the empty fields, so the address bar
  // keeps only the filters in use (the case list).
  document.addEventListener("htmx:configRequest", function (event) {
    const form = event.detail.elt;
    if (!form || !form.matches || !form.matches("form[data-drop-empty]")) return;
    const data = event.detail.formData;
    if (!data) return;
    Array.from(new Set(data.keys())).forEach(function (name) {
      if (!data.getAll(name).some(Boolean)) data.delete(name);
    });
  });

  // The incoming-call search: the arrow keys move between the results (and back up to the
  // search box); Enter in the box picks the highlighted (or first) result.
  function callerResults() {
    return Array.prototype.slice.call(document.querySelectorAll("#caller-results [data-result]"));
  }

  document.addEventListener("keydown", function (event) {
    const box = document.getElementById("caller-search");
    if (!box) return;
    const items = callerResults();
    if (event.target === box) {
      if (event.key === "Escape") {
        event.preventDefault(); // leave the search as it is (Chrome would clear it)
        box.blur();
      } else if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        items[0].focus();
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (items.length) {
          items[0].click();
        } else if (window.htmx) {
          window.htmx.trigger(box, "search");
        }
      }
      return;
    }
    const index = items.indexOf(document.activeElement);
    if (index < 0) return;
    if (event.key === "ArrowDown" && index < items.length - 1) {
      event.preventDefault();
      items[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index === 0 ? box : items[index - 1]).focus();
    }
  });
})();
