/**
 * The report page's inline style sheet and its hover script (the page stays one self-contained
 * file). The page's Content-Security-Policy allows exactly these two by their sha256 (html.ts),
 * so no other inline script or style, and nothing remote, can run. The script reads the chart
 * data as JSON and builds the read-out with DOM calls and textContent only: a label, file name or
 * message from a JTL is always text, never markup.
 */
import { createHash } from 'node:crypto';

export const CSS = `
:root{--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--bg:#f9fafb;--card:#fff;--bad:#b91c1c;--good:#047857}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 32px;background:#0f172a;color:#f8fafc}header h1{margin:0 0 4px;font-size:20px}header p{margin:0;color:#cbd5e1}
main{max-width:1040px;margin:0 auto;padding:20px 16px 48px}
.verdict-box{border-radius:8px;padding:10px 14px;margin-bottom:16px;border:1px solid}.verdict-box.pass{background:#ecfdf5;border-color:#6ee7b7}.verdict-box.fail{background:#fef2f2;border-color:#fca5a5}
.verdict-box b{font-size:16px}.verdict-box ul{margin:6px 0 0;padding-left:20px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:12px;margin-bottom:8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}.card b{display:block;font-size:20px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.card span{color:var(--muted);font-size:12px}
.card.bad b{color:var(--bad)}
section{margin-top:28px}h2{font-size:16px;margin:0 0 10px}h3{font-size:14px;margin:16px 0 8px}
figure.chart{margin:0 0 18px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 12px 8px;position:relative}
figcaption{font-weight:600;margin-bottom:6px}figcaption small{color:var(--muted);font-weight:400}
svg{width:100%;height:auto;display:block}.grid{stroke:var(--line)}.axis{stroke:#9ca3af}.tick{fill:var(--muted);font-size:11px}
.series{fill:none;stroke-width:2;stroke-linejoin:round;stroke-opacity:.9}.cursor{stroke:#9ca3af;stroke-dasharray:3 3}
.rowlabel{font-size:12px;fill:var(--fg)}.value{font-size:10px;fill:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:var(--muted);margin-top:4px}
.tip{position:absolute;pointer-events:none;background:#111827;color:#f9fafb;font-size:12px;padding:6px 8px;border-radius:6px;white-space:nowrap;display:none;z-index:2}
.tip .sw{margin-right:4px}
.empty{color:var(--muted);padding:24px;text-align:center;margin:0}.note{color:var(--muted);font-size:12px;margin:4px 0 0}
.tablewrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px;font-size:12px}
th,td{padding:5px 6px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}th{background:#f3f4f6;font-weight:600}
td.label{white-space:normal;overflow-wrap:anywhere;max-width:300px}td.msg{white-space:normal;overflow-wrap:anywhere;text-align:left}
td.label,th.label,table.kv th,table.kv td{text-align:left}td.bad{color:var(--bad);font-weight:600}td.good{color:var(--good)}.muted{color:var(--muted)}
tr.total td{font-weight:600}
#comparison td{white-space:normal;font-size:12px}#comparison td.label{min-width:220px}
.verdict{font-weight:600;margin:0 0 10px}.verdict.bad,.flag{color:var(--bad)}.verdict.good{color:var(--good)}.flag{font-size:11px;text-transform:uppercase;margin-right:4px}
.legend span{display:inline-flex;align-items:center;gap:6px;overflow-wrap:anywhere}.legend svg{width:28px;height:8px;flex:none}
.warn{background:#fef3c7;border:1px solid #fcd34d;border-radius:8px;padding:8px 12px;margin-bottom:12px;overflow-wrap:anywhere}
.hist{display:grid;grid-template-columns:1fr 1fr;gap:0 12px}.hist figure.chart{margin-bottom:12px}
code{font-size:12px;overflow-wrap:anywhere}`;

/** Hover read-out for line charts: the values of every series at the bucket under the cursor. */
export const SCRIPT = `
(function () {
  var COLOR = /^#[0-9a-fA-F]{6}$/;
  function line(tip, color, text) {
    var row = document.createElement('div');
    if (color !== null && COLOR.test(color)) {
      var sw = document.createElement('span'); sw.className = 'sw'; sw.style.color = color; sw.textContent = '\\u25A0'; row.appendChild(sw);
    }
    row.appendChild(document.createTextNode(text)); tip.appendChild(row);
  }
  document.querySelectorAll('svg[data-hover]').forEach(function (svg) {
    var data = JSON.parse(svg.getAttribute('data-hover'));
    var plot = svg.querySelector('.plot'); var cursor = svg.querySelector('.cursor');
    var x0 = +plot.getAttribute('data-x0'), x1 = +plot.getAttribute('data-x1');
    var tip = document.createElement('div'); tip.className = 'tip'; svg.parentNode.appendChild(tip);
    svg.addEventListener('mousemove', function (e) {
      var box = svg.getBoundingClientRect(); var vx = (e.clientX - box.left) * (svg.viewBox.baseVal.width / box.width);
      var n = data.t.length; var i = n === 1 ? 0 : Math.round((vx - x0) / (x1 - x0) * (n - 1));
      if (i < 0 || i >= n) { tip.style.display = 'none'; cursor.setAttribute('visibility', 'hidden'); return; }
      var cx = n === 1 ? (x0 + x1) / 2 : x0 + i / (n - 1) * (x1 - x0);
      cursor.setAttribute('x1', cx); cursor.setAttribute('x2', cx); cursor.setAttribute('visibility', 'visible');
      var s = Math.round(data.t[i] / 1000);
      tip.replaceChildren();
      line(tip, null, '+' + Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'));
      data.s.forEach(function (d) { var v = d.v[i]; line(tip, String(d.c), String(d.n) + ': ' + (v === null ? '\\u2013' : String(v))); });
      tip.style.display = 'block';
      tip.style.left = Math.max(0, Math.min(e.clientX - box.left + 16, box.width - tip.offsetWidth)) + 'px'; tip.style.top = (e.clientY - box.top + 24) + 'px';
    });
    svg.addEventListener('mouseleave', function () { tip.style.display = 'none'; cursor.setAttribute('visibility', 'hidden'); });
  });
})();`;

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The page's policy: nothing remote, no plugins, no forms, no base tag; only the page's own
 * style sheet and script (by hash); data: images only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(CSS)}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');
