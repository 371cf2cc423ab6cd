/* The dashboard: a snapshot from /monitor/snapshot, then live updates from the
 * /events stream. The page signs in once (the key goes in an Authorization
 * header to POST /auth/session, which sets an HttpOnly session cookie); after
 * that fetch and EventSource send only the cookie: no key in any URL or storage. */
'use strict';
(function () {
  var signedIn = false;
  var state = { campaigns: {}, agents: {}, calls: {}, amd: {}, idle: {}, clockSkew: 0 };
  var CODE_NAMES = { 1: 'answered', 2: 'no answer', 3: 'busy', 4: 'machine', 5: 'fax', 6: 'unallocated', 7: 'silence', 8: 'customer abandon', 9: 'hung up', 10: 'do-not-call', 13: 'dial error', 14: 'abandon', 16: 'busy ann.', 17: 'phone off', 18: 'no response', 19: 'system error', 20: 'connected', 21: 'barred', 22: 'roaming', 31: 'no number' };

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function api(path, opts) {
    opts = opts || {};
    opts.credentials = 'same-origin';
    return fetch(path, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw new Error(body.message || ('HTTP ' + r.status));
        return body;
      });
    });
  }
  function dur(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }
  function pct(x) { return (x * 100).toFixed(1) + ' %'; }
  function now() { return Date.now() + state.clockSkew; }

  function renderCampaigns() {
    var body = $('campaigns').tBodies[0];
    body.textContent = '';
    Object.keys(state.campaigns).sort().forEach(function (id) {
      var c = state.campaigns[id];
      if (c.state === 'closed') return;
      var tr = el('tr', { 'data-campaign': id });
      tr.appendChild(el('td', {}, c.name || id));
      var st = el('td'); st.appendChild(el('span', { 'class': 'state ' + c.state }, c.state)); tr.appendChild(st);
      var sw = el('td');
      var action = c.state === 'running' ? 'pause' : c.state === 'paused' ? 'resume' : c.state === 'draft' ? 'start' : null;
      if (action) {
        var b = el('button', { 'data-action': action }, action === 'pause' ? '∥ Pause' : '▶ ' + (action === 'start' ? 'Start' : 'Resume'));
        b.onclick = function () {
          b.disabled = true;
          api('/campaigns/' + encodeURIComponent(id) + '/' + action, { method: 'POST' })
            .then(function (r) { c.state = r.campaign.state; renderCampaigns(); })
            .catch(function (e) { alert(e.message); b.disabled = false; });
        };
        sw.appendChild(b);
      } else sw.textContent = '—';
      tr.appendChild(sw);
      var pr = el('td', { 'class': 'progress' });
      var bar = el('span', { 'class': 'bar' }); var fill = el('i');
      fill.style.width = (c.total ? Math.round(100 * c.processed / c.total) : 0) + '%';
      bar.appendChild(fill); pr.appendChild(bar);
      pr.appendChild(document.createTextNode(c.processed + ' / ' + c.total + (c.inflight ? ' (' + c.inflight + ' dialing)' : '')));
      // Why a running campaign places no call (campaign.dialing events; GET /campaigns/:id → dialing).
      var why = c.state === 'running' && state.idle[id];
      if (why) pr.appendChild(el('div', { 'class': 'idle', 'data-reason': why.reason, title: why.detail || '' }, 'not dialling: ' + why.reason.replace(/_/g, ' ') + (why.until ? ' until ' + new Date(why.until).toLocaleString() : '')));
      tr.appendChild(pr);
      var near = c.abandonCapPct && c.abandonRate * 100 >= 0.8 * c.abandonCapPct;
      tr.appendChild(el('td', { 'class': 'abandon' + (near ? ' warn' : '') }, pct(c.abandonRate || 0) + ' of ' + c.live + (c.abandonCapPct ? ' (cap ' + c.abandonCapPct + ' %)' : '')));
      var codes = el('td', { 'class': 'codes' });
      Object.keys(c.byCode || {}).sort(function (a, b) { return a - b; }).forEach(function (code) {
        codes.appendChild(el('span', { 'data-code': code, title: 'code ' + code }, (CODE_NAMES[code] || code) + ': ' + c.byCode[code]));
      });
      tr.appendChild(codes);
      var amd = state.amd[id];
      tr.appendChild(el('td', { 'class': 'amd' }, amd && amd.judged ? pct(amd.accuracy) + ' of ' + amd.judged + ' (machine→person ' + (amd.machineAsHumanRate === null ? '–' : pct(amd.machineAsHumanRate)) + ')' : 'no judged calls yet'));
      body.appendChild(tr);
    });
  }
  function renderAgents() {
    var body = $('agents').tBodies[0];
    body.textContent = '';
    Object.keys(state.agents).sort().forEach(function (id) {
      var a = state.agents[id];
      if (a.state === 'logged_out') return;
      var tr = el('tr', { 'data-agent': id });
      tr.appendChild(el('td', {}, a.name ? a.name + ' (' + id + ')' : id));
      var st = el('td'); st.appendChild(el('span', { 'class': 'state ' + a.state }, a.state.replace('_', '-'))); tr.appendChild(st);
      tr.appendChild(el('td', { 'class': 'since', 'data-since': a.since }, dur(now() - a.since)));
      tr.appendChild(el('td', {}, a.attemptId ? (a.campaignId || '') + ' ' + a.attemptId.slice(0, 8) : ''));
      body.appendChild(tr);
    });
  }
  function renderCalls() {
    var body = $('calls').tBodies[0];
    body.textContent = '';
    Object.keys(state.calls).forEach(function (id) {
      var c = state.calls[id];
      var tr = el('tr', { 'data-attempt': id });
      tr.appendChild(el('td', {}, c.campaignId));
      tr.appendChild(el('td', {}, c.ref));
      tr.appendChild(el('td', { 'class': 'phase' }, c.phase));
      tr.appendChild(el('td', { 'class': 'since', 'data-since': c.phaseAt }, dur(now() - c.phaseAt)));
      tr.appendChild(el('td', {}, c.agentId || ''));
      body.appendChild(tr);
    });
  }
  function tickTimers() {
    document.querySelectorAll('[data-since]').forEach(function (td) { td.textContent = dur(now() - Number(td.getAttribute('data-since'))); });
  }
  function logEvent(type, d) {
    var li = el('li', {}, new Date(d.at).toLocaleTimeString() + ' ' + type + (d.campaignId ? ' ' + d.campaignId : '') + (d.agentId ? ' ' + d.agentId : '') + (d.code !== undefined ? ' code ' + d.code : '') + (d.phase ? ' ' + d.phase : '') + (d.to ? ' → ' + d.to : ''));
    var list = $('events');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 50) list.removeChild(list.lastChild);
  }
  function loadAmd(id) {
    api('/reports/campaigns/' + encodeURIComponent(id) + '/amd').then(function (r) { state.amd[id] = r.overall; renderCampaigns(); }).catch(function () {});
  }

  var handlers = {
    'campaign.progress': function (d) { state.campaigns[d.campaignId] = d; renderCampaigns(); },
    'campaign.state': function (d) { var c = state.campaigns[d.campaignId]; if (c) { c.state = d.to; renderCampaigns(); } },
    'campaign.completed': function (d) { loadAmd(d.campaignId); },
    'campaign.dialing': function (d) { state.idle[d.campaignId] = d.state === 'idle' ? d : undefined; renderCampaigns(); },
    'agent.state': function (d) {
      var a = state.agents[d.agentId] || (state.agents[d.agentId] = { id: d.agentId });
      a.state = d.to; a.since = d.since;
      if (d.to !== 'talking' && d.to !== 'wrap_up' && d.to !== 'reserved') { a.attemptId = undefined; a.campaignId = undefined; }
      renderAgents();
    },
    'agent.screen-pop': function (d) { var a = state.agents[d.agentId]; if (a) { a.attemptId = d.attemptId; a.campaignId = d.campaignId; renderAgents(); } },
    'call.started': function (d) { state.calls[d.attemptId] = { campaignId: d.campaignId, attemptId: d.attemptId, ref: d.ref, phase: 'dialing', phaseAt: d.at }; renderCalls(); },
    'call.phase': function (d) { var c = state.calls[d.attemptId]; if (c) { c.phase = d.phase; c.phaseAt = d.at; if (d.agentId) c.agentId = d.agentId; renderCalls(); } },
    'call.ended': function (d) { delete state.calls[d.attemptId]; renderCalls(); },
  };

  function connect(lastEventId) {
    var es = new EventSource('/events?lastEventId=' + lastEventId);
    es.onopen = function () { $('conn').textContent = 'live'; $('conn').className = 'pill on'; };
    es.onerror = function () { $('conn').textContent = 'reconnecting…'; $('conn').className = 'pill off'; };
    Object.keys(handlers).concat(['call.started', 'attempt.skipped', 'campaign.abandon-warning', 'agent.released']).forEach(function (type) {
      es.addEventListener(type, function (m) {
        var d = JSON.parse(m.data);
        if (handlers[type]) handlers[type](d);
        if (type !== 'campaign.progress') logEvent(type, d);
      });
    });
    es.addEventListener('gap', function () { es.close(); start(); });
    window.dialerEvents = es;
  }

  function start() {
    api('/monitor/snapshot').then(function (s) {
      state.clockSkew = s.now - Date.now();
      state.campaigns = {}; state.agents = {}; state.calls = {};
      s.campaigns.forEach(function (c) {
        state.campaigns[c.campaignId] = c; loadAmd(c.campaignId);
        if (c.state === 'running') api('/campaigns/' + encodeURIComponent(c.campaignId)).then(function (r) { state.idle[c.campaignId] = r.dialing && r.dialing.state === 'idle' ? r.dialing : undefined; renderCampaigns(); }).catch(function () {});
      });
      s.agents.forEach(function (a) { state.agents[a.id] = a; });
      s.calls.forEach(function (c) { state.calls[c.attemptId] = c; });
      $('runtime').textContent = s.live ? '' : 'the dialer runtime is not running in this process: campaign progress only';
      $('login').hidden = true; $('main').hidden = false;
      renderCampaigns(); renderAgents(); renderCalls();
      connect(s.lastEventId);
    }).catch(function (e) {
      $('login').hidden = false; $('main').hidden = true;
      $('login-error').textContent = signedIn ? e.message : '';
    });
  }

  $('login').onsubmit = function (ev) {
    ev.preventDefault();
    var key = $('key').value.trim();
    $('key').value = '';
    api('/auth/session', { method: 'POST', headers: { authorization: 'Bearer ' + key } }).then(function () {
      signedIn = true;
      start();
    }).catch(function (e) { $('login-error').textContent = e.message; });
  };
  $('signout').onclick = function () {
    if (window.dialerEvents) window.dialerEvents.close();
    api('/auth/session', { method: 'DELETE' }).catch(function () {}).then(function () { location.reload(); });
  };
  setInterval(tickTimers, 1000);
  start();
})();
