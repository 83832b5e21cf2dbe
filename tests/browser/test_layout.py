"""Layout that holds from 1280 px to a phone (issue 11, point 7), on the demo data in headless
Chromium: for each role's workbench and the main list pages, at 1280, 1366, 768 and 390 px wide,

- nothing sticks out of the viewport: no horizontal page scroll, and no visible element reaches past
  the right edge unless it sits inside a horizontally scrolling (or clipping) container, such as a
  wide table in its own scroll box;
- navigation entries, buttons, badges, table headings and the workbench's figure labels (an
  institution's 平均接单（工作日）) stay on one line (a Chinese label never breaks inside a word;
  English may wrap between words, never inside one: the workbenches are checked in both); on
  phones the nav is one horizontally scrolling row, and the header's other row keeps the user's name
  and the logout button beside the brand;
- a name in a table cell (an enterprise's "…科技有限公司", a bank, a centre) is never broken between
  characters by a narrow column ("有限/公司");
- every chart keeps its axis labels inside its box (ECharts ``grid.containLabel``, and every text it
  draws measured against the box: a rotated first label can still stick out on the left), and its
  legend does not overlap the plot area (the legend's rendered box against the grid's).

Each problem is reported with the page, the width and the element, all at once."""

from __future__ import annotations

import pytest

from kechuang.demo.services import DEMO_PASSWORD, demo_load

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (1280, 1366, 768, 390)

#: (demo login, workbench role)
WORKBENCHES = [("regulator", "regulator"), ("lixia", "district"), ("bank", "bank"), ("guarantor", "guarantor"),
               ("insurer", "insurer"), ("investor", "investor"), ("agency", "advisor"),
               ("enterprise", "enterprise")]

#: The main list pages, read as the city regulator (who may open all of them).
LIST_PAGES = ["/enterprises/", "/evaluation/", "/rating/results/", "/marketplace/", "/marketplace/products/",
              "/marketplace/metrics/", "/targets/", "/targets/tasks/", "/targets/cockpit/", "/ingest/",
              "/core/audit/", "/enterprises/consents/"]

#: Runs in the page; returns a list of problems (strings).
CHECK = r"""() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.') : '')
      + ' "' + (el.innerText || el.textContent || '').trim().slice(0, 24).replace(/\s+/g, ' ') + '"';
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const english = (document.documentElement.lang || '').startsWith('en');
  const textNodes = el => { const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); const out = [];
      for (let t = w.nextNode(); t; t = w.nextNode()) out.push(t); return out; };
  if (document.documentElement.scrollWidth > vw + 1)
    out.push('page scrolls sideways: scrollWidth ' + document.documentElement.scrollWidth + ' > ' + vw);
  // Elements past the right edge, outside any horizontally scrolling or clipping box.
  const clipped = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true; }
    return false; };
  let past = 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1 && !clipped(el) && past++ < 5) out.push('past the right edge (' + Math.round(r.right) + ' > ' + vw + '): ' + name(el));
  }
  // Labels on one line: nav entries, buttons, badges, table headings, the workbench's figure labels.
  for (const el of document.querySelectorAll('.navbar-nav .nav-link, .navbar-brand, .btn, .badge, th, .wb-figure > .small, .kc-card .row > .col > .text-muted')) {
    if (!visible(el)) continue;
    const range = document.createRange(); range.selectNodeContents(el);
    const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
    const lineH = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.5;
    const text = el.getBoundingClientRect();
    const inner = Array.from(range.getClientRects()).filter(r => r.width > 0);
    const h = inner.length ? Math.max(...inner.map(r => r.bottom)) - Math.min(...inner.map(r => r.top)) : 0;
    if (!english && h > lineH * 1.6 && text.height > 0) out.push('label on more than one line (' + Math.round(h) + ' px): ' + name(el));
    // English wraps between words (the house style lets headings and clocks take two lines) but
    // never inside one: each word of the label on a single line.
    if (english) for (const t of textNodes(el)) for (const m of t.textContent.matchAll(/\S+/g)) {
      const w = document.createRange(); w.setStart(t, m.index); w.setEnd(t, m.index + m[0].length);
      const lines = new Set(Array.from(w.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) out.push('a word broken over two lines: "' + m[0] + '" in ' + name(el));
    }
  }
  // The header keeps the logout button on the brand's row: on a phone the nav entries take a row of
  // their own below, but the user's name and 退出 never drop to a line by themselves.
  const brand = document.querySelector('.navbar-brand');
  const logout = document.querySelector('.navbar form[action*="logout"] button');
  if (brand && logout && visible(logout)) {
    const b = brand.getBoundingClientRect(), l = logout.getBoundingClientRect();
    if (l.top >= b.bottom - 1 || l.bottom <= b.top + 1) out.push('the header wraps: ' + name(logout) + ' is not on the row of ' + name(brand));
  }
  // Table cells cut off by a clipping box (overflow hidden or clip: a card, a column): a status
  // column past the card's edge is clipped, not scrolled.
  let cut = 0;
  for (const cell of document.querySelectorAll('main th, main td')) {
    if (!visible(cell)) continue;
    const r = cell.getBoundingClientRect();
    for (let p = cell.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') break;  // a scrolling box: the cell can be scrolled to
      if (o === 'hidden' || o === 'clip') {
        const b = p.getBoundingClientRect();
        if (r.right > b.right + 1 && cut++ < 5) out.push('cell clipped by ' + name(p) + ' (' + Math.round(r.right) + ' > ' + Math.round(b.right) + '): ' + name(cell));
        break;
      }
    }
  }
  // From 1280 px up a workbench's card shows its whole table and every figure label: a table
  // that only scrolls sideways hides its last column (the legs card's 状态), an ellipsis hides
  // the end of a label.
  if (window.kcDesktopWhole && vw >= 1280) {
    for (const box of document.querySelectorAll('main .kc-card, main .table-responsive, main .kc-table-scroll')) {
      if (visible(box) && box.scrollWidth > box.clientWidth + 1 && cut++ < 5)
        out.push('a card scrolls sideways at desktop width (' + box.scrollWidth + ' > ' + box.clientWidth + '): ' + name(box));
    }
    for (const el of document.querySelectorAll('main *')) {
      if (!visible(el) || getComputedStyle(el).textOverflow !== 'ellipsis') continue;
      if (el.scrollWidth > el.clientWidth + 1 && cut++ < 5) out.push('label cut off by an ellipsis: ' + name(el));
    }
  }
  // A cell's own text cut off (its content wider than the cell, which hides the overflow).
  for (const cell of document.querySelectorAll('main th, main td')) {
    if (!visible(cell)) continue;
    const o = getComputedStyle(cell).overflowX;
    if ((o === 'hidden' || o === 'clip') && cell.scrollWidth > cell.clientWidth + 1 && cut++ < 5) out.push('cell text clipped: ' + name(cell));
  }
  // Names of enterprises and institutions in table cells ("…科技有限公司") on one line: a narrow
  // column must not break a name between characters ("有限/公司").
  let names = 0;
  for (const td of document.querySelectorAll('main td')) {
    if (!visible(td)) continue;
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      // a text node that is a name, not a sentence mentioning a company
      // (a bracketed suffix such as （演示） may go to the next line: a break before a bracket is Chinese usage)
      const m = /^(\s*)([\u4e00-\u9fffA-Za-z0-9]{2,40}(公司|中心|银行|分行|支行))(（[^）]*）)?\s*$/.exec(t.textContent);
      if (!m) continue;
      const range = document.createRange(); range.setStart(t, m[1].length); range.setEnd(t, m[1].length + m[2].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1 && names++ < 5) out.push('name broken over ' + tops.size + ' lines: "' + m[2] + '" in ' + name(td));
    }
  }
  // Charts: axis labels inside the box, legend clear of the plot.
  if (window.echarts) for (const el of document.querySelectorAll('[_echarts_instance_]')) {
    const chart = echarts.getInstanceByDom(el); if (!chart || !visible(el)) continue;
    const opt = chart.getOption(); const id = el.id || 'chart';
    const cartesian = (opt.xAxis || []).length > 0;
    if (cartesian && !(opt.grid || []).every(g => g.containLabel === true)) out.push(id + ': grid.containLabel is not true (axis labels may be clipped)');
    if (el.scrollWidth > el.clientWidth + 1) out.push(id + ': wider than its box');
    const model = chart.getModel();
    const legend = model.getComponent('legend'); const grid = model.getComponent('grid');
    if (legend && grid && legend.get('show') !== false && grid.coordinateSystem) {
      const view = chart.getViewOfComponentModel(legend);
      const b = view.group.getBoundingRect(); const lx = b.x + view.group.x, ly = b.y + view.group.y;
      const g = grid.coordinateSystem.getRect();
      const overlap = lx < g.x + g.width && lx + b.width > g.x && ly < g.y + g.height && ly + b.height > g.y;
      if (b.height > 0 && overlap) out.push(id + ': the legend overlaps the plot area');
    }
    // Every text the chart draws (axis labels, legend entries, values) inside the chart's box; entries a
    // scrolling legend hides behind its clip are not drawn.
    for (const d of chart.getZr().storage.getDisplayList(true)) {
      if (d.invisible || d.ignore || (d.__clipPaths && d.__clipPaths.length) || (d.type !== 'tspan' && d.type !== 'text')) continue;
      const r = d.getBoundingRect().clone(); if (d.transform) r.applyTransform(d.transform);
      if (r.x < -1 || r.y < -1 || r.x + r.width > el.clientWidth + 1 || r.y + r.height > el.clientHeight + 1)
        out.push(id + ': text drawn outside the chart box: "' + ((d.style && d.style.text) || '') + '"');
    }
    if (cartesian && grid && grid.coordinateSystem) {
      const g = grid.coordinateSystem.getRect();
      if (g.x < 0 || g.y < 0 || g.x + g.width > el.clientWidth + 1 || g.y + g.height > el.clientHeight + 1)
        out.push(id + ': the plot area leaves the chart box');
    }
  }
  return out;
}"""


@pytest.fixture
def demo_site(live_server):
    demo_load(n=160)
    return live_server


def _problems(page, url: str, *, desktop_whole: bool = False) -> list[str]:
    """``desktop_whole``: from 1280 px, cards may not scroll sideways nor labels end in an ellipsis
    (the workbenches; list pages may scroll a wide table)."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(150)  # charts render on the next frame
        if desktop_whole:
            page.evaluate("() => { window.kcDesktopWhole = true; }")
        problems += [f"{url} @ {width}px: {p}" for p in page.evaluate(CHECK)]
    return problems


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_every_workbench_holds_from_1280_px_to_a_phone(browser, demo_site, locale):
    """In Chinese and in English (longer labels: the bank's legs card lost its status column)."""
    problems = []
    for username, role in WORKBENCHES:
        context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
        page = context.new_page()
        login(page, demo_site, username, DEMO_PASSWORD)
        page.wait_for_selector(f"#workbench[data-role='{role}']")
        problems += [f"[{username} {locale}] {p}" for p in _problems(page, f"{demo_site.url}/", desktop_whole=True)]
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_main_list_pages_hold_from_1280_px_to_a_phone(browser, demo_site):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    login(page, demo_site, "regulator", DEMO_PASSWORD)
    problems = []
    for path in LIST_PAGES:
        problems += _problems(page, f"{demo_site.url}{path}")
    context.close()
    assert problems == [], "\n".join(problems)
