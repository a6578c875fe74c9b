// Draws the insights charts from the figures the page embeds; every chart has a table beside it.
(function () {
  "use strict";
  var GOOD = "#1f6f3f";
  var WORK = "#b07400";
  // Distinct on a white card and for the common colour-vision differences.
  var PALETTE = ["#0b5394", "#c55a11", "#38761d", "#a64d79", "#134f5c", "#990000", "#6b5b00"];

  function colour(series, i) {
    if (series.tone === "positive") { return GOOD; }
    if (series.tone === "needs_work") { return WORK; }
    return PALETTE[i % PALETTE.length];
  }

  function draw() {
    var source = document.getElementById("insights-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var weeks = document.getElementById("chart-weeks");
    if (weeks && data.series.length) {
      new Chart(weeks, {
        type: "bar",
        data: {
          labels: data.week_labels,
          datasets: data.series.map(function (series, i) {
            return { label: series.label, data: series.counts, backgroundColor: colour(series, i), borderColor: "#fff", borderWidth: 1 };
          })
        },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false,
          plugins: { legend: { position: "bottom", labels: { boxWidth: 14 } } },
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    } else if (weeks) {
      weeks.parentNode.hidden = true;
    }
    var categories = document.getElementById("chart-categories");
    if (categories) {
      // Bars of a fixed thickness: two categories make a short chart, twenty a tall one.
      categories.parentNode.style.minHeight = (3 + 2.2 * data.categories.length) + "rem";
      new Chart(categories, {
        type: "bar",
        data: {
          labels: data.categories,
          datasets: [{
            label: data.labels.moments,
            data: data.category_counts,
            backgroundColor: data.category_positive.map(function (p) { return p ? GOOD : WORK; }),
            maxBarThickness: 28
          }]
        },
        options: { animation: false, indexAxis: "y", responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
                   scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
