// Draws the insights charts from the figures the page embeds; every chart has a table beside it.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("insights-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var good = "#1f6f3f";
    var work = "#b07400";
    var weeks = document.getElementById("chart-weeks");
    if (weeks) {
      new Chart(weeks, {
        type: "line",
        data: {
          labels: data.weeks,
          datasets: [
            { label: data.labels.positive, data: data.positive, borderColor: good, backgroundColor: good, tension: 0.2 },
            { label: data.labels.needs_work, data: data.needs_work, borderColor: work, backgroundColor: work, borderDash: [6, 4], tension: 0.2 }
          ]
        },
        options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var categories = document.getElementById("chart-categories");
    if (categories) {
      new Chart(categories, {
        type: "bar",
        data: {
          labels: data.categories,
          datasets: [{
            label: data.labels.moments,
            data: data.category_counts,
            backgroundColor: data.category_positive.map(function (p) { return p ? good : work; })
          }]
        },
        options: { animation: false, indexAxis: "y", responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } },
                   scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
