// Present mode: the stage follows the meeting. Any event of the issue (the
// host moved on, an item was marked discussed, the spotlighted question got
// a vote) fetches the stage again: it is one small fragment, so there is no
// need to know which part changed, and a missed event is mended by the next
// one or by the reconnect's hello.
(function () {
  "use strict";

  var present = document.getElementById("present");
  if (!present || !window.EventSource || !window.htmx) {
    return;
  }
  var stateBox = document.getElementById("live-state");
  var timer = null;

  function showState(name) {
    stateBox.dataset.state = name;
    var labels = stateBox.dataset;
    stateBox.querySelector(".live-state-text").textContent = labels["label" + name.charAt(0).toUpperCase() + name.slice(1)];
  }

  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var stage = document.getElementById("present-stage");
      htmx.ajax("GET", present.dataset.stage, { target: stage, swap: "outerHTML" });
    }, 80);
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id === "present-stage") {
      window.deskCountdown(event.target);
    }
  });
  // The host's own key press: the stage comes again even where the server
  // cannot stream (the event would bring it too).
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && event.detail.requestConfig.verb === "post") {
      refresh();
    }
  });

  var source = new EventSource(present.dataset.events);
  source.onmessage = function (event) {
    var data = JSON.parse(event.data);
    if (data.kind === "hello") {
      showState(data.live ? "live" : "paused");
      refresh(); // back after a cut: whatever happened meanwhile
    } else if (data.kind !== "presence") {
      refresh();
    }
  };
  source.onerror = function () {
    showState("reconnecting");
  };
  window.deskCountdown(document.getElementById("present-stage"));
})();
