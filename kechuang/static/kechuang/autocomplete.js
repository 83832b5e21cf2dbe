// Searchable lists, attached by data- attributes (the Content-Security-Policy forbids inline code):
//   <select data-kc-search="select">            a filter box above the list; in a multiple select a
//                                               click toggles an option and the chosen ones show as
//                                               removable chips.
//   <input data-kc-search="enterprise" data-kc-url="/marketplace/lookup/enterprises/">
//                                               suggestions from the JSON endpoint ({results: [{value,
//                                               label}]}); picking one puts its value in the input.
// Without JavaScript both stay what they are: a plain select, a plain text input.
(function () {
  "use strict";

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text) { n.textContent = text; }
    return n;
  }

  function changed(select) {
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function enhanceSelect(select) {
    if (select.dataset.kcReady) { return; }
    select.dataset.kcReady = "1";
    var box = el("input", "form-control form-control-sm mb-1 kc-search-box");
    box.type = "search";
    box.placeholder = select.dataset.kcPlaceholder || "输入名称筛选…";
    box.setAttribute("aria-label", box.placeholder);
    if (select.id) { box.id = select.id + "-search"; }
    select.parentNode.insertBefore(box, select);
    var chips = null;
    if (select.multiple) {
      chips = el("div", "d-flex flex-wrap gap-1 mt-1 kc-chips");
      select.parentNode.insertBefore(chips, select.nextSibling);
    }

    function drawChips() {
      if (!chips) { return; }
      chips.textContent = "";
      Array.prototype.forEach.call(select.options, function (o) {
        if (!o.selected) { return; }
        var chip = el("button", "btn btn-sm btn-outline-secondary py-0 kc-chip", o.textContent + " ×");
        chip.type = "button";
        chip.dataset.value = o.value;
        chip.setAttribute("aria-label", "移除 " + o.textContent);
        chips.appendChild(chip);
      });
    }

    box.addEventListener("input", function () {
      var q = box.value.trim().toLowerCase();
      var first = null;
      Array.prototype.forEach.call(select.options, function (o) {
        var hit = !q || o.textContent.toLowerCase().indexOf(q) !== -1 || o.value.toLowerCase().indexOf(q) === 0;
        o.hidden = !hit;
        if (hit && !first && o.value) { first = o; }
      });
      if (!select.multiple && first && q) { select.value = first.value; changed(select); }
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); }
    });
    if (select.multiple) {
      select.addEventListener("mousedown", function (e) {
        var o = e.target.closest("option");
        if (!o) { return; }
        e.preventDefault();
        o.selected = !o.selected;
        drawChips();
        changed(select);
      });
      select.addEventListener("change", drawChips);
      chips.addEventListener("click", function (e) {
        var chip = e.target.closest(".kc-chip");
        if (!chip) { return; }
        Array.prototype.forEach.call(select.options, function (o) {
          if (o.value === chip.dataset.value) { o.selected = false; }
        });
        drawChips();
        changed(select);
      });
      drawChips();
    }
  }

  function enhanceLookup(input) {
    if (input.dataset.kcReady) { return; }
    input.dataset.kcReady = "1";
    input.setAttribute("autocomplete", "off");
    var wrap = el("div", "position-relative");
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    var list = el("div", "list-group position-absolute w-100 shadow-sm kc-suggestions");
    list.style.zIndex = "1050";
    list.hidden = true;
    wrap.appendChild(list);
    var picked = el("div", "form-text kc-picked");
    wrap.appendChild(picked);
    var timer = null;
    var seq = 0;

    function close() { list.hidden = true; list.textContent = ""; }

    function pick(item) {
      input.value = item.value;
      picked.textContent = item.label;
      close();
      changed(input);
    }

    function search() {
      var q = input.value.trim();
      picked.textContent = "";
      if (q.length < 1) { close(); return; }
      var mine = ++seq;
      fetch(input.dataset.kcUrl + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : { results: [] }; }).then(function (data) {
        if (mine !== seq) { return; }
        list.textContent = "";
        (data.results || []).forEach(function (item) {
          var b = el("button", "list-group-item list-group-item-action py-1 small kc-suggestion", item.label);
          b.type = "button";
          b.addEventListener("mousedown", function (e) { e.preventDefault(); pick(item); });
          list.appendChild(b);
        });
        if (!list.children.length) {
          list.appendChild(el("div", "list-group-item py-1 small text-muted", "没有您可查看的匹配企业"));
        }
        list.hidden = false;
      }).catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll(".kc-suggestion");
      var active = list.querySelector(".kc-suggestion.active");
      var i = Array.prototype.indexOf.call(items, active);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!items.length) { return; }
        if (active) { active.classList.remove("active"); }
        i = e.key === "ArrowDown" ? Math.min(i + 1, items.length - 1) : Math.max(i - 1, 0);
        items[i].classList.add("active");
      } else if (e.key === "Enter" && active) {
        e.preventDefault();
        active.dispatchEvent(new MouseEvent("mousedown"));
      } else if (e.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function init(root) {
    Array.prototype.forEach.call(root.querySelectorAll("select[data-kc-search]"), enhanceSelect);
    Array.prototype.forEach.call(root.querySelectorAll("input[data-kc-search][data-kc-url]"), enhanceLookup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
}());
