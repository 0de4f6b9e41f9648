// Drag on the grid of meetings (templates/matchmaking/_meeting_grid.html): a meeting
// (.mm-meeting) is dropped on another cell (.mm-cell: a slot at a table). On release
// the cell's slot and table go to the meeting's data-url through htmx; the answer is the
// refreshed grid (with the reason above it if the move was refused), swapped in as the
// lock buttons' answers are (a request that fails says so: static/js/request-failed.js).
// The "Move" link of each meeting does the same without a pointer. Event delegation: a
// grid swapped in needs nothing set up again.
(function () {
  "use strict";

  var THRESHOLD = 4; // pixels before a press becomes a drag (a click follows the link)
  var drag = null;

  function cellUnder(x, y) {
    var found = document.elementsFromPoint(x, y).filter(function (element) {
      return element.classList.contains("mm-cell");
    });
    return found.length ? found[0] : null;
  }

  function mark(cell) {
    if (drag.target === cell) return;
    if (drag.target) drag.target.classList.remove("mm-drop");
    drag.target = cell;
    if (cell && cell !== drag.home) cell.classList.add("mm-drop");
  }

  function reset(done) {
    done.meeting.classList.remove("mm-dragging");
    done.meeting.style.transform = "";
    if (done.target) done.target.classList.remove("mm-drop");
  }

  document.addEventListener("pointerdown", function (event) {
    var meeting = event.target.closest(".mm-meeting");
    if (!meeting || event.button !== 0 || event.target.closest("button, input")) return;
    drag = {
      meeting: meeting,
      home: meeting.closest(".mm-cell"),
      pointer: event.pointerId,
      x: event.clientX,
      y: event.clientY,
      started: false,
      target: null,
    };
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var dx = event.clientX - drag.x;
    var dy = event.clientY - drag.y;
    if (!drag.started) {
      if (Math.abs(dx) < THRESHOLD && Math.abs(dy) < THRESHOLD) return;
      drag.started = true;
      drag.meeting.classList.add("mm-dragging");
      drag.meeting.setPointerCapture(event.pointerId);
    }
    event.preventDefault();
    drag.meeting.style.transform = "translate(" + dx + "px, " + dy + "px)";
    mark(cellUnder(event.clientX, event.clientY));
  });

  function finish(event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var done = drag;
    drag = null;
    if (!done.started) return;
    reset(done);
    // The click that follows the release must not follow the "Move" link.
    done.meeting.addEventListener("click", function (click) { click.preventDefault(); }, {
      once: true,
      capture: true,
    });
    var cell = done.target;
    if (!cell || cell === done.home) return;
    window.htmx.ajax("POST", done.meeting.dataset.url, {
      source: done.meeting,
      target: "#meeting-grid",
      swap: "outerHTML",
      values: { slot: cell.dataset.slot, table: cell.dataset.table },
    });
  }

  // The meeting holds a link: the browser's own dragging of links would cancel ours.
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".mm-meeting")) event.preventDefault();
  });
  document.addEventListener("pointerup", finish);
  document.addEventListener("pointercancel", function (event) {
    if (drag && event.pointerId === drag.pointer) {
      if (drag.started) reset(drag);
      drag = null;
    }
  });
  document.addEventListener("keydown", function (event) {
    if (drag && event.key === "Escape") {
      if (drag.started) reset(drag);
      drag = null;
    }
  });
})();
