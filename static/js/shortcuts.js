// The host's keys. Each key presses a button of the page that carries it in
// data-shortcut ("n" next section, "p" previous, "s" spotlight the next
// most-voted question, "d" the next item discussed), so a key does exactly
// what the button does, refusals in words included; "?" opens the list.
// Never while typing: a key in a field, in an input method's composition, or
// with a modifier (the browser's own shortcuts) is left alone.
(function () {
  "use strict";

  var help = document.getElementById("shortcuts");

  function typingIn(target) {
    return target instanceof Element && (target.isContentEditable || target.closest("input, textarea, select") !== null);
  }

  function toggleHelp() {
    if (!help) {
      return;
    }
    if (help.open) {
      help.close();
    } else {
      help.showModal();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typingIn(event.target)) {
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      toggleHelp();
      return;
    }
    if (help && help.open) {
      return;
    }
    var key = event.key.length === 1 ? event.key.toLowerCase() : "";
    var button = key && document.querySelector('button[data-shortcut="' + key + '"]:not([disabled])');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest('button[data-shortcut="?"]')) {
      toggleHelp();
    }
  });
})();
