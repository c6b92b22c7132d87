// Live updates of an issue page: one Server-Sent-Events stream per page.
//
// Events name what changed ("section 12", "question 40"); the page fetches
// that fragment again (htmx), so each viewer sees it with their own rights.
// Every event carries the issue's sequence number: a gap, a reconnect or a
// stale page means something was missed, and the page fetches a fresh
// snapshot of the whole issue. What a member is typing survives every swap.
(function () {
  "use strict";

  var panel = document.getElementById("live");
  if (!panel) {
    return;
  }
  var refreshes = JSON.parse(panel.dataset.refreshes || "{}");

  // The panel stays at the top of the screen, two lines high on a phone and
  // more during a meeting: whatever the page scrolls to (a section from the
  // index, the host's section, an #anchor) lands below it through
  // scroll-padding-top in desk.css, which reads its height from here. Set
  // through the CSSOM, which the Content-Security-Policy allows. Measured
  // at once too: a page opened at an #anchor scrolls to it before the first
  // report of the observer.
  // A page opened at an #anchor scrolls there before the panel has its full
  // height (the meeting's bar fills in after): until the reader moves, the
  // anchor is put back below the panel whenever the panel grows.
  var anchored = location.hash.length > 1;
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (name) {
    window.addEventListener(name, function () {
      anchored = false;
    }, { once: true, passive: true });
  });

  function measurePanel() {
    document.documentElement.style.setProperty("--live-panel-height", panel.offsetHeight + "px");
    var target = anchored && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.scrollIntoView({ block: "start" });
    }
  }
  measurePanel();
  new ResizeObserver(measurePanel).observe(panel);

  if (!window.EventSource || !window.htmx) {
    return;
  }
  var labels = panel.dataset;
  var stateBox = document.getElementById("live-state");
  var presenceBox = document.getElementById("presence");
  var follow = document.getElementById("follow-host");
  var lastSeq = Number(panel.dataset.seq) || 0;
  var greeted = false; // a hello came: the next one follows a reconnect
  var source = null;
  var state = "connecting";
  var retryDelay = 1000;
  var MAX_RETRY = 15000;
  var retryTimer = null;
  var waiting = []; // forms whose saving waits for the connection

  // Connection state, always visible.

  function setState(next) {
    state = next;
    stateBox.dataset.state = next;
    stateBox.querySelector(".live-state-text").textContent = labels["label" + next.charAt(0).toUpperCase() + next.slice(1)];
    if (next === "live" || next === "paused") {
      flushWaiting();
    }
    if (next !== "live") {
      // Who is here is known only while the stream runs: an old list would
      // name people who may have left.
      presenceBox.textContent = "";
    }
  }

  // The page was just served, or the server answers: saves go out.
  function reachable() {
    return state !== "reconnecting" && state !== "offline";
  }

  // Regions and their refresh, coalesced: ten events in a burst for one
  // section make one request.

  var pending = {};
  var flushTimer = null;

  function refresh(id) {
    pending[id] = true;
    if (!flushTimer) {
      flushTimer = setTimeout(flushRefreshes, 80);
    }
  }

  function flushRefreshes() {
    var ids = Object.keys(pending);
    pending = {};
    flushTimer = null;
    var derived = false;
    ids.forEach(function (id) {
      if (id === "*") {
        return;
      }
      var element = document.getElementById(id);
      if (element && element.dataset.liveSrc) {
        swapRegion(element, element.dataset.liveSrc, {});
        derived = derived || /^(section|question)-/.test(id);
      }
    });
    if (ids.indexOf("*") !== -1) {
      snapshot();
    } else if (derived) {
      // Contributors, owners and references derive from the sections.
      document.body.dispatchEvent(new CustomEvent("desk:changed", { bubbles: true }));
    }
  }

  function urlFor(pattern, id) {
    return pattern.replace(/\/0\/$/, "/" + id + "/");
  }

  // A section comes in the order and with the filter of its Q&A that the
  // page's address keeps.
  function sectionQuery() {
    var asked = new URLSearchParams(location.search);
    var query = new URLSearchParams();
    ["sort", "show"].forEach(function (name) {
      if (asked.get(name)) {
        query.set(name, asked.get(name));
      }
    });
    var text = query.toString();
    return text ? "?" + text : "";
  }

  function region(kind, id) {
    var element = document.getElementById(kind + "-" + id);
    if (element && !element.dataset.liveSrc) {
      var pattern = kind === "section" ? panel.dataset.sectionUrl : panel.dataset.questionUrl;
      element.dataset.liveSrc = urlFor(pattern, id) + (kind === "section" ? sectionQuery() : "");
    }
    return element;
  }

  // A fresh snapshot: the whole issue and the live bar, fetched again.
  function snapshot() {
    var issue = document.getElementById("issue");
    if (issue) {
      swapRegion(issue, panel.dataset.page + location.search, { select: "#issue" });
    }
    refreshNow("live-bar");
  }

  // A section or question on the page (its source set as it is found), or
  // any other region by its id.
  function onPage(id) {
    var row = /^(section|question)-(\d+)$/.exec(id);
    return row ? region(row[1], row[2]) : document.getElementById(id);
  }

  // What to fetch for a region that changed: a question in a section that
  // filters its questions may now leave the filter (it was answered), so its
  // section comes again, with the count of those the filter hides.
  function refreshed(id) {
    var element = onPage(id);
    var filtered = element && /^question-/.test(id) && element.closest("section[data-filtered]");
    if (filtered && onPage(filtered.id)) {
      return filtered.id;
    }
    return element ? id : null;
  }

  function refreshNow(id) {
    var element = document.getElementById(id);
    if (element && element.dataset.liveSrc) {
      swapRegion(element, element.dataset.liveSrc, {});
    }
  }

  // What someone is typing is never swapped away: an open form (focused,
  // changed, showing errors, or opened on purpose) is lifted out before the
  // region is replaced and put back in place of its fresh copy after. A form
  // the fresh copy no longer has (the issue froze, the thread was locked)
  // stays too, where it was, saying it cannot be saved: the member can still
  // copy what they typed.

  function typedIn(field) {
    return field.type !== "hidden" && field.type !== "radio" && field.type !== "checkbox" && field.value !== field.defaultValue;
  }

  function isOpenForm(anchor) {
    if (anchor.matches("details[open]") || anchor.classList.contains("editing")) {
      return true;
    }
    if (anchor.matches(".answer-slot") && anchor.children.length) {
      return true;
    }
    if (anchor.contains(document.activeElement) && document.activeElement.matches("input, textarea, select")) {
      return true;
    }
    if (anchor.querySelector(".errorlist, [aria-invalid=true]")) {
      return true;
    }
    return Array.prototype.some.call(anchor.querySelectorAll("input, textarea"), typedIn);
  }

  function openForms(root) {
    var anchors = [];
    root.querySelectorAll("form").forEach(function (form) {
      var anchor = form.closest("details[id], .editing[id], .answer-slot[id], [id]");
      if (anchor && anchor !== root && root.contains(anchor) && anchors.indexOf(anchor) === -1 && isOpenForm(anchor)) {
        anchors.push(anchor);
      }
    });
    // An anchor inside another kept anchor travels with it.
    return anchors.filter(function (anchor) {
      return !anchors.some(function (other) {
        return other !== anchor && other.contains(anchor);
      });
    });
  }

  function swapRegion(element, url, options) {
    var root = element;
    var kept = openForms(root);
    // The region itself is someone's open editor: leave it; their save
    // checks the version and shows any newer text beside theirs.
    if (root.classList.contains("editing")) {
      return;
    }
    var focused = document.activeElement;
    var selection = focused && "selectionStart" in focused ? [focused.selectionStart, focused.selectionEnd] : null;
    htmx
      .ajax("GET", url, {
        target: root,
        swap: "outerHTML",
        select: options.select,
        headers: { "X-Desk-Live": "1" },
      })
      .then(function () {
        kept.forEach(function (anchor) {
          var fresh = document.getElementById(anchor.id);
          if (fresh && fresh !== anchor) {
            fresh.replaceWith(anchor);
          } else if (!fresh) {
            strand(anchor);
          }
        });
        if (focused && focused.isConnected && document.activeElement !== focused) {
          focused.focus({ preventScroll: true });
          if (selection) {
            try {
              focused.setSelectionRange(selection[0], selection[1]);
            } catch (ignored) {
              // Fields without a text selection (email, number) say no.
            }
          }
        }
        if (root.id === "live-bar" || options.select) {
          applyPointer();
        }
      });
  }

  // Back into the fresh copy of the nearest element around it that is still
  // there (its section, its answer), at the end, where the add forms are.
  function strand(anchor) {
    var holder = anchor.parentElement;
    while (holder && !(holder.id && document.getElementById(holder.id))) {
      holder = holder.parentElement;
    }
    if (!holder) {
      return;
    }
    document.getElementById(holder.id).append(anchor);
    note(anchor.querySelector("form") || anchor, "closed-note", labels.labelClosed);
  }

  // A line of words at the end of a form, said to screen readers too.
  function note(form, className, text) {
    var line = form.querySelector("." + className);
    if (!line) {
      line = document.createElement("p");
      line.className = className;
      line.setAttribute("role", "status");
      form.append(line);
    }
    line.textContent = text;
  }

  // Events

  function handle(event) {
    var data = JSON.parse(event.data);
    switch (data.kind) {
      case "hello":
        setState(data.live ? "live" : "paused");
        // Without live updates (a server that cannot stream) ask seldom.
        retryDelay = data.live ? 1000 : MAX_RETRY;
        // Back after a cut, the page catches up whatever the number says: a
        // restarted server without Redis counts from zero again.
        if (data.live && (greeted || data.seq !== lastSeq)) {
          lastSeq = data.seq;
          refresh("*");
        }
        greeted = true;
        return;
      case "presence":
        showPresence(data);
        return;
      case "paused":
        setState("paused");
        return;
      case "resync":
        // Redis was away: events went by unseen, and a Redis restarted
        // empty numbers them from 1 again, so the number read afresh is the
        // page's from now on (an older, higher one would drop them all).
        setState("live");
        lastSeq = data.seq;
        refresh("*");
        return;
      case "bye":
        // The server is restarting: reconnect (and catch up) right away.
        reconnect(true);
        return;
    }
    if (data.seq) {
      if (data.seq <= lastSeq) {
        return; // already in the snapshot the page has
      }
      var gap = data.seq > lastSeq + 1;
      lastSeq = data.seq;
      if (gap) {
        refresh("*");
        return;
      }
    }
    // What the event refreshes: desk/live.py's map, in data-refreshes.
    (refreshes[data.kind] || []).forEach(function (choices) {
      for (var i = 0; i < choices.length; i++) {
        var id = choices[i].replace(/\{(\w+)\}/g, function (_, key) { return data[key]; });
        var found = id === "*" ? id : refreshed(id);
        if (found) {
          refresh(found);
          return;
        }
      }
    });
  }

  function showPresence(data) {
    presenceBox.textContent = "";
    var count = document.createElement("strong");
    count.textContent = String(data.count);
    presenceBox.append(count, " " + labels.labelHere);
    if (data.aliases.length) {
      presenceBox.append(labels.labelColon + data.aliases.join(labels.labelComma));
    }
  }

  // The stream, and reconnecting with a growing pause while it is down.

  function connect() {
    clearTimeout(retryTimer);
    source = new EventSource(panel.dataset.events);
    source.onmessage = handle;
    source.onerror = function () {
      reconnect(false);
    };
  }

  function reconnect(now) {
    if (source) {
      source.close();
      source = null;
    }
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, now ? 200 : retryDelay);
    if (!now) {
      retryDelay = Math.min(retryDelay * 2, MAX_RETRY);
    }
    if (navigator.onLine === false) {
      setState("offline");
      return;
    }
    if (state !== "paused") {
      setState("reconnecting");
    }
    // Is it the stream that failed, or the server? While the server answers
    // (only live updates are out), saves go on and the page says updates
    // are paused; saves wait only when the server cannot be reached.
    fetch(panel.dataset.health, { cache: "no-store" }).then(
      function (response) {
        settle(response.ok ? "paused" : "reconnecting");
      },
      function () {
        settle("reconnecting");
      }
    );
  }

  function settle(next) {
    if (!source || source.readyState !== EventSource.OPEN) {
      setState(next);
    }
  }

  window.addEventListener("offline", function () {
    reconnect(false);
  });
  window.addEventListener("online", function () {
    retryDelay = 1000;
    reconnect(true);
  });

  // While the server cannot be reached, a save waits: the form keeps what
  // was typed, says so, and is sent once the connection is back.

  document.addEventListener("htmx:beforeRequest", function (event) {
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (reachable() || verb === "get") {
      return;
    }
    event.preventDefault();
    var form = event.detail.elt.closest("form") || event.detail.elt;
    var submitter = event.detail.requestConfig.triggeringEvent && event.detail.requestConfig.triggeringEvent.submitter;
    if (!waiting.some(function (entry) { return entry.form === form; })) {
      waiting.push({ form: form, submitter: submitter });
    }
    note(form, "waiting-note", labels.labelWaiting);
  });

  function flushWaiting() {
    var entries = waiting;
    waiting = [];
    entries.forEach(function (entry) {
      var line = entry.form.querySelector(".waiting-note");
      if (line) {
        line.remove();
      }
      if (entry.form.isConnected) {
        entry.form.requestSubmit(entry.submitter && entry.submitter.isConnected ? entry.submitter : undefined);
      }
    });
  }

  // The meeting: the host's current section, its countdown, the question
  // under discussion, and following the host (on unless switched off).

  var shown = { current: null, spotlight: null };
  follow.checked = localStorage.getItem("desk:follow-host") !== "off";
  follow.addEventListener("change", function () {
    localStorage.setItem("desk:follow-host", follow.checked ? "on" : "off");
    hold(null);
    if (follow.checked) {
      shown.current = shown.spotlight = null;
      applyPointer();
    }
  });

  // Following is a state the member sees. It is held, with a way back, when
  // they scroll elsewhere during the meeting (held until they come back) or
  // are typing when the host moves on (the next move is followed again once
  // they no longer type).
  var followBox = document.getElementById("follow-box");
  var followState = document.getElementById("follow-state");
  var resume = document.getElementById("follow-resume");
  var held = null; // null, "scrolled" or "typing"

  function hold(reason) {
    held = reason;
    followState.textContent = reason ? followBox.dataset["label" + reason.charAt(0).toUpperCase() + reason.slice(1)] : "";
    followBox.classList.toggle("is-held", reason !== null);
  }

  resume.addEventListener("click", function (event) {
    event.preventDefault();
    hold(null);
    var marked = markPointer();
    var target = marked.question || marked.section;
    if (target) {
      target.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  });

  // The reader's own scrolling (the page's scrolls to the host fire none of
  // these): a wheel, a swipe, or a scrolling key outside a field.
  var SCROLL_KEYS = ["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown", " "];

  function scrolledAway(event) {
    var inField = event.target instanceof Element && event.target.closest("input, textarea, select, button, [contenteditable]");
    if (event.type === "keydown" && (SCROLL_KEYS.indexOf(event.key) === -1 || inField)) {
      return;
    }
    var bar = document.getElementById("live-bar");
    if (follow.checked && held !== "scrolled" && bar && bar.dataset.current) {
      hold("scrolled");
    }
  }
  ["wheel", "touchmove", "keydown"].forEach(function (name) {
    window.addEventListener(name, scrolledAway, { passive: true });
  });

  // The page that moves the meeting (a steward's desk) stays where its
  // steward is working: its own move comes back to it through the event like
  // to every page, and is marked there but not followed. The answer to the
  // move says where the meeting is now; while the move is on its way, the
  // event may come first.
  var moving = false;

  function movesPointer(event) {
    return event.detail.elt.closest("[data-moves-pointer]") !== null;
  }

  document.addEventListener("htmx:beforeSend", function (event) {
    if (movesPointer(event)) {
      moving = true;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!movesPointer(event)) {
      return;
    }
    moving = false;
    var status = event.detail.xhr.status;
    var desk = document.getElementById("issue-steward");
    if (status >= 200 && status < 300 && desk) {
      shown.current = desk.dataset.current;
      shown.spotlight = desk.dataset.spotlight;
    }
  });

  // The marks of the current section and question, from the live bar.
  function markPointer() {
    var bar = document.getElementById("live-bar");
    document.querySelectorAll(".is-current, .is-spotlight").forEach(function (element) {
      element.classList.remove("is-current", "is-spotlight");
    });
    var section = bar && bar.dataset.current && document.getElementById("section-" + bar.dataset.current);
    var question = bar && bar.dataset.spotlight && document.getElementById("question-" + bar.dataset.spotlight);
    if (section) {
      section.classList.add("is-current");
    }
    if (question) {
      question.classList.add("is-spotlight");
    }
    return { section: section, question: question };
  }

  // A section or question rendered again (a live refresh, the viewer's own
  // vote or move) comes without its mark: after the settle, which puts the
  // fresh copy's own classes back.
  document.addEventListener("htmx:afterSettle", markPointer);

  // A member typing is not carried away from their field: the view stays
  // (the section is still marked) and follows again at the next move. Only
  // what they typed counts: the empty field a post leaves focused does not.
  function typing() {
    return Array.prototype.some.call(document.querySelectorAll("form input, form textarea"), typedIn);
  }

  function applyPointer() {
    var bar = document.getElementById("live-bar");
    if (!bar) {
      return;
    }
    var current = bar.dataset.current;
    var spotlight = bar.dataset.spotlight;
    var marked = markPointer();
    var section = marked.section;
    var question = marked.question;
    var target = spotlight !== shown.spotlight && question ? question : current !== shown.current && section ? section : null;
    if (follow.checked && !moving && target && shown.current !== null) {
      if (held === "typing" && !typing()) {
        hold(null);
      }
      if (held === null && typing()) {
        hold("typing");
      }
      if (held === null) {
        target.scrollIntoView({ behavior: "smooth", block: "start" });
      }
    }
    shown.current = current;
    shown.spotlight = spotlight;
    window.deskCountdown(bar);
  }

  applyPointer();
  setState("connecting");
  connect();
})();
