/* Command centre pages: ECharts charts (the maps: command/map.js), drawn from the JSON the page carries
   (<script type="application/json">, rendered by the server from the same queries as the
   /api/v1/stats endpoints). No inline scripts; redrawn after every htmx swap. */
(function () {
  "use strict";

  var PALETTE = ["#1f4e8c", "#b3261e", "#1e6b3a", "#8a5a00", "#6a3d9a", "#0f7c86", "#c2571a",
                 "#5f6670", "#2f7ed8", "#a33d6c"];

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function dark(el) { return !!el.closest("[data-theme=dark]"); }

  var charts = [];

  function chartFor(el) {
    if (!window.echarts) return null;
    var existing = window.echarts.getInstanceByDom(el);
    if (existing) existing.dispose();
    var chart = window.echarts.init(el, dark(el) ? "dark" : null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function textColour(el) { return dark(el) ? "#d6e2f5" : "#1d232b"; }

  function drawBars(el, data) {
    var chart = chartFor(el);
    if (!chart) return;
    var names = data.rows.map(function (r) { return r.name; });
    var series = data.series.map(function (s, i) {
      return {
        name: s.label, type: "bar", data: data.rows.map(function (r) { return r.values[i]; }),
        itemStyle: { color: s.colour || PALETTE[i % PALETTE.length] }, barMaxWidth: 26,
      };
    });
    chart.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, textStyle: { color: textColour(el) } },
      grid: { left: 40, right: 16, top: 36, bottom: 70 },
      xAxis: { type: "category", data: names, axisLabel: { rotate: 40, color: textColour(el) } },
      yAxis: { type: "value", axisLabel: { color: textColour(el) } },
      series: series,
    });
    chart.on("click", function (p) {
      var row = data.rows[p.dataIndex];
      if (row && row.drill) window.location.href = row.drill;
    });
  }

  function drawLine(el, data) {
    var chart = chartFor(el);
    if (!chart) return;
    chart.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, textStyle: { color: textColour(el) } },
      grid: { left: 40, right: 16, top: 36, bottom: 30 },
      xAxis: { type: "category", data: data.dates, axisLabel: { color: textColour(el) } },
      yAxis: { type: "value", axisLabel: { color: textColour(el) } },
      series: data.series.map(function (s, i) {
        return { name: s.label, type: "line", smooth: false, data: s.values, showSymbol: data.dates.length < 40,
                 itemStyle: { color: s.colour || PALETTE[i % PALETTE.length] },
                 lineStyle: { color: s.colour || PALETTE[i % PALETTE.length] } };
      }),
    });
  }

  function drawPie(el, data) {
    var chart = chartFor(el);
    if (!chart) return;
    chart.setOption({
      backgroundColor: "transparent",
      color: PALETTE,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)", renderMode: "richText" },
      legend: { type: "scroll", bottom: 0, textStyle: { color: textColour(el) } },
      series: [{ type: "pie", radius: ["30%", "55%"], center: ["50%", "45%"], data: data.slices,
                 avoidLabelOverlap: true,
                 label: { color: textColour(el), formatter: "{b}\n{d}%", overflow: "none" } }],
    });
  }

  // Grouped (or stacked) bars over named categories: {categories, series: [{label, values}],
  // stacked}. The figure pages: the three sources over two periods, by place, the 清零 column.
  function drawGroups(el, data) {
    var chart = chartFor(el);
    if (!chart) return;
    var many = data.categories.length > 6;
    var narrow = el.clientWidth < 520;  // a phone: every other label rather than a pile of them
    chart.setOption({
      backgroundColor: "transparent",
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, textStyle: { color: textColour(el) } },
      grid: { left: 40, right: 16, top: 36, bottom: many ? 70 : 30 },
      xAxis: { type: "category", data: data.categories,
               axisLabel: { rotate: many ? (narrow ? 60 : 40) : 0, color: textColour(el),
                            interval: many && narrow ? "auto" : 0 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: textColour(el) } },
      series: data.series.map(function (s, i) {
        return { name: s.label, type: "bar", data: s.values, stack: data.stacked ? "all" : undefined,
                 barMaxWidth: 32, itemStyle: { color: s.colour || PALETTE[i % PALETTE.length] },
                 label: { show: !data.stacked && !many, position: "top", color: textColour(el) } };
      }),
    });
  }

  function drawCharts(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = readJSON(el.getAttribute("data-source"));
      if (!data) return;
      var kind = el.getAttribute("data-chart");
      if (kind === "bars") drawBars(el, data);
      else if (kind === "line") drawLine(el, data);
      else if (kind === "pie") drawPie(el, data);
      else if (kind === "groups") drawGroups(el, data);
      el.setAttribute("data-drawn", "1");
    });
  }

  // The maps are drawn by command/map.js on the shared map module (static/fengqiao/maps.js).
  function drawMaps(root) { if (window.FQCommandMap) window.FQCommandMap.draw(root); }

  function drawAll(root) {
    drawCharts(root);
    drawMaps(root);
  }

  // Tel links handed back by a one-click call: dial at once.
  function dialFrom(root) {
    root.querySelectorAll("a[data-dial-now]").forEach(function (a) {
      a.removeAttribute("data-dial-now");
      if (!window.__fqNoDial) window.location.href = a.getAttribute("href");
    });
  }

  // The dashboard's period picker: show the custom dates only for "custom".
  function syncPicker(form) {
    var custom = form.querySelector("[data-custom-dates]");
    var chosen = form.querySelector("input[name=period]:checked");
    if (custom) custom.hidden = !(chosen && chosen.value === "custom");
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-period-picker]");
    if (form) {
      syncPicker(form);
      if (event.target.name === "period" && event.target.value !== "custom") form.submit();
    }
    var measure = event.target.closest("select[data-autosubmit]");
    if (measure) measure.form.submit();
  });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { if (!c.isDisposed()) c.resize(); });
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-period-picker]").forEach(syncPicker);
    drawAll(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) return;
    charts = charts.filter(function (c) { return !c.isDisposed(); });
    if (target.querySelector("[data-chart]") || target.hasAttribute("data-chart")) drawCharts(target);
    if (target.querySelector("[data-map]") && !target.hasAttribute("data-keep-map")) drawMaps(target);
    dialFrom(target);
  });

  window.FQCommand = { drawAll: drawAll };
})();
