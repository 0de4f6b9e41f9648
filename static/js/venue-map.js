// The venues' map (templates/_venue_map.html): a Leaflet marker for each venue of the
// list beside it, over tiles when the page names a tile server. The list stays the
// accessible way to the venues; the map does not take the keyboard's focus.
(function () {
  "use strict";

  function draw(box) {
    if (typeof L === "undefined" || box.dataset.drawn) return;
    box.dataset.drawn = "true";
    var list = document.getElementById(box.dataset.list);
    var map = L.map(box, { keyboard: false, scrollWheelZoom: false });
    if (box.dataset.tiles) {
      L.tileLayer(box.dataset.tiles, {
        attribution: box.dataset.attribution,
        maxZoom: 19,
      }).addTo(map);
    }
    var points = [];
    list.querySelectorAll("[data-lat]").forEach(function (venue) {
      var point = [parseFloat(venue.dataset.lat), parseFloat(venue.dataset.lng)];
      if (isNaN(point[0]) || isNaN(point[1])) return;
      L.marker(point, { title: venue.dataset.name, alt: venue.dataset.name, keyboard: false })
        .bindTooltip(venue.dataset.name)
        .addTo(map);
      points.push(point);
    });
    if (points.length === 1) {
      map.setView(points[0], 15);
    } else if (points.length > 1) {
      map.fitBounds(points, { padding: [24, 24], maxZoom: 16 });
    }
  }

  function drawAll() {
    document.querySelectorAll(".venue-map").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
