// Small behaviours the server cannot do alone. Everything works without it.
(function () {
  "use strict";

  // Tell the server the viewer's time zone so meeting times show in it.
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && document.cookie.indexOf("tz=") === -1) {
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  }
})();
