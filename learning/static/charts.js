// Draws the figures the server prepared (JSON in <script type="application/json" data-chart="id">), in the
// reader's language: plotly's words and date names come from the page (#chart-locale). Where the chart is
// narrower than a tablet, a figure's `narrow` settings are merged into its layout first.
(function () {
  if (!window.Plotly) { return; }
  var NARROW = 560;
  // Nothing leaves the intranet: no "share chart" button, no link to plotly's site.
  var config = {
    displaylogo: false, showSendToCloud: false, showEditInChartStudio: false, showLink: false, responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud"]
  };
  var words = document.getElementById("chart-locale");
  if (words) {
    var locale = JSON.parse(words.textContent);
    config.locale = locale.name;
    config.locales = {};
    config.locales[locale.name] = { dictionary: locale.dictionary, format: locale.format };
  }

  function merge(into, from) {
    Object.keys(from).forEach(function (key) {
      var value = from[key];
      if (value && typeof value === "object" && !Array.isArray(value) && into[key] && typeof into[key] === "object") {
        merge(into[key], value);
      } else {
        into[key] = value;
      }
    });
    return into;
  }

  document.querySelectorAll("script[data-chart]").forEach(function (source) {
    var target = document.getElementById(source.dataset.chart);
    if (!target) { return; }
    var figure = JSON.parse(source.textContent);
    if (figure.narrow && target.clientWidth < NARROW) { merge(figure.layout, figure.narrow); }
    window.Plotly.newPlot(target, figure.data, figure.layout, config);
  });
})();
