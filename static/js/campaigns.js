// The compliance dashboard: progress bar widths and the Chart.js chart. The CSP forbids
// inline scripts and style attributes, so the data comes from a json_script block and sizes
// are set here through the CSSOM.
(function () {
  "use strict";

  function setProgressWidths() {
    document.querySelectorAll("[data-progress]").forEach(function (bar) {
      const value = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0));
      bar.style.width = value + "%";
    });
    document.querySelectorAll(".progress-thin").forEach(function (track) {
      track.style.height = ".4rem";
    });
  }

  function drawChart() {
    const source = document.getElementById("compliance-data");
    const canvas = document.getElementById("compliance-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") return;
    const data = JSON.parse(source.textContent);
    const box = document.getElementById("compliance-chart-box");
    const green = "#198754";
    const amber = "#ffc107";
    const red = "#dc3545";
    let config;
    if (data.labels.length) {
      box.style.height = Math.max(180, 30 * data.labels.length + 70) + "px";
      config = {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: data.text.met, data: data.met, backgroundColor: green },
            { label: data.text.behind, data: data.behind, backgroundColor: amber },
            { label: data.text.overdue, data: data.overdue, backgroundColor: red },
          ],
        },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          responsive: true,
          animation: false,
          scales: {
            x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
            y: {
              stacked: true,
              ticks: {
                autoSkip: false,
                callback: function (value) {
                  const label = this.getLabelForValue(value);
                  const room = window.innerWidth < 576 ? 16 : 32;
                  return label.length > room ? label.slice(0, room - 1) + "…" : label;
                },
              },
            },
          },
          plugins: { legend: { position: "bottom" } },
        },
      };
    } else {
      box.style.height = "240px";
      config = {
        type: "doughnut",
        data: {
          labels: [data.text.met, data.text.behind, data.text.overdue],
          datasets: [{
            data: [data.root.met, data.root.behind, data.root.overdue],
            backgroundColor: [green, amber, red],
          }],
        },
        options: { maintainAspectRatio: false, responsive: true, animation: false,
                   plugins: { legend: { position: "bottom" } } },
      };
    }
    new window.Chart(canvas, config);
  }

  function init() {
    setProgressWidths();
    drawChart();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
