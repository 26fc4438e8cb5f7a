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
    ".section1, .section3 { fill: transparent !important; }",
    // One colour per state, named in the legend under each timeline; the
    // bar's label says the state in words as well.
    ".task0, .task1, .task2, .task3 { fill: #64b5f6 !important; stroke: #1565c0 !important; }",
    ".done0, .done1, .done2, .done3 { fill: #bdbdbd !important; stroke: #616161 !important; }",
    ".active0, .active1, .active2, .active3 { fill: #81c784 !important; stroke: #2e7d32 !important; }",
    ".crit0, .crit1, .crit2, .crit3 { fill: #e57373 !important; stroke: #b71c1c !important; }",
    ".doneCrit0, .doneCrit1, .doneCrit2, .doneCrit3 { fill: #ffd54f !important; stroke: #ff8f00 !important; }",
    ".taskText0, .taskText1, .taskText2, .taskText3, .activeText0, .activeText1, .activeText2, .activeText3,",
    ".critText0, .critText1, .critText2, .critText3, .doneCritText0, .doneCritText1, .doneCritText2,",
    ".doneCritText3 { fill: #000 !important; }",
    ".vert { stroke: var(--md-default-fg-color) !important; stroke-width: 2px !important; }"
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
