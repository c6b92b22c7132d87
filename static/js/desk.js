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
  function localTimes(root) {
    if (!zone) {
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

  // After a fragment is swapped in, put the keyboard where the work is: the
  // first field with an error, else an element marked data-autofocus.
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target;
    if (!root || !root.isConnected) {
      root = document.getElementById(event.detail.elt && event.detail.elt.id) || document.body;
    }
    var target = root.querySelector(
      ".errorlist ~ input, .errorlist ~ textarea, .errorlist ~ select, [aria-invalid=true], [data-autofocus]"
    );
    if (target) {
      target.focus();
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
    form.querySelectorAll("input[type=text], input[type=url], textarea").forEach(function (field) {
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
    var first = form.querySelector("input[type=text], input[type=url], textarea");
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
})();
