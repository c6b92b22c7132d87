// Small behaviours the server cannot do alone. Everything works without it.
(function () {
  "use strict";

  // Tell the server the viewer's time zone so meeting times show in it; a
  // traveller's new zone replaces the old one.
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var cookie = "tz=" + encodeURIComponent(zone || "");
  if (zone && document.cookie.split("; ").indexOf(cookie) === -1) {
    document.cookie = cookie + "; path=/; max-age=31536000; samesite=lax";
  }

  // Times the server wrote in another zone than the browser's (a first
  // visit, before it had the cookie): the same moment, in the browser's zone.
  // Not for a member who saved a zone in their preferences: the server wrote
  // the times in the zone they chose, wherever their browser is today.
  var chosen = document.documentElement.hasAttribute("data-zone-chosen");
  function localTimes(root) {
    if (!zone || chosen) {
      return;
    }
    root.querySelectorAll("time[data-zone]").forEach(function (element) {
      if (element.dataset.zone === zone) {
        return;
      }
      var options = {
        timeZone: zone, hourCycle: "h23",
        year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit"
      };
      if (element.hasAttribute("data-weekday")) {
        options.weekday = "long";
      }
      var parts = {};
      new Intl.DateTimeFormat(document.documentElement.lang || undefined, options)
        .formatToParts(new Date(element.getAttribute("datetime")))
        .forEach(function (part) { parts[part.type] = part.value; });
      element.textContent = parts.year + "-" + parts.month + "-" + parts.day +
        (parts.weekday ? " " + parts.weekday : "") + " " + parts.hour + ":" + parts.minute +
        " (" + zone + ")";
      element.dataset.zone = zone;
    });
  }
  localTimes(document);
  document.addEventListener("htmx:afterSwap", function (event) {
    localTimes(event.detail.target && event.detail.target.isConnected ? event.detail.target : document);
  });

  var TEXT_FIELDS = "input[type=text], input[type=url], textarea";

  // htmx takes up what it swapped in only when it settles, a moment after
  // the swap: a key pressed on a control focused before then would follow a
  // plain link (Edit, Cancel) or post a plain form. So take it up first.
  function focusReady(control, options) {
    htmx.process(control.closest("form") || control);
    control.focus(options);
  }

  // After a fragment is swapped in, put the keyboard where the work is: back
  // on the post's Edit control when its inline editor closed (saved or
  // cancelled; data-focus-after names it), else the first field with an
  // error, else an element marked data-autofocus (on a form: its first text
  // field, not its Save button, which a typed space would press).
  var closing = null; // the Edit control named by the editor whose control sent the request

  document.addEventListener("htmx:beforeSwap", function (event) {
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    var editor = source && source.closest && source.closest("[data-focus-after]");
    closing = editor ? editor.dataset.focusAfter : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target;
    if (!root || !root.isConnected) {
      root = document.getElementById(event.detail.elt && event.detail.elt.id) || document.body;
    }
    var target = (closing && document.getElementById(closing)) ||
      root.querySelector(".errorlist ~ input, .errorlist ~ textarea, .errorlist ~ select, [aria-invalid=true]") ||
      root.querySelector("[data-autofocus]");
    if (target && target.matches("form")) {
      target = target.querySelector(TEXT_FIELDS);
    }
    if (target) {
      focusReady(target);
    }
  });

  // Escape closes an inline editor as its Cancel does, but only while
  // nothing in it was changed: a stray key must not throw an edit away. A
  // form back from a refused save (errors, a newer version) holds unsaved
  // text as its defaults, so it counts as changed.
  function edited(form) {
    if (form.querySelector(".errorlist, .form-error, [aria-invalid=true]")) {
      return true;
    }
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        return field.checked !== field.defaultChecked;
      }
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
      }
      return "defaultValue" in field && field.type !== "hidden" && field.value !== field.defaultValue;
    });
  }

  document.addEventListener("keydown", function (event) {
    var editor = event.key === "Escape" && event.target.closest && event.target.closest(".editing");
    var cancel = editor && editor.querySelector("[data-cancel]");
    if (cancel && !edited(editor.querySelector("form"))) {
      event.preventDefault();
      cancel.click();
    }
  });

  // An action that swaps its own region (a vote, a claim, the host's Next)
  // replaces the control that had the keyboard, which would fall back to the
  // top of the page: it goes to the same control in the new copy instead, so
  // keyboard and screen-reader users keep their place. htmx does it itself
  // for a control with an id; the others are the control with the same name,
  // value or link in the same form and place, else the first one of that
  // form ("Mark answered" became "Mark unanswered"), else the region's first
  // control ("Claim this section" became "Give up this section").
  var CONTROLS = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
    "select:not([disabled]), textarea:not([disabled]), summary";
  var left = null; // the control that had the keyboard in the region being swapped

  function formAction(control) {
    var form = control.closest("form");
    return form && form.getAttribute("action");
  }

  // The nearest element around the control that has an id: a question, an
  // add form, a claim box.
  function place(control) {
    var holder = control.parentElement && control.parentElement.closest("[id]");
    return holder && holder.id;
  }

  function sameControl(one, other) {
    return ["name", "value", "href"].every(function (name) {
      return one.getAttribute(name) === other.getAttribute(name);
    }) && one.tagName === other.tagName && formAction(one) === formAction(other) && place(one) === place(other);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var focused = document.activeElement;
    left = focused && event.detail.target.contains(focused) ? focused : null;
  });

  // Registered after the handler above that focuses errors and
  // data-autofocus, which win: this one only takes a keyboard left nowhere.
  document.addEventListener("htmx:afterSwap", function (event) {
    var old = left;
    left = null;
    if (!old || old.isConnected || (document.activeElement && document.activeElement !== document.body)) {
      return;
    }
    // Replaced whole (outerHTML), the region's new copy has its id.
    var target = event.detail.target;
    var region = target.isConnected ? target : document.getElementById(target.id);
    if (!region) {
      return;
    }
    var controls = Array.prototype.slice.call(region.querySelectorAll(CONTROLS));
    var action = formAction(old);
    var next = controls.find(function (control) { return sameControl(control, old); }) ||
      controls.find(function (control) { return action && formAction(control) === action; }) ||
      controls[0];
    if (next) {
      focusReady(next, { preventScroll: true });
    }
  });

  // An add form that succeeded stays open for the next entry: what was typed
  // is cleared (the choices of kind and sub-group stay), old errors go, and
  // the keyboard returns to the first field. The server sends only the new
  // row, not the form again.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!event.detail.successful || !form.matches || !form.matches("form[data-clear-on-success]")) {
      return;
    }
    form.querySelectorAll(TEXT_FIELDS).forEach(function (field) {
      field.value = "";
      field.removeAttribute("aria-invalid");
    });
    form.querySelectorAll(".errorlist").forEach(function (list) {
      list.remove();
    });
    // Notes about what was typed (where a link was shared before) go with it.
    form.querySelectorAll("[data-clear-on-success]").forEach(function (note) {
      note.replaceChildren();
    });
    var first = form.querySelector(TEXT_FIELDS);
    if (first) {
      first.focus();
    }
  });

  // In the theme picker, typing a theme of one's own chooses it over the
  // nominations (without script, the "none of them" choice does that).
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-theme-picker]");
    var write = form && event.target.name === "text" && form.querySelector("[data-write-theme]");
    if (write) {
      write.checked = true;
    }
  });

  // Owners and the host reorder items by dragging them among their
  // neighbours (the ↑/↓ buttons do the same from the keyboard). The server
  // checks the move and answers with the section in its new order.
  var dragged = null;

  function dropTarget(event) {
    if (!dragged) {
      return null;
    }
    var row = event.target.closest && event.target.closest("li.entry");
    var list = event.target.closest && event.target.closest("ol, ul");
    if (!list || list !== dragged.parentElement) {
      return null;
    }
    return row && row !== dragged ? row : list;
  }

  function clearMarks() {
    document.querySelectorAll(".is-drop-target").forEach(function (element) {
      element.classList.remove("is-drop-target");
    });
  }

  document.addEventListener("dragstart", function (event) {
    var row = event.target.closest && event.target.closest("li.entry[data-move]");
    if (!row) {
      return;
    }
    dragged = row;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.id);
  });

  document.addEventListener("dragover", function (event) {
    var target = dropTarget(event);
    if (!target) {
      return;
    }
    event.preventDefault();
    clearMarks();
    target.classList.add("is-drop-target");
  });

  document.addEventListener("drop", function (event) {
    var target = dropTarget(event);
    clearMarks();
    if (!target) {
      return;
    }
    event.preventDefault();
    var before = target.matches("li") ? target.id.replace("item-", "") : "0";
    var section = dragged.closest("section.section");
    htmx.ajax("POST", dragged.dataset.move, {
      source: dragged,
      target: "#" + section.id,
      swap: "outerHTML",
      values: { before: before },
    });
    dragged = null;
  });

  document.addEventListener("dragend", function () {
    dragged = null;
    clearMarks();
  });

  // A Copy button copies the text of the element it names (a sign-up link,
  // shown as text so that it can be selected and copied without script).
  // The buttons come hidden: without script they would do nothing.
  function showCopyButtons() {
    document.querySelectorAll("button[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }
  showCopyButtons();
  document.addEventListener("htmx:afterSettle", showCopyButtons);

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    var source = button && document.getElementById(button.dataset.copy);
    if (!source) {
      return;
    }
    var status = button.parentElement.querySelector(".copy-status");
    function copied() {
      if (status) {
        status.textContent = button.dataset.copied;
      }
    }
    // The clipboard API needs a secure context (https, or localhost); else
    // the text is selected and copied the old way, or left selected for
    // Ctrl+C when even that is refused.
    selectText(source);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent.trim()).then(copied, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      copied();
    }
  });
})();
