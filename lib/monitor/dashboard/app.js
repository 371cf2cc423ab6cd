/* The dashboard: a snapshot from /monitor/snapshot, then live updates from the
 * /events stream. The page signs in once (the key goes in an Authorization
 * header to POST /auth/session, which sets an HttpOnly session cookie); after
 * that fetch and EventSource send only the cookie: no key in any URL or storage. */
'use strict';
(function () {
  var signedIn = false;
  var state = { campaigns: {}, agents: {}, calls: {}, amd: {}, idle: {}, stats: {}, monitors: {}, clockSkew: 0 };
  var CODE_NAMES = {
    1: 'answered',
    2: 'no answer',
    3: 'busy',
    4: 'machine',
    5: 'fax',
    6: 'unallocated',
    7: 'silence',
    8: 'customer abandon',
    9: 'hung up',
    10: 'do-not-call',
    13: 'dial error',
    14: 'abandon',
    16: 'busy ann.',
    17: 'phone off',
    18: 'no response',
    19: 'system error',
    20: 'connected',
    21: 'barred',
    22: 'roaming',
    31: 'no number',
  };

  function $(id) {
    return document.getElementById(id);
  }
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
      return r
        .json()
        .catch(function () {
          return {};
        })
        .then(function (body) {
          if (!r.ok) throw new Error(body.message || 'HTTP ' + r.status);
          return body;
        });
    });
  }
  function dur(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }
  function pct(x) {
    return (x * 100).toFixed(1) + ' %';
  }
  function now() {
    return Date.now() + state.clockSkew;
  }

  function renderCampaigns() {
    var body = $('campaigns').tBodies[0];
    body.textContent = '';
    Object.keys(state.campaigns)
      .sort()
      .forEach(function (id) {
        var c = state.campaigns[id];
        if (c.state === 'closed') return;
        var tr = el('tr', { 'data-campaign': id });
        tr.appendChild(el('td', {}, c.name || id));
        var st = el('td');
        st.appendChild(el('span', { class: 'state ' + c.state }, c.state));
        tr.appendChild(st);
        var sw = el('td');
        var action = c.state === 'running' ? 'pause' : c.state === 'paused' ? 'resume' : c.state === 'draft' ? 'start' : null;
        if (action) {
          var b = el(
            'button',
            { 'data-action': action },
            action === 'pause' ? '∥ Pause' : '▶ ' + (action === 'start' ? 'Start' : 'Resume'),
          );
          b.onclick = function () {
            b.disabled = true;
            api('/campaigns/' + encodeURIComponent(id) + '/' + action, { method: 'POST' })
              .then(function (r) {
                c.state = r.campaign.state;
                renderCampaigns();
              })
              .catch(function (e) {
                alert(e.message);
                b.disabled = false;
              });
          };
          sw.appendChild(b);
        } else sw.textContent = '—';
        tr.appendChild(sw);
        var pr = el('td', { class: 'progress' });
        var bar = el('span', { class: 'bar' });
        var fill = el('i');
        fill.style.width = (c.total ? Math.round((100 * c.processed) / c.total) : 0) + '%';
        bar.appendChild(fill);
        pr.appendChild(bar);
        pr.appendChild(document.createTextNode(c.processed + ' / ' + c.total + (c.inflight ? ' (' + c.inflight + ' dialing)' : '')));
        // Why a running campaign places no call (campaign.dialing events; GET /campaigns/:id → dialing).
        var why = c.state === 'running' && state.idle[id];
        if (why)
          pr.appendChild(
            el(
              'div',
              { class: 'idle', 'data-reason': why.reason, title: why.detail || '' },
              'not dialling: ' + why.reason.replace(/_/g, ' ') + (why.until ? ' until ' + new Date(why.until).toLocaleString() : ''),
            ),
          );
        tr.appendChild(pr);
        var near = c.abandonCapPct && c.abandonRate * 100 >= 0.8 * c.abandonCapPct;
        tr.appendChild(
          el(
            'td',
            { class: 'abandon' + (near ? ' warn' : '') },
            pct(c.abandonRate || 0) + ' of ' + c.live + (c.abandonCapPct ? ' (cap ' + c.abandonCapPct + ' %)' : ''),
          ),
        );
        // Calls with a person waiting for an agent, the longest wait, and the dial level (calls in flight per logged-in agent).
        var waiting = Object.keys(state.calls)
          .map(function (k) {
            return state.calls[k];
          })
          .filter(function (x) {
            return x.campaignId === id && x.phase === 'awaiting_agent';
          });
        var longest = waiting.reduce(function (m, x) {
          return Math.max(m, now() - x.phaseAt);
        }, 0);
        var agentsOn = Object.keys(state.agents).filter(function (k) {
          return state.agents[k].state !== 'logged_out';
        }).length;
        tr.appendChild(
          el(
            'td',
            { class: 'waiting' },
            waiting.length +
              ' waiting' +
              (waiting.length ? ' (longest ' + dur(longest) + ')' : '') +
              ' · level ' +
              (agentsOn ? ((c.inflight || 0) / agentsOn).toFixed(1) : '–'),
          ),
        );
        var st2 = state.stats[id];
        tr.appendChild(
          el('td', { class: 'stats' }, st2 ? st2.connects + '/h · ' + pct(st2.last24h.rate) + ' / ' + pct(st2.last30d.rate) : '…'),
        );
        var codes = el('td', { class: 'codes' });
        Object.keys(c.byCode || {})
          .sort(function (a, b) {
            return a - b;
          })
          .forEach(function (code) {
            codes.appendChild(el('span', { 'data-code': code, title: 'code ' + code }, (CODE_NAMES[code] || code) + ': ' + c.byCode[code]));
          });
        tr.appendChild(codes);
        var amd = state.amd[id];
        tr.appendChild(
          el(
            'td',
            { class: 'amd' },
            amd && amd.judged
              ? pct(amd.accuracy) +
                  ' of ' +
                  amd.judged +
                  ' (machine→person ' +
                  (amd.machineAsHumanRate === null ? '–' : pct(amd.machineAsHumanRate)) +
                  ')'
              : 'no judged calls yet',
          ),
        );
        body.appendChild(tr);
      });
  }
  function renderAgents() {
    var body = $('agents').tBodies[0];
    body.textContent = '';
    Object.keys(state.agents)
      .sort()
      .forEach(function (id) {
        var a = state.agents[id];
        if (a.state === 'logged_out') return;
        var tr = el('tr', { 'data-agent': id });
        tr.appendChild(el('td', {}, a.name ? a.name + ' (' + id + ')' : id));
        var st = el('td');
        st.appendChild(el('span', { class: 'state ' + a.state }, a.state.replace('_', '-')));
        tr.appendChild(st);
        tr.appendChild(el('td', { class: 'since', 'data-since': a.since }, dur(now() - a.since)));
        tr.appendChild(
          el(
            'td',
            { class: 'customer' },
            a.attemptId
              ? (a.customer ? (a.customer.name || '') + ' ' + (a.customer.phone || '') : '') + ' [' + (a.campaignId || '') + ']'
              : '',
          ),
        );
        // Listen in / whisper / barge: the dialer calls "My phone" and joins it to the agent's call.
        var sup = el('td', { class: 'supervise' });
        var m = state.monitors[id];
        if (m) sup.appendChild(el('span', { class: 'pill on' }, m.mode + (m.status === 'ringing' ? ' (ringing)' : '')));
        if (a.state === 'talking') {
          ['listen', 'whisper', 'barge'].forEach(function (mode) {
            if (m && m.mode === mode) return;
            var b = el('button', { 'data-monitor': mode }, mode);
            b.onclick = function () {
              supervise(id, mode);
            };
            sup.appendChild(b);
          });
        }
        if (m) {
          var x = el('button', { 'data-monitor': 'stop' }, 'stop');
          x.onclick = function () {
            api('/agents/' + encodeURIComponent(id) + '/monitor', { method: 'DELETE' }).catch(function (e) {
              alert(e.message);
            });
          };
          sup.appendChild(x);
        }
        tr.appendChild(sup);
        // Force a state or log the agent out (seed 001: supervisors release agents).
        var force = el('td', { class: 'force' });
        var waiting = ['ready', 'return_calls', 'break', 'away'];
        waiting.forEach(function (to) {
          if (a.state === to || waiting.indexOf(a.state) < 0) return;
          var b = el('button', { 'data-force': to }, to);
          b.onclick = function () {
            api('/agents/' + encodeURIComponent(id) + '/state', {
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ state: to }),
            }).catch(function (e) {
              alert(e.message);
            });
          };
          force.appendChild(b);
        });
        if (a.state !== 'talking' && a.state !== 'reserved') {
          var lo = el('button', { 'data-force': 'logout' }, 'log out');
          lo.onclick = function () {
            api('/agents/' + encodeURIComponent(id) + '/logout', { method: 'POST' }).catch(function (e) {
              alert(e.message);
            });
          };
          force.appendChild(lo);
        }
        tr.appendChild(force);
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
      tr.appendChild(el('td', { class: 'phase' }, c.phase));
      tr.appendChild(el('td', { class: 'since', 'data-since': c.phaseAt }, dur(now() - c.phaseAt)));
      tr.appendChild(el('td', {}, c.agentId || ''));
      body.appendChild(tr);
    });
  }
  function tickTimers() {
    document.querySelectorAll('[data-since]').forEach(function (td) {
      td.textContent = dur(now() - Number(td.getAttribute('data-since')));
    });
  }
  function logEvent(type, d) {
    var li = el(
      'li',
      {},
      new Date(d.at).toLocaleTimeString() +
        ' ' +
        type +
        (d.campaignId ? ' ' + d.campaignId : '') +
        (d.agentId ? ' ' + d.agentId : '') +
        (d.code !== undefined ? ' code ' + d.code : '') +
        (d.phase ? ' ' + d.phase : '') +
        (d.to ? ' → ' + d.to : '') +
        (d.mode ? ' ' + d.mode + ' ' + d.status + (d.by ? ' by ' + d.by : '') : ''),
    );
    var list = $('events');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > 50) list.removeChild(list.lastChild);
  }
  function loadAmd(id) {
    api('/reports/campaigns/' + encodeURIComponent(id) + '/amd')
      .then(function (r) {
        state.amd[id] = r.overall;
        renderCampaigns();
      })
      .catch(function () {});
  }

  function supervise(agentId, mode) {
    var phone = $('my-phone').value.trim();
    if (!phone) {
      alert('Enter your phone (a sip: address) first: the dialer calls it.');
      $('my-phone').focus();
      return;
    }
    localStorage.setItem('supervisorPhone', phone);
    var running = state.monitors[agentId];
    var req = running
      ? api('/agents/' + encodeURIComponent(agentId) + '/monitor', {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ mode: mode }),
        })
      : api('/agents/' + encodeURIComponent(agentId) + '/monitor', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ mode: mode, phone: phone }),
        });
    // The stream may already have told a newer status (active) than this answer (ringing): keep that one.
    req
      .then(function (r) {
        var cur = state.monitors[agentId];
        if (cur) cur.mode = r.mode;
        else state.monitors[agentId] = r;
        renderAgents();
      })
      .catch(function (e) {
        alert(e.message);
      });
  }
  // Connects in the last hour and the 24 h / 30 d abandon rates (campaign report), refreshed every 30 s.
  function loadStats(id) {
    api('/reports/campaigns/' + encodeURIComponent(id) + '?from=' + encodeURIComponent(new Date(now() - 3600000).toISOString()))
      .then(function (r) {
        state.stats[id] = { connects: r.connects, last24h: r.abandon.last24h, last30d: r.abandon.last30d };
        renderCampaigns();
      })
      .catch(function () {});
  }
  function loadCallbacks() {
    var ids = Object.keys(state.campaigns).filter(function (id) {
      var st = state.campaigns[id].state;
      return st === 'running' || st === 'paused' || st === 'draft';
    });
    Promise.all(
      ids.map(function (id) {
        return api('/campaigns/' + encodeURIComponent(id) + '/callbacks?state=scheduled')
          .then(function (r) {
            return r.callbacks;
          })
          .catch(function () {
            return [];
          });
      }),
    ).then(function (lists) {
      var body = $('callbacks').tBodies[0];
      body.textContent = '';
      [].concat.apply([], lists).forEach(function (cb) {
        var tr = el('tr', { 'data-callback': cb.id });
        tr.appendChild(el('td', {}, cb.campaignId));
        tr.appendChild(el('td', {}, new Date(cb.dueAt).toLocaleString()));
        tr.appendChild(el('td', {}, cb.phone));
        tr.appendChild(el('td', {}, cb.name || ''));
        var ot = el('td');
        var inp = el('input', { size: 8, 'aria-label': 'owner', placeholder: 'anyone' });
        inp.value = cb.owner || '';
        ot.appendChild(inp);
        tr.appendChild(ot);
        var bt = el('td');
        var b = el('button', {}, 'reassign');
        // Reassign: another agent, or empty = open to the group.
        b.onclick = function () {
          api('/campaigns/' + encodeURIComponent(cb.campaignId) + '/callbacks/' + encodeURIComponent(cb.id), {
            method: 'PATCH',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ owner: inp.value.trim() || null }),
          })
            .then(loadCallbacks)
            .catch(function (e) {
              alert(e.message);
            });
        };
        bt.appendChild(b);
        tr.appendChild(bt);
        body.appendChild(tr);
      });
    });
  }

  var handlers = {
    'campaign.progress': function (d) {
      state.campaigns[d.campaignId] = d;
      renderCampaigns();
    },
    'campaign.state': function (d) {
      var c = state.campaigns[d.campaignId];
      if (c) {
        c.state = d.to;
        renderCampaigns();
      }
    },
    'campaign.completed': function (d) {
      loadAmd(d.campaignId);
    },
    'campaign.dialing': function (d) {
      state.idle[d.campaignId] = d.state === 'idle' ? d : undefined;
      renderCampaigns();
    },
    'agent.state': function (d) {
      var a = state.agents[d.agentId] || (state.agents[d.agentId] = { id: d.agentId });
      a.state = d.to;
      a.since = d.since;
      if (d.to !== 'talking' && d.to !== 'wrap_up' && d.to !== 'reserved') {
        a.attemptId = undefined;
        a.campaignId = undefined;
      }
      renderAgents();
    },
    'agent.screen-pop': function (d) {
      var a = state.agents[d.agentId];
      if (a) {
        a.attemptId = d.attemptId;
        a.campaignId = d.campaignId;
        a.customer = d.pop ? { name: d.pop.name, phone: d.pop.phone } : undefined;
        renderAgents();
      }
    },
    'supervisor.monitor': function (d) {
      if (d.status === 'ended') delete state.monitors[d.agentId];
      else state.monitors[d.agentId] = d;
      renderAgents();
    },
    'call.started': function (d) {
      state.calls[d.attemptId] = { campaignId: d.campaignId, attemptId: d.attemptId, ref: d.ref, phase: 'dialing', phaseAt: d.at };
      renderCalls();
    },
    'call.phase': function (d) {
      var c = state.calls[d.attemptId];
      if (c) {
        c.phase = d.phase;
        c.phaseAt = d.at;
        if (d.agentId) c.agentId = d.agentId;
        renderCalls();
        renderCampaigns();
      }
    },
    'call.ended': function (d) {
      delete state.calls[d.attemptId];
      renderCalls();
    },
  };

  function connect(lastEventId) {
    var es = new EventSource('/events?lastEventId=' + lastEventId);
    es.onopen = function () {
      $('conn').textContent = 'live';
      $('conn').className = 'pill on';
    };
    es.onerror = function () {
      $('conn').textContent = 'reconnecting…';
      $('conn').className = 'pill off';
    };
    Object.keys(handlers)
      .concat(['call.started', 'attempt.skipped', 'campaign.abandon-warning', 'agent.released'])
      .forEach(function (type) {
        es.addEventListener(type, function (m) {
          var d = JSON.parse(m.data);
          if (handlers[type]) handlers[type](d);
          if (type !== 'campaign.progress') logEvent(type, d);
        });
      });
    es.addEventListener('gap', function () {
      es.close();
      start();
    });
    window.dialerEvents = es;
  }

  function start() {
    api('/monitor/snapshot')
      .then(function (s) {
        state.clockSkew = s.now - Date.now();
        state.campaigns = {};
        state.agents = {};
        state.calls = {};
        s.campaigns.forEach(function (c) {
          state.campaigns[c.campaignId] = c;
          loadAmd(c.campaignId);
          loadStats(c.campaignId);
          if (c.state === 'running')
            api('/campaigns/' + encodeURIComponent(c.campaignId))
              .then(function (r) {
                state.idle[c.campaignId] = r.dialing && r.dialing.state === 'idle' ? r.dialing : undefined;
                renderCampaigns();
              })
              .catch(function () {});
        });
        s.agents.forEach(function (a) {
          state.agents[a.id] = a;
        });
        s.calls.forEach(function (c) {
          state.calls[c.attemptId] = c;
        });
        $('runtime').textContent = s.live ? '' : 'the dialer runtime is not running in this process: campaign progress only';
        $('login').hidden = true;
        $('main').hidden = false;
        api('/monitors')
          .then(function (ms) {
            ms.forEach(function (m) {
              state.monitors[m.agentId] = m;
            });
            renderAgents();
          })
          .catch(function () {});
        renderCampaigns();
        renderAgents();
        renderCalls();
        loadCallbacks();
        connect(s.lastEventId);
      })
      .catch(function (e) {
        $('login').hidden = false;
        $('main').hidden = true;
        $('login-error').textContent = signedIn ? e.message : '';
      });
  }

  $('login').onsubmit = function (ev) {
    ev.preventDefault();
    var key = $('key').value.trim();
    $('key').value = '';
    api('/auth/session', { method: 'POST', headers: { authorization: 'Bearer ' + key } })
      .then(function () {
        signedIn = true;
        start();
      })
      .catch(function (e) {
        $('login-error').textContent = e.message;
      });
  };
  $('signout').onclick = function () {
    if (window.dialerEvents) window.dialerEvents.close();
    api('/auth/session', { method: 'DELETE' })
      .catch(function () {})
      .then(function () {
        location.reload();
      });
  };
  setInterval(tickTimers, 1000);
  setInterval(function () {
    if ($('main').hidden) return;
    Object.keys(state.campaigns).forEach(loadStats);
    loadCallbacks();
  }, 30000);
  $('my-phone').value = localStorage.getItem('supervisorPhone') || '';
  start();
})();
