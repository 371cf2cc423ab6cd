// The agent desktop (seed 001 operation). Plain JavaScript, no build step.
// Sign-in sends the typed key once, in the Authorization header, to
// POST /auth/session, which sets an HttpOnly SameSite=Strict session cookie;
// after that the page holds no key at all (the cookie goes with every
// same-origin request, the live stream included). No key is ever in an address.
'use strict';
const $ = (s) => document.querySelector(s);
const S = { agent: sessionStorage.getItem('agentId') || '', live: null, call: null, lastCampaign: null, lastInbound: '' };

async function api(method, path, body, headers) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `${res.status} ${res.statusText}`);
  return data;
}
const say = (msg, bad) => {
  const m = $('#message');
  m.textContent = msg;
  m.className = bad ? 'error' : 'hint';
};
const act = (fn) => async (ev) => {
  if (ev && ev.preventDefault) ev.preventDefault();
  try {
    await fn();
  } catch (e) {
    say(e.message, true);
  }
};
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const base = () => `/agents/${encodeURIComponent(S.agent)}`;

// ---- sign in -------------------------------------------------------------
$('#signin-form').addEventListener(
  'submit',
  act(async () => {
    const key = $('#key').value.trim();
    const as = $('#as-agent').value.trim();
    let me;
    try {
      me = await api('POST', '/auth/session', undefined, { authorization: `Bearer ${key}` });
    } catch (e) {
      $('#signin-error').textContent = e.message;
      return;
    }
    $('#key').value = '';
    if (me.role === 'agent') S.agent = me.agentId;
    else if (as) S.agent = as;
    else {
      $('#signin-error').textContent = 'a supervisor key needs the agent ID whose desk to open';
      return;
    }
    sessionStorage.setItem('agentId', S.agent);
    await start();
  }),
);
$('#signout').addEventListener('click', async () => {
  await api('DELETE', '/auth/session').catch(() => null);
  sessionStorage.clear();
  location.reload();
});

async function start() {
  $('#signin').hidden = true;
  $('#desk').hidden = false;
  $('#signout').hidden = false;
  const def = await api('GET', base()).catch(() => null);
  $('#who').textContent = def ? `${def.name} (${S.agent})` : S.agent;
  $('#phone').textContent = def ? def.sipUri : '';
  await refresh();
  stream();
  setInterval(tick, 1000);
}

// ---- live state ----------------------------------------------------------
async function refresh() {
  S.live = await api('GET', `${base()}/live`);
  const st = S.live.state;
  const badge = $('#state');
  badge.textContent = st.replace('_', '-');
  badge.className = `badge ${st}`;
  $('#release').textContent = S.live.releaseAt
    ? `released at ${new Date(S.live.releaseAt).toLocaleTimeString()} if idle`
    : S.live.lastReason
      ? `last: ${S.live.lastReason}`
      : '';
  $('#login').disabled = st !== 'logged_out';
  $('#logout').disabled = st === 'logged_out' || st === 'talking' || st === 'reserved';
  for (const b of document.querySelectorAll('[data-state]'))
    b.disabled = !['ready', 'return_calls', 'break', 'away'].includes(st) || b.dataset.state === st;
  if (S.live.call) await loadCall();
  else hideCall();
  tick();
  await Promise.all([loadHistory(), loadCallbacks()]);
}

function tick() {
  if (!S.live || !S.live.since) {
    $('#since').textContent = '';
    return;
  }
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(S.live.since)) / 1000));
  $('#since').textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function hideCall() {
  $('#call').hidden = true;
  S.call = null;
}

async function loadCall() {
  const c = await api('GET', `${base()}/call`);
  if (!c.pop) return hideCall();
  const fresh = !S.call || S.call.attemptId !== c.attemptId;
  S.call = c;
  S.lastCampaign = c.pop.campaignId;
  $('#call').hidden = false;
  const p = c.pop;
  const rows = [
    ['Name', p.name],
    ['Phone', p.phone],
    ['Contact ID', p.contactId],
    ['Key 1', p.key1],
    ['Key 2', p.key2],
    ['Attempt', p.attemptNo],
    ['Campaign', c.campaign.name || p.campaignId],
  ];
  // A return call (issue 18): who rang which of our numbers back (kept for an outcome entered from the customer search).
  if (p.inbound && p.inbound.id) S.lastInbound = p.inbound.id;
  if (p.inbound) rows.unshift(['Return call', `${p.inbound.caller || 'withheld number'} → ${p.inbound.did}`]);
  // The analysis could not tell a person from a machine (notSure policy agent-decides): the disposition says which.
  if (p.amdNotSure) rows.unshift(['Not sure', 'person or machine? Your disposition decides (machine / voicemail / fax / silence)']);
  for (const [k, v] of Object.entries(p.attributes || {})) rows.push([k, v]);
  $('#contact tbody').innerHTML = rows
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('');
  $('#script').textContent = c.script || '(no script for this campaign)';
  $('#attempts tbody').innerHTML =
    c.history
      .map(
        (h) =>
          `<tr><td>${h.attemptNo}</td><td>${esc(new Date(h.at).toLocaleString())}</td><td>${esc(h.result)}</td><td>${esc(h.agentId)}</td><td>${esc(h.disposition)}</td><td>${esc(h.note)}</td>` +
          // From the recording's entry in the attempt history (consent: when the announcement had been heard).
          `<td>${h.recording ? esc(`${h.recording.status}${h.recording.durationMs ? ` ${Math.round(h.recording.durationMs / 1000)} s` : ''}`) : ''}${h.consentAt ? ' (consent)' : ''}</td></tr>`,
      )
      .join('') || '<tr><td colspan="7">first call</td></tr>';
  const talking = c.state === 'talking';
  $('#talk-actions').hidden = !talking;
  $('#inbound-dnc').hidden = !(p.inbound && p.inbound.id && p.inbound.caller);
  $('#hold').disabled = !!c.onHold;
  $('#unhold').disabled = !c.onHold;
  $('#hold-badge').hidden = !c.onHold;
  $('#wrap').hidden = c.state !== 'wrap_up';
  $('#cb-zone').textContent = c.timeZone;
  if (fresh) {
    $('#inbound-dnc').disabled = false;
    const ds = c.campaign.dispositions || [];
    $('#disposition').innerHTML =
      (c.campaign.dispositionRequired ? '' : '<option value="">(none)</option>') +
      ds.map((d) => `<option value="${esc(d.code)}">${esc(d.label)} (${esc(d.code)})</option>`).join('');
    $('#note').value = '';
    if (talking) $('#hangup').focus();
  }
  if (c.state === 'wrap_up' && !$('#wrap').contains(document.activeElement)) $('#disposition').focus();
}

// ---- customer search (issue 18, seed 001's 顧客検索) ------------------------
// One box: the API reads digits and separators as a number in any format.
const SR = { query: '', next: null };
async function searchPage(append) {
  const r = await api('GET', `/customers?${SR.query}${append && SR.next ? `&cursor=${encodeURIComponent(SR.next)}` : ''}`);
  SR.next = r.next;
  const rows = r.customers
    .map(
      (h) =>
        `<tr><td>${esc(h.listId)}</td><td>${esc(h.contact.id)}</td><td>${esc(h.contact.name)}</td><td>${esc(h.contact.rawPhone)}</td>` +
        `<td>${esc(h.contact.key1)}</td><td>${h.contact.attempts}</td><td>${esc(h.contact.lastResult ?? '')}</td><td>${esc(h.campaigns.join(', '))}</td>` +
        `<td>${h.campaigns.length ? `<button class="oc-open" data-list="${esc(h.listId)}" data-contact="${esc(h.contact.id)}" data-name="${esc(h.contact.name || h.contact.id)}" data-campaigns="${esc(h.campaigns.join(' '))}">Outcome</button>` : ''}</td></tr>`,
    )
    .join('');
  const body = $('#search-results tbody');
  if (append) body.insertAdjacentHTML('beforeend', rows);
  else body.innerHTML = rows;
  for (const b of body.querySelectorAll('.oc-open:not([data-bound])')) {
    b.dataset.bound = '1';
    b.addEventListener(
      'click',
      act(() => openOutcome(b.dataset)),
    );
  }
  $('#search-more').hidden = !SR.next;
  if (!body.children.length) body.innerHTML = '<tr class="none"><td colspan="9">no customer found</td></tr>';
}
$('#search-form').addEventListener(
  'submit',
  act(async () => {
    const q = $('#search-q').value.trim();
    const list = $('#search-list').value.trim();
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (list) p.set('listId', list);
    SR.query = p.toString();
    SR.next = null;
    await searchPage(false);
  }),
);
$('#search-more').addEventListener(
  'click',
  act(() => searchPage(true)),
);

// ---- outcome entry from the customer search (issue 18, seed 001) -----------
// Supervisors for anyone; an agent for a return call they took (the last one is filled in).
const OC = { list: '', contact: '' };
const ocUrl = () => `/customers/${encodeURIComponent(OC.list)}/${encodeURIComponent(OC.contact)}/outcomes`;
async function loadOutcomes() {
  const rows = await api('GET', ocUrl());
  $('#oc-list tbody').innerHTML =
    rows
      .map(
        (o) =>
          `<tr><td>${esc(new Date(o.at).toLocaleString())}</td><td>${esc(o.campaignId)}</td><td>${esc(o.disposition)}</td><td>${esc(o.note)}</td><td>${esc(o.by)}</td></tr>`,
      )
      .join('') || '<tr><td colspan="5">no outcome yet</td></tr>';
}
async function openOutcome(d) {
  OC.list = d.list;
  OC.contact = d.contact;
  $('#oc-who').textContent = d.name;
  $('#oc-campaign').innerHTML = d.campaigns
    .split(' ')
    .map((c) => `<option value="${esc(c)}">${esc(c)}</option>`)
    .join('');
  $('#oc-disposition').value = '';
  $('#oc-note').value = '';
  $('#oc-inbound').value = S.lastInbound;
  $('#outcome').hidden = false;
  await loadOutcomes();
  $('#oc-note').focus();
}
$('#outcome').addEventListener(
  'submit',
  act(async () => {
    const disposition = $('#oc-disposition').value.trim();
    const note = $('#oc-note').value.trim();
    const inboundCallId = $('#oc-inbound').value.trim();
    await api('POST', ocUrl(), {
      campaignId: $('#oc-campaign').value,
      ...(disposition ? { disposition } : {}),
      ...(note ? { note } : {}),
      ...(inboundCallId ? { inboundCallId } : {}),
    });
    say(`outcome saved for ${OC.list}/${OC.contact}`);
    await loadOutcomes();
  }),
);

// ---- actions --------------------------------------------------------------
const post = (path, body) =>
  act(async () => {
    await api('POST', `${base()}${path}`, body);
    await refresh();
  });
$('#login').addEventListener('click', post('/login'));
$('#logout').addEventListener('click', post('/logout'));
$('#hangup').addEventListener('click', post('/call/hangup'));
$('#hold').addEventListener('click', post('/call/hold'));
$('#unhold').addEventListener('click', post('/call/unhold'));
// DNC from a return call: the caller asked not to be called again (audited as source inbound-call).
$('#inbound-dnc').addEventListener(
  'click',
  act(async () => {
    const id = S.call && S.call.pop && S.call.pop.inbound && S.call.pop.inbound.id;
    if (!id) return;
    const r = await api('POST', `/inbound-calls/${encodeURIComponent(id)}/dnc`);
    $('#inbound-dnc').disabled = true;
    say(`${r.phone} is on the do-not-call list`);
  }),
);
$('#transfer').addEventListener(
  'click',
  act(async () => {
    await api('POST', `${base()}/call/transfer`, { target: $('#transfer-to').value.trim() });
    await refresh();
  }),
);
for (const b of document.querySelectorAll('[data-state]'))
  b.addEventListener(
    'click',
    act(async () => {
      await api('PUT', `${base()}/state`, { state: b.dataset.state });
      await refresh();
    }),
  );
$('#wrap').addEventListener(
  'submit',
  act(async () => {
    const disposition = $('#disposition').value;
    await api('POST', `${base()}/disposition`, {
      attemptId: S.call.attemptId,
      next: $('#next').value,
      ...(disposition ? { disposition } : {}),
      ...($('#note').value ? { note: $('#note').value } : {}),
    });
    say(`saved ${disposition || 'no disposition'}; next: ${$('#next').value}`);
    await refresh();
  }),
);

// A wall-clock time in an IANA zone → ISO 8601 with that zone's offset.
function zonedIso(local, zone) {
  const [d, t] = local.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [h, mi] = t.split(':').map(Number);
  const want = Date.UTC(y, mo - 1, da, h, mi);
  const offsetAt = (ms) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      })
        .formatToParts(new Date(ms))
        .map((p) => [p.type, p.value]),
    );
    return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute) - ms;
  };
  let ms = want - offsetAt(want);
  ms = want - offsetAt(ms);
  const off = Math.round(offsetAt(ms) / 60000);
  const sign = off >= 0 ? '+' : '-';
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${local.length === 16 ? local + ':00' : local}${sign}${pad(off / 60)}:${pad(off % 60)}`;
}

$('#callback').addEventListener(
  'submit',
  act(async () => {
    const c = S.call;
    const dueAt = zonedIso($('#cb-at').value, c.timeZone);
    const body = {
      phone: c.pop.phone,
      dueAt,
      listId: c.pop.listId,
      contactId: c.pop.contactId,
      ...(c.pop.name ? { name: c.pop.name } : {}),
      ...($('#cb-note').value ? { note: $('#cb-note').value } : {}),
    };
    if ($('#cb-owner').value === 'anyone') body.owner = null;
    await api('POST', `/campaigns/${encodeURIComponent(c.pop.campaignId)}/callbacks`, body);
    say(`callback booked for ${dueAt}`);
    await loadCallbacks();
  }),
);

// Every campaign the agent serves (GET /agents/:id/callbacks), not only the last call's.
async function loadCallbacks() {
  if (!S.agent) return;
  const cbs = await api('GET', `${base()}/callbacks`).catch(() => []);
  $('#callbacks tbody').innerHTML =
    cbs
      .map(
        (cb) =>
          `<tr><td>${esc(new Date(cb.dueAt).toLocaleString())}</td><td>${esc(cb.campaignId)}</td><td>${esc(cb.phone)}</td><td>${esc(cb.name)}</td><td>${esc(cb.state)}</td><td>${esc(cb.note)}</td></tr>`,
      )
      .join('') || '<tr><td colspan="6">none</td></tr>';
}

async function loadHistory() {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const rows = await api('GET', `${base()}/history?since=${encodeURIComponent(midnight.toISOString())}`);
  if (!S.lastCampaign && rows[0]) S.lastCampaign = rows[0].campaignId;
  $('#history tbody').innerHTML =
    rows
      .map(
        (r, i) =>
          `<tr data-i="${i}"><td>${esc(new Date(r.at).toLocaleTimeString())}</td><td>${esc(r.name)}</td><td>${esc(r.phone)}</td>` +
          `<td><input class="h-disp" value="${esc(r.disposition)}" size="10" aria-label="disposition"></td><td><input class="h-note" value="${esc(r.note)}" aria-label="note"></td>` +
          `<td><button class="h-save">Save</button></td><td>${r.recording && r.recording.audioUrl ? `<button class="h-rec">Download</button>` : esc(r.recording ? r.recording.status : '')}</td></tr>`,
      )
      .join('') || '<tr><td colspan="7">no calls yet today</td></tr>';
  for (const tr of document.querySelectorAll('#history tbody tr[data-i]')) {
    const r = rows[Number(tr.dataset.i)];
    tr.querySelector('.h-save').addEventListener(
      'click',
      act(async () => {
        const disposition = tr.querySelector('.h-disp').value.trim();
        await api('PATCH', `${base()}/history/${encodeURIComponent(r.campaignId)}/${encodeURIComponent(r.attemptId)}`, {
          ...(disposition ? { disposition } : {}),
          note: tr.querySelector('.h-note').value,
        });
        say(`call ${r.attemptId} updated`);
      }),
    );
    const rec = tr.querySelector('.h-rec');
    if (rec)
      rec.addEventListener(
        'click',
        act(async () => {
          // Fetched with the session cookie, then saved from a blob (the link itself would work too).
          const res = await fetch(r.recording.audioUrl, { credentials: 'same-origin' });
          if (!res.ok) throw new Error(`download failed: ${res.status}`);
          const a = document.createElement('a');
          a.href = URL.createObjectURL(await res.blob());
          a.download = `${r.attemptId}.wav`;
          a.click();
        }),
      );
  }
}

// ---- live stream (SSE over fetch) ----------------------------------------
async function stream() {
  const dot = $('#live-dot');
  for (;;) {
    try {
      const res = await fetch(`${base()}/events`, { credentials: 'same-origin', headers: { accept: 'text/event-stream' } });
      if (!res.ok) throw new Error(`events: ${res.status}`);
      dot.className = 'on';
      const reader = res.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block);
          if (ev && ev[1].startsWith('agent.')) await refresh().catch((e) => say(e.message, true));
        }
      }
    } catch (e) {
      say(`live updates: ${e.message}; retrying`, true);
    }
    dot.className = '';
    await new Promise((r) => setTimeout(r, 2000));
  }
}

// A session cookie from an earlier sign-in in this tab: straight to the desk.
if (S.agent)
  api('GET', '/auth/session')
    .then(() => start())
    .catch((e) => {
      sessionStorage.clear();
      $('#signin-error').textContent = e.message;
      $('#signin').hidden = false;
      $('#desk').hidden = true;
    });
