// plangen: a tick box on every runbook step, kept in this browser for this
// page, so whoever works through a rollback keeps their place. Printing
// shows empty boxes (plangen.css); nothing leaves the browser.
(function () {
  function mount() {
    var steps = document.querySelectorAll(".md-content h3[id^='step-']");
    if (!steps.length) return;
    var key = "plangen:ticks:" + location.pathname;
    var ticked = {};
    try { ticked = JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { ticked = {}; }
    function save() {
      try { localStorage.setItem(key, JSON.stringify(ticked)); } catch (e) { /* private mode: no memory */ }
    }
    steps.forEach(function (heading) {
      if (heading.querySelector("input.pg-tick")) return;
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "pg-tick";
      box.checked = !!ticked[heading.id];
      box.setAttribute("aria-label", "Done: " + heading.textContent.replace(/¶$/, "").trim());
      box.addEventListener("change", function () {
        if (box.checked) ticked[heading.id] = true; else delete ticked[heading.id];
        heading.classList.toggle("pg-done", box.checked);
        save();
      });
      heading.classList.toggle("pg-done", box.checked);
      heading.insertBefore(box, heading.firstChild);
    });
    var clear = document.querySelector(".pg-clear-ticks");
    if (clear) {
      clear.hidden = false;
      clear.addEventListener("click", function () {
        ticked = {};
        save();
        document.querySelectorAll("input.pg-tick").forEach(function (b) {
          b.checked = false;
          b.parentNode.classList.remove("pg-done");
        });
      });
    }
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(mount);
  else if (document.readyState !== "loading") mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
