// The tablet's outbox (issue 13): writes made on this device, kept in IndexedDB until the
// server has them. See docs/OFFLINE.md for the contract. (Filled in by the outbox work.)
(function () {
  "use strict";
})();
