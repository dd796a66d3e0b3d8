/**
 * The dashboard at `/`: the stack's outputs, buttons that send an event down
 * the success and failure paths, and the hops and log lines as they arrive.
 * Plain HTML and fetch against `/_local/*`, so it needs no build step.
 */
export function dashboardPage(stackName: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(stackName)} (local)</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2433; background: #f6f7f9; }
  header { background: #232f3e; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 18px; margin: 0; flex: 1; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; padding: 16px 20px; }
  section { background: #fff; border: 1px solid #d5dbe3; border-radius: 6px; padding: 12px; overflow: auto; }
  section.wide { grid-column: 1 / span 2; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
  code, pre, .mono { font-family: ui-monospace, Menlo, monospace; font-size: 12px; }
  pre { margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 420px; overflow: auto; }
  button { font: inherit; padding: 6px 12px; border-radius: 4px; border: 1px solid #888; cursor: pointer; }
  button.ok { background: #1e8e3e; color: #fff; border-color: #1e8e3e; }
  button.fail { background: #c5221f; color: #fff; border-color: #c5221f; }
  .svc { font-weight: 600; }
  .svc-lambda { color: #007b83; } .svc-sns { color: #a05a00; } .svc-eventbridge { color: #1e7a2f; }
  .svc-apigateway { color: #8a2c8a; } .svc-sqs { color: #1f4fa3; }
  tr.denied td { color: #c5221f; font-weight: 600; }
  select { font: inherit; }
  #response { margin-top: 8px; }
</style>
</head>
<body>
<header>
  <h1>${escapeHtml(stackName)} <small>running locally</small></h1>
  <button class="ok" id="send">Send event</button>
  <button class="fail" id="send-fail">Send failing event</button>
</header>
<main>
  <section><h2>Outputs</h2><table id="outputs"></table><pre id="response" class="mono"></pre></section>
  <section><h2>Log group</h2>
    <select id="group"></select>
    <pre id="log"></pre>
  </section>
  <section class="wide"><h2>Event flow</h2><table id="traces"><tbody></tbody></table></section>
  <section class="wide"><h2>IAM grants in this run</h2><table id="iam"></table></section>
</main>
<script type="module">
  const $ = (id) => document.getElementById(id);
  const text = (s) => { const span = document.createElement('span'); span.textContent = s; return span.innerHTML; };
  const state = await (await fetch('/_local/state')).json();
  let sendUrl;
  for (const o of state.outputs) {
    if (o.OutputKey === 'SendEventUrl') sendUrl = o.OutputValue;
    const isUrl = /^https?:/.test(o.OutputValue);
    $('outputs').insertAdjacentHTML('beforeend',
      '<tr><th>' + text(o.OutputKey) + '</th><td class="mono">' +
      (isUrl ? '<a href="' + text(o.OutputValue) + '">' + text(o.OutputValue) + '</a>' : text(o.OutputValue)) + '</td></tr>');
  }
  for (const g of state.logGroups) $('group').insertAdjacentHTML('beforeend', '<option>' + text(g) + '</option>');
  async function send(mode) {
    if (!sendUrl) { $('response').textContent = 'The stack has no SendEventUrl output.'; return; }
    const res = await fetch(sendUrl + (mode ? '?mode=' + encodeURIComponent(mode) : ''));
    $('response').textContent = res.status + ' ' + await res.text();
  }
  $('send').onclick = () => send('');
  $('send-fail').onclick = () => send('fail');
  // The readable end of an ARN: a function, topic, rule or queue name.
  const shortName = (r) => (r.split(':').filter((p) => p !== '$LATEST').pop() || r).split('/').pop() || r;
  const pretty = (m) => { try { return JSON.stringify(JSON.parse(m), null, 2); } catch { return m.trimEnd(); } };
  let since = 0;
  async function pollTraces() {
    const events = await (await fetch('/_local/traces?since=' + since)).json();
    for (const e of events) {
      since = Math.max(since, e.time);
      $('traces').tBodies[0].insertAdjacentHTML('afterbegin',
        '<tr' + (e.outcome === 'denied' ? ' class="denied"' : '') + '><td class="mono">' + new Date(e.time).toISOString().slice(11, 23) + '</td><td class="svc svc-' + text(e.service) + '">' +
        text(e.service) + '</td><td>' + text(e.kind) + '</td><td class="mono">' + text(shortName(e.resource)) +
        '</td><td class="mono">' + text(e.summary) + '</td></tr>');
    }
  }
  async function pollLog() {
    const group = $('group').value;
    if (!group) return;
    const lines = await (await fetch('/_local/logs?group=' + encodeURIComponent(group))).json();
    const log = $('log');
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.textContent = lines.map((l) => new Date(l.timestamp).toISOString() + ' ' + pretty(l.message)).join('\\n');
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
  // Per role, the granted actions used and never used (GET /_local/iam).
  async function pollIam() {
    const res = await fetch('/_local/iam');
    if (!res.ok) return;
    const report = await res.json();
    $('iam').innerHTML = report.enforced
      ? report.roles.map((r) => '<tr><th>' + text(r.role) + '</th><td class="mono">' +
          r.used.map((a) => text(a) + ' used').concat(r.neverUsed.map((a) => '<b>' + text(a) + ' never used</b>')).join('; ') +
          '</td></tr>').join('')
      : '<tr><td>IAM is not enforced (--no-iam)</td></tr>';
  }
  $('group').onchange = pollLog;
  setInterval(() => { pollTraces().catch(() => {}); pollLog().catch(() => {}); pollIam().catch(() => {}); }, 1000);
  pollTraces(); pollLog(); pollIam();
</script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
