// The explorer's page glue: charts (Chart.js, from vendor/), scrolling quote boxes to their
// first highlighted quote, copy buttons, and a curator's text selection. No content is made
// here: every number and text is in the page already (the charts' table twins).
(function () {
  "use strict";

  function chartData(canvas) {
    var holder = document.getElementById(canvas.dataset.source);
    return holder ? JSON.parse(holder.textContent) : null;
  }

  function drawCharts() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = chartData(canvas);
      if (!data) return;
      var config;
      if (canvas.dataset.chart === "counts") {
        config = {
          type: "bar",
          data: {
            labels: data.counts.labels,
            datasets: data.counts.series.map(function (s) {
              return { label: s.label, data: s.data };
            }),
          },
          options: {
            animation: false,
            maintainAspectRatio: false,
            scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
          },
        };
      } else {
        config = {
          type: "line",
          data: {
            datasets: [data.values[Number(canvas.dataset.series)]].map(function (s) {
              return { label: s.label, data: s.points, parsing: false, pointRadius: 5, pointHoverRadius: 7 };
            }),
          },
          options: {
            animation: false,
            maintainAspectRatio: false,
            scales: { x: { type: "linear", ticks: { precision: 0, callback: function (v) { return Math.floor(v); } } } },
            onClick: function (_event, elements, chart) {
              if (!elements.length) return;
              var el = elements[0];
              var point = chart.data.datasets[el.datasetIndex].data[el.index];
              if (point && point.fact) window.location.href = point.fact;
            },
          },
        };
      }
      new Chart(canvas, config);
    });
  }

  function scrollQuotes() {
    document.querySelectorAll("[data-scroll-to]").forEach(function (box) {
      var mark = box.querySelector(box.dataset.scrollTo);
      if (!mark) return;
      box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - box.clientHeight / 3);
    });
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.dataset.copy);
        if (!target || !navigator.clipboard) return;
        navigator.clipboard.writeText(target.textContent.trim()).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  }

  // A curator selects words in an article's text: the form beside it gets their offsets
  // (in code points, as evidence is stored) and the quote.
  function selectionToForm() {
    var box = document.querySelector("[data-select-into]");
    if (!box) return;
    var form = document.getElementById(box.dataset.selectInto);
    document.addEventListener("selectionchange", function () {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
      var range = sel.getRangeAt(0);
      if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return;
      var before = document.createRange();
      before.selectNodeContents(box);
      before.setEnd(range.startContainer, range.startOffset);
      var start = Array.from(before.toString()).length;
      var quote = range.toString();
      form.elements.start.value = start;
      form.elements.end.value = start + Array.from(quote).length;
      form.elements.quote.value = quote;
      var shown = document.getElementById("selected-quote");
      if (shown) shown.textContent = quote;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    scrollQuotes();
    copyButtons();
    selectionToForm();
  });
})();
