// Draws the figures the server prepared (JSON in <script type="application/json" data-chart="id">).
document.querySelectorAll("script[data-chart]").forEach(function (source) {
  var target = document.getElementById(source.dataset.chart);
  if (!target || !window.Plotly) { return; }
  var figure = JSON.parse(source.textContent);
  window.Plotly.newPlot(target, figure.data, figure.layout, { displaylogo: false, responsive: true });
});
