// Drag on the itinerary's timetable (templates/missions/_itinerary_timetable.html):
// a block moves by whole rows of the grid (a quarter of an hour) and to another day's
// column; its lower edge (.tt-resize) changes when it ends. On release the new start
// and end, wall-clock times on the timetable's axis, go to the block's data-url through
// htmx, which swaps in the refreshed itinerary as the list's buttons do (a request that
// fails says so, static/js/request-failed.js, and the block goes back to its place).
// Read-only pages have no .tt-draggable block and no data-url. Event delegation: blocks
// swapped in by htmx need nothing set up again.
(function () {
  "use strict";

  var THRESHOLD = 4; // pixels before a press becomes a drag (a click opens the item)
  var drag = null;

  function shift(wallClock, minutes) {
    // "2025-11-13T19:00" plus minutes, on the wall clock (no zone: the axis is the zone).
    var p = wallClock.split(/[-T:]/).map(Number);
    return new Date(Date.UTC(p[0], p[1] - 1, p[2], p[3], p[4] + minutes))
      .toISOString()
      .slice(0, 16);
  }

  function rowHeight(block) {
    return parseFloat(getComputedStyle(block.parentElement).gridAutoRows) || 12;
  }

  function dayUnder(x, y) {
    var found = document.elementsFromPoint(x, y).filter(function (element) {
      return element.classList.contains("tt-day");
    });
    return found.length ? found[0] : null;
  }

  function daysBetween(from, to) {
    return Math.round((Date.parse(to) - Date.parse(from)) / 86400000);
  }

  function proposed() {
    var minutes = drag.rows * drag.rowMinutes;
    if (drag.mode === "resize") {
      var ends = shift(drag.ends, minutes);
      if (ends <= drag.starts) ends = shift(drag.starts, drag.rowMinutes);
      return { starts: drag.starts, ends: ends };
    }
    minutes += drag.days * 24 * 60;
    return { starts: shift(drag.starts, minutes), ends: shift(drag.ends, minutes) };
  }

  function reset(done) {
    done.block.classList.remove("tt-dragging");
    done.block.style.transform = "";
    done.block.style.height = "";
    done.label.textContent = done.labelText;
  }

  document.addEventListener("pointerdown", function (event) {
    var block = event.target.closest(".tt-draggable");
    if (!block || event.button !== 0 || !block.dataset.url) return;
    var timetable = block.closest(".timetable");
    var column = block.closest(".tt-day");
    var label = block.querySelector(".tt-time");
    drag = {
      block: block,
      mode: event.target.closest(".tt-resize") ? "resize" : "move",
      pointer: event.pointerId,
      x: event.clientX,
      y: event.clientY,
      started: false,
      rows: 0,
      days: 0,
      rowMinutes: parseInt(timetable.dataset.rowMinutes, 10) || 15,
      rowHeight: rowHeight(block),
      height: block.getBoundingClientRect().height,
      column: column,
      starts: block.dataset.starts,
      ends: block.dataset.ends,
      label: label,
      labelText: label.textContent,
    };
    if (drag.mode === "resize") event.preventDefault();
  });

  document.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var dx = event.clientX - drag.x;
    var dy = event.clientY - drag.y;
    if (!drag.started) {
      if (Math.abs(dx) < THRESHOLD && Math.abs(dy) < THRESHOLD) return;
      drag.started = true;
      drag.block.classList.add("tt-dragging");
      drag.block.setPointerCapture(event.pointerId);
    }
    event.preventDefault();
    drag.rows = Math.round(dy / drag.rowHeight);
    var offset = 0;
    if (drag.mode === "move") {
      var column = dayUnder(event.clientX, event.clientY) || drag.column;
      drag.days = daysBetween(drag.column.dataset.day, column.dataset.day);
      offset = column.getBoundingClientRect().left - drag.column.getBoundingClientRect().left;
      drag.block.style.transform =
        "translate(" + offset + "px, " + drag.rows * drag.rowHeight + "px)";
    } else {
      drag.block.style.height =
        Math.max(drag.rowHeight, drag.height + drag.rows * drag.rowHeight) + "px";
    }
    var times = proposed();
    drag.label.textContent = times.starts.slice(11) + "–" + times.ends.slice(11);
  });

  function finish(event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    var done = drag;
    if (!done.started || (done.rows === 0 && done.days === 0)) {
      if (done.started) reset(done);
      drag = null;
      return;
    }
    var times = proposed();
    // The click that follows the release must not open the item.
    done.block.addEventListener("click", function (click) { click.preventDefault(); }, {
      once: true,
      capture: true,
    });
    drag = null;
    // The answer is the refreshed itinerary (with an error above it if the move was
    // refused), as for the list's buttons. A block still on the page afterwards was not
    // swapped out: the request failed, and it goes back to where it was.
    function settle() {
      if (document.contains(done.block)) reset(done);
    }
    window.htmx
      .ajax("POST", done.block.dataset.url, {
        source: done.block,
        target: "#itinerary",
        swap: "outerHTML",
        values: { starts_at: times.starts, ends_at: times.ends },
      })
      .then(settle, settle);
  }

  // A block's title is a link: the browser's own dragging of links would cancel ours.
  document.addEventListener("dragstart", function (event) {
    if (event.target.closest && event.target.closest(".tt-draggable")) event.preventDefault();
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
