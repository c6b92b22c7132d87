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
})();
