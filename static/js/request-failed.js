// A change made through htmx (a button, a drag on the timetable or the meeting grid) that
// does not go through says so: without this, a server error or a lost connection would
// leave the page as if nothing had been pressed. The words are the page's, in its
// language (templates/base.html, data-request-failed). Polls (GET) stay quiet: the next
// one tries again.
(function () {
  "use strict";

  function tell(event) {
    var verb = event.detail && event.detail.requestConfig && event.detail.requestConfig.verb;
    if (verb && verb.toLowerCase() !== "get") window.alert(document.body.dataset.requestFailed);
  }

  document.addEventListener("htmx:responseError", tell);
  document.addEventListener("htmx:sendError", tell);
})();
