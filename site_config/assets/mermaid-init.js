// plangen: keep diagrams readable in Material's dark scheme.
// Material initialises Mermaid itself and resets any earlier settings, so
// this wraps initialize() and adds CSS for the gantt chart, whose text and
// grid do not follow the palette on their own.
(function () {
  if (typeof mermaid === "undefined") return;
  var initialize = mermaid.initialize.bind(mermaid);
  var css = [
    ".titleText, .sectionTitle, .taskTextOutsideRight, .taskTextOutsideLeft, .tick text,",
    ".doneText0, .doneText1, .doneText2, .doneText3",
    "{ fill: var(--md-default-fg-color) !important; }",
    ".grid .tick line { stroke: var(--md-default-fg-color--lightest) !important; }",
    ".section0, .section2 { fill: var(--md-default-fg-color--lightest) !important; }",
    ".section1, .section3 { fill: transparent !important; }"
  ].join(" ");
  mermaid.initialize = function (config) {
    config = config || {};
    // Taller bars and larger text: a timeline is read, not glanced at.
    var gantt = Object.assign({ barHeight: 26, barGap: 6, fontSize: 14, sectionFontSize: 14, leftPadding: 110,
      useWidth: 800 },
      config.gantt || {});
    return initialize(Object.assign({}, config, { themeCSS: (config.themeCSS || "") + css, gantt: gantt }));
  };
})();
