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

  // After a fragment is swapped in, put the keyboard where the work is: the
  // first field with an error, else an element marked data-autofocus.
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target;
    if (!root || !root.isConnected) {
      root = document.getElementById(event.detail.elt && event.detail.elt.id) || document.body;
    }
    var target = root.querySelector(".errorlist ~ input, .errorlist ~ textarea, .errorlist ~ select, [aria-invalid=true], [data-autofocus]");
    if (target) {
      target.focus();
    }
  });
})();
