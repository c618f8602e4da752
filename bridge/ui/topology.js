/* The topology page's script (bridge/ui/topology.html): polls /status, draws
 * the graph and the side panels. tools/ui-page.sh puts it inline into the page
 * that the binary serves at /ui and that is installed. */
'use strict';
(function () {
	var SVGNS = 'http://www.w3.org/2000/svg';
	var POLL_MS = 1000;
	var FETCH_TIMEOUT_MS = 2500;
	var MAX_SIDECARS = 50;
	var RATE_WINDOW_MS = 3000;
	var NODE_W = 200;
	var NODE_HEAD = 46;
	var LINE_H = 16;
	var MAX_Q_LINES = 4;	/* fewer when there are many nodes: see layout() */
	var SLOT_H = NODE_HEAD + LINE_H * (MAX_Q_LINES + 1) + 10;
	var LINK_RANK = { up: 4, handshake: 3, connecting: 2, closed: 1 };

	var $ = function (id) { return document.getElementById(id); };
	var svg = $('graph'), gEdges = $('edges'), gNodes = $('nodes');
	var sel = $('queue');

	var st = {
		polls: 0,
		records: [],		/* sidecars, in the order they were found */
		byBase: new Map(),	/* normalized base URL -> record */
		addr: new Map(),	/* "dialer|host:port" -> broker name */
		hist: new Map(),	/* "broker#linkid" -> samples */
		capped: false,
		layoutKey: null,
		pos: new Map(),
		nodeEls: new Map(),
		edgeEls: new Map(),
		queues: [],
		graph: null
	};

	function arr(x) { return Array.isArray(x) ? x : []; }
	function obj(x) { return x && typeof x === 'object' && !Array.isArray(x) ? x : {}; }
	function num(x) { return typeof x === 'number' && isFinite(x) ? x : 0; }
	function esc(s) {
		return String(s).replace(/[&<>"']/g, function (c) {
			return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
		});
	}
	function clip(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }
	function fmtRate(r) {
		if (!(r > 0)) return '0';
		if (r < 10) return r.toFixed(1);
		return String(Math.round(r));
	}
	function fmtAge(ms) {
		var s = Math.max(0, Math.round(ms / 1000));
		if (s < 120) return s + ' s';
		if (s < 7200) return Math.round(s / 60) + ' min';
		if (s < 172800) return Math.round(s / 3600) + ' h';
		return Math.round(s / 86400) + ' d';
	}
	function setText(el, s) { if (el.textContent !== s) el.textContent = s; }
	function setAttr(el, k, v) { v = String(v); if (el.getAttribute(k) !== v) el.setAttribute(k, v); }
	function setClass(el, cls) { if (el.getAttribute('class') !== cls) el.setAttribute('class', cls); }
	function mk(tag, attrs, parent) {
		var el = document.createElementNS(SVGNS, tag);
		for (var k in attrs) el.setAttribute(k, attrs[k]);
		if (parent) parent.appendChild(el);
		return el;
	}

	/* "http://0.0.0.0:8701/" -> "http://<this page's host>:8701" */
	function normBase(u) {
		var x;
		try { x = new URL(u, location.href); } catch (e) { return null; }
		if (x.protocol !== 'http:' && x.protocol !== 'https:') return null;
		var host = x.hostname;
		if (host === '0.0.0.0' || host === '::' || host === '[::]' || host === '')
			host = location.hostname || '127.0.0.1';
		if (host.indexOf(':') >= 0 && host.charAt(0) !== '[') host = '[' + host + ']';
		return x.protocol + '//' + host.toLowerCase() + (x.port ? ':' + x.port : '');
	}
	function hostPort(base) { return base ? base.replace(/^https?:\/\//, '') : ''; }

	function newRecord(base, url, hint, self) {
		var r = { base: base, url: url, hint: hint, self: self, status: null, ok: false,
		    error: 'not polled yet', alias: null, t: 0, ms: 0, everOk: false };
		st.records.push(r);
		if (base) st.byBase.set(base, r);
		return r;
	}
	var selfRec = newRecord(location.protocol === 'file:' ? null : normBase(location.origin),
	    '/status', null, true);

	function fetchStatus(r) {
		var ctl = typeof AbortController === 'function' ? new AbortController() : null;
		var timer = setTimeout(function () { if (ctl) ctl.abort(); }, FETCH_TIMEOUT_MS);
		var t0 = Date.now();
		return fetch(r.url, { cache: 'no-store', signal: ctl ? ctl.signal : undefined })
		    .then(function (res) {
			if (!res.ok) throw new Error('HTTP ' + res.status);
			return res.json();
		}).then(function (js) {
			if (!js || typeof js.broker_name !== 'string')
				throw new Error('not a brokernetd /status');
			r.status = js;
			r.ok = true;
			r.error = '';
			r.everOk = true;
		}).catch(function (e) {
			r.ok = false;
			r.error = e && e.name === 'AbortError' ? 'timed out' :
			    (e && e.message) || String(e);
		}).then(function () {
			clearTimeout(timer);
			r.t = Date.now();
			r.ms = r.t - t0;
		});
	}

	/* Two URLs for one sidecar (e.g. localhost and 127.0.0.1): keep the first. */
	function checkAlias(r) {
		if (!r.ok) return;
		if (r.self && r.status.management) {
			var b = normBase(r.status.management);
			if (b && !st.byBase.has(b)) st.byBase.set(b, r);
		}
		for (var i = 0; i < st.records.length; i++) {
			var o = st.records[i];
			if (o === r) return;
			if (!o.alias && o.ok && o.status.broker_name === r.status.broker_name) {
				r.alias = o;
				r.ok = false;
				return;
			}
		}
	}

	function discover() {
		var found = [];
		st.records.forEach(function (r) {
			if (!r.ok) return;
			arr(r.status.links).forEach(function (l) {
				if (!l || !l.peer_management) return;
				var b = normBase(l.peer_management);
				if (!b) return;
				var ex = st.byBase.get(b);
				if (ex) {
					if (!ex.hint && l.peer) ex.hint = l.peer;
					return;
				}
				if (st.records.length >= MAX_SIDECARS) { st.capped = true; return; }
				found.push(newRecord(b, b + '/status', l.peer || null, false));
			});
		});
		return found;
	}

	function sample(r) {
		var me = r.status.broker_name;
		arr(r.status.links).forEach(function (l) {
			if (!l || l.id === undefined) return;
			var key = me + '#' + l.id;
			var s = { t: r.t, out: num(l.messages_out), inn: num(l.messages_in), seen: st.polls };
			var h = st.hist.get(key);
			if (!h) { st.hist.set(key, [s]); return; }
			var last = h[h.length - 1];
			if (s.out < last.out || s.inn < last.inn) { h.length = 0; }
			h.push(s);
			while (h.length > 2 && s.t - h[0].t > 2 * RATE_WINDOW_MS) h.shift();
		});
	}

	function rateOf(key) {
		var h = st.hist.get(key);
		if (!h || h.length < 2) return { out: 0, inn: 0 };
		var last = h[h.length - 1], first = h[h.length - 2];
		for (var i = 0; i < h.length - 1; i++) {
			if (last.t - h[i].t <= RATE_WINDOW_MS + 200) { first = h[i]; break; }
		}
		var dt = (last.t - first.t) / 1000;
		if (dt <= 0.05) return { out: 0, inn: 0 };
		return { out: Math.max(0, (last.out - first.out) / dt),
		    inn: Math.max(0, (last.inn - first.inn) / dt) };
	}

	function pollOnce() {
		var wave = st.records.filter(function (r) { return !r.alias; });
		function step() {
			if (wave.length === 0) return Promise.resolve();
			return Promise.all(wave.map(fetchStatus)).then(function () {
				wave.forEach(checkAlias);
				wave = discover();
				return step();
			});
		}
		return step().then(function () {
			st.polls++;
			st.records.forEach(function (r) { if (r.ok) sample(r); });
			st.hist.forEach(function (h, k) {
				if (st.polls - h[h.length - 1].seen > 10) st.hist.delete(k);
			});
		});
	}

	function loop() {
		var t0 = Date.now();
		pollOnce().then(render, render).catch(function (e) {
			$('msg').textContent = 'page error: ' + (e && e.message || e);
		}).then(function () {
			setTimeout(loop, Math.max(50, POLL_MS - (Date.now() - t0)));
		});
	}

	/* ---------------------------------------------------------------- model */

	function buildGraph() {
		var nodes = new Map(), edges = new Map(), queues = new Set();
		/* topics ("/topic/...") have a panel of their own */
		function addq(q) { if (q.indexOf('/topic/') !== 0) queues.add(q); }
		function node(name) {
			var n = nodes.get(name);
			if (!n) {
				n = { name: name, rec: null, mgmt: null, discovered: false };
				nodes.set(name, n);
			}
			return n;
		}
		st.records.forEach(function (r) {
			if (r.alias) return;
			var name = r.status ? r.status.broker_name : r.hint;
			if (!name) return;
			var n = node(name);
			if (!n.rec || (r.ok && !n.rec.ok)) n.rec = r;
		});
		var live = st.records.filter(function (r) { return r.ok; });
		live.forEach(function (r) {
			var s = r.status, me = s.broker_name;
			arr(s.links).forEach(function (l) {
				if (l && l.direction === 'dialed' && l.peer && l.address)
					st.addr.set(me + '|' + l.address, l.peer);
			});
			arr(s.discovery).forEach(function (d) {
				arr(d && d.peers).forEach(function (p) {
					if (!p || !p.broker) return;
					node(p.broker).discovered = true;
					if (p.host && p.port) st.addr.set(me + '|' + p.host + ':' + p.port, p.broker);
				});
			});
		});
		live.forEach(function (r) {
			var s = r.status, me = s.broker_name;
			Object.keys(obj(s.local_demand)).forEach(addq);
			arr(s.links).forEach(function (l) {
				if (!l) return;
				Object.keys(obj(l.remote_demand)).forEach(addq);
				Object.keys(obj(l.advertised)).forEach(addq);
				arr(l.subscriptions).forEach(function (x) { if (x && x.queue) addq(x.queue); });
				if (!l.peer) return;
				var pn = node(l.peer);
				if (l.peer_management && !pn.mgmt) pn.mgmt = l.peer_management;
				var dialed = l.direction === 'dialed';
				var from = dialed ? me : l.peer, to = dialed ? l.peer : me;
				var key = from + '>' + to;
				var e = edges.get(key);
				if (!e) {
					e = { key: key, from: from, to: to, fail: false, d: null, a: null, dKey: null, aKey: null };
					edges.set(key, e);
				}
				var slot = dialed ? 'd' : 'a', cur = e[slot];
				var rk = LINK_RANK[l.state] || 0, ck = cur ? LINK_RANK[cur.state] || 0 : -1;
				if (!cur || rk > ck || (rk === ck && l.id > cur.id)) {
					e[slot] = l;
					e[slot + 'Key'] = me + '#' + l.id;
				}
			});
			arr(s.connectors).forEach(function (c) {
				if (!c) return;
				/* refused for good, or retrying after an error (while a
				 * redial is under way too, so that the edge does not blink) */
				if (!(c.state === 'refused' || ((c.state === 'waiting' ||
				    c.state === 'connecting') && c.last_error))) return;
				var target = c.peer || st.addr.get(me + '|' + c.target) || c.target || '?';
				node(target);
				var key = 'x:' + me + '>' + target + ':' + c.name;
				edges.set(key, { key: key, from: me, to: target, fail: true, c: c });
			});
		});
		return { nodes: nodes, edges: edges, queues: Array.from(queues).sort() };
	}

	/* ---------------------------------------------------------------- layout */

	/*
	 * Nodes on an ellipse (wider than tall, to use a landscape screen),
	 * sorted by name, first at the top (two: side by side). The ellipse
	 * grows until no two node slots overlap; the viewBox is fitted to it.
	 */
	function layout(names) {
		var n = names.length, pos = new Map();
		MAX_Q_LINES = n <= 8 ? 4 : n <= 14 ? 3 : 2;
		SLOT_H = NODE_HEAD + LINE_H * (MAX_Q_LINES + 1) + 10;
		var w = NODE_W + 40, h = SLOT_H + 30, aspect = 1.5;
		var start = n === 2 ? Math.PI : -Math.PI / 2;
		var ry = n <= 1 ? 0 : 170, pts;
		for (var iter = 0; iter < 200; iter++) {
			pts = [];
			for (var i = 0; i < n; i++) {
				var a = start + 2 * Math.PI * i / n;
				pts.push({ x: Math.cos(a) * ry * aspect, y: Math.sin(a) * ry });
			}
			var ok = true;
			for (i = 0; i < n && ok; i++)
				for (var j = i + 1; j < n && ok; j++)
					if (Math.abs(pts[i].x - pts[j].x) < w && Math.abs(pts[i].y - pts[j].y) < h)
						ok = false;
			if (ok) break;
			ry *= 1.06;
		}
		var minx = Infinity, maxx = -Infinity, miny = Infinity, maxy = -Infinity;
		pts.forEach(function (p, i) {
			pos.set(names[i], p);
			minx = Math.min(minx, p.x - NODE_W / 2); maxx = Math.max(maxx, p.x + NODE_W / 2);
			miny = Math.min(miny, p.y - SLOT_H / 2); maxy = Math.max(maxy, p.y + SLOT_H / 2);
		});
		if (n === 0) { minx = miny = -100; maxx = maxy = 100; }
		var m = 50, vw = Math.max(maxx - minx + 2 * m, 880), vh = Math.max(maxy - miny + 2 * m, 640);
		var cx = (minx + maxx) / 2, cy = (miny + maxy) / 2;
		return { pos: pos, viewBox: [cx - vw / 2, cy - vh / 2, vw, vh].map(function (v) {
			return Math.round(v);
		}).join(' ') };
	}

	/* ---------------------------------------------------------------- nodes */

	function nodeInfo(n, q) {
		var r = n.rec, s = r && r.ok ? r.status : null;
		var info = { cls: 'node', sub: '', lines: [], more: 0, none: '', title: [], height: 0 };
		if (n.name.indexOf(':') >= 0) {
			info.cls += ' address';
			info.sub = 'broker name not known yet';
			info.none = 'connector target';
			info.title.push(n.name + ': a connector target whose broker name is not known yet');
		} else if (s) {
			var up = obj(s.broker).state === 'connected';
			var pf = obj(s.preflight);
			if (!up) info.cls += ' broker-down';
			if (pf.problem) info.cls += ' preflight-fail';
			if (r.self) info.cls += ' self';
			info.sub = (pf.problem ? 'broker NOT READY' : up ? 'broker up' : 'broker DOWN') +
			    ' \u00b7 ' + hostPort(r.base);
			var demand = obj(s.local_demand);
			var qs = Object.keys(demand).sort();
			if (q && num(demand[q]) > 0) {
				info.cls += ' demand';
				qs.splice(qs.indexOf(q), 1);
				qs.unshift(q);
			}
			qs.forEach(function (name, i) {
				if (i < MAX_Q_LINES) info.lines.push({ q: name, n: num(demand[name]), sel: name === q });
			});
			info.more = Math.max(0, qs.length - MAX_Q_LINES);
			if (qs.length === 0) info.none = 'no local consumers';
			var b = obj(s.broker), c = obj(s.counters);
			info.title.push(n.name + (r.self ? ' (this sidecar)' : ''),
			    'management: ' + (r.base || s.management || '?'),
			    'broker: ' + (b.current || b.uri || '?') + ' ' + (b.state || '?') +
			    ' (connects ' + num(b.connects) + ', store in flight ' + num(b.store_inflight) + ')',
			    'forwarded ' + num(c.forwarded) + ', received ' + num(c.received) +
			    ', stored ' + num(c.stored) + ', duplicates suppressed ' + num(c.duplicates_suppressed),
			    'links accepted ' + num(c.links_accepted) + ', refused ' + num(c.links_refused) +
			    ', errors ' + num(c.link_errors));
			if (pf.problem) info.title.push('preflight: ' + pf.problem, 'fix: ' + (pf.fix || '?'));
			if (s.version) info.title.push('brokernetd ' + s.version);
			qs.forEach(function (name) { info.title.push('  ' + name + ': ' + num(demand[name]) + ' consumer(s)'); });
		} else if (r) {
			info.cls += ' unreachable';
			info.sub = r.everOk ? 'sidecar unreachable' : 'sidecar not reached';
			info.none = clip(r.error || 'no answer', 30);
			info.title.push(n.name + ': ' + r.url + ': ' + (r.error || 'no answer'));
		} else {
			info.cls += ' unknown';
			info.sub = n.discovered ? 'discovered (mDNS), not linked' :
			    n.mgmt ? 'sidecar not polled' : 'no management endpoint';
			info.title.push(n.name + ': ' + (n.mgmt ? 'management ' + n.mgmt :
			    'its sidecar has no <management> endpoint, or it is beyond the ' +
			    MAX_SIDECARS + '-sidecar limit'));
		}
		var rows = info.lines.length + (info.more ? 1 : 0) + (info.none ? 1 : 0);
		info.height = NODE_HEAD + Math.max(1, rows) * LINE_H + 8;
		return info;
	}

	function drawNode(n, p, q) {
		var el = st.nodeEls.get(n.name);
		if (!el) {
			var g = mk('g', { 'class': 'node', 'data-broker': n.name });
			el = {
				g: g,
				title: mk('title', {}, g),
				body: mk('rect', { 'class': 'body', x: 0, y: 0, width: NODE_W, rx: 8, ry: 8 }, g),
				dot: mk('circle', { 'class': 'st', cx: 16, cy: 19, r: 5 }, g),
				name: mk('text', { 'class': 'name', x: 28, y: 24 }, g),
				sub: mk('text', { 'class': 'sub', x: 12, y: 39 }, g),
				sep: mk('line', { 'class': 'sep', x1: 8, x2: NODE_W - 8, y1: NODE_HEAD - 1, y2: NODE_HEAD - 1 }, g),
				qs: mk('g', { 'class': 'queues' }, g),
				qsig: null
			};
			gNodes.appendChild(g);
			st.nodeEls.set(n.name, el);
		}
		var info = nodeInfo(n, q);
		setClass(el.g, info.cls);
		setAttr(el.g, 'transform', 'translate(' + Math.round(p.x - NODE_W / 2) + ',' +
		    Math.round(p.y - info.height / 2) + ')');
		setAttr(el.body, 'height', info.height);
		setText(el.name, clip(n.name, 19));
		setText(el.sub, clip(info.sub, 36));
		setText(el.title, info.title.join('\n'));
		var sig = JSON.stringify([info.lines, info.more, info.none]);
		if (sig !== el.qsig) {
			el.qsig = sig;
			while (el.qs.firstChild) el.qs.removeChild(el.qs.firstChild);
			var y = NODE_HEAD + 15;
			info.lines.forEach(function (l) {
				var extra = l.sel ? ' sel' : '';
				mk('text', { 'class': 'q' + extra, x: 12, y: y }, el.qs).textContent = clip(l.q, 20);
				mk('text', { 'class': 'qn' + extra, x: NODE_W - 12, y: y, 'text-anchor': 'end' }, el.qs)
				    .textContent = '\u00d7' + l.n;
				y += LINE_H;
			});
			if (info.more) {
				mk('text', { 'class': 'more', x: 12, y: y }, el.qs).textContent =
				    '+' + info.more + ' more queue' + (info.more > 1 ? 's' : '');
				y += LINE_H;
			}
			if (info.none) mk('text', { 'class': 'none', x: 12, y: y }, el.qs).textContent = info.none;
		}
		return info;
	}

	/* ---------------------------------------------------------------- edges */

	function linkSubs(l, q) {
		var out = [];
		arr(l && l.subscriptions).forEach(function (s) { if (s && s.queue === q) out.push(s); });
		return out;
	}

	function edgeInfo(e, q) {
		var info = { cls: 'edge', state: '', rate: 0, detail: '', reason: '', title: [], marker: 'a-up',
		    both: false, width: 2.2 };
		if (e.fail) {
			var c = e.c;
			info.cls += ' fail';
			info.state = c.state;
			info.marker = 'a-fail';
			info.detail = c.state === 'refused' ? 'refused' :
			    'retrying (' + num(c.attempts) + ' attempt' + (num(c.attempts) === 1 ? ')' : 's)');
			info.reason = clip(c.last_error || '', 34);
			info.title.push('connector ' + c.name + ' of ' + e.from + ' \u2192 ' + (c.target || '?') +
			    ' (' + c.state + ', ' + num(c.attempts) + ' attempts)',
			    'uri: ' + (c.uri || '?'), 'last error: ' + (c.last_error || '-'));
			return info;
		}
		var d = e.d, a = e.a, v = d || a;
		var ranks = [d, a].filter(Boolean).map(function (l) { return LINK_RANK[l.state] || 0; });
		var best = Math.max.apply(null, ranks);
		info.state = Object.keys(LINK_RANK).filter(function (k) { return LINK_RANK[k] === best; })[0] || v.state || '?';
		var fwd, back;
		if (d) { var rd = rateOf(e.dKey); fwd = rd.out; back = rd.inn; }
		else { var ra = rateOf(e.aKey); fwd = ra.inn; back = ra.out; }
		info.rate = fwd + back;
		var inflight = (d ? num(d.inflight) : 0) + (a ? num(a.inflight) : 0);
		info.both = !!((d && d.duplex) || (a && a.duplex) ||
		    (d && d.we_forward && d.peer_forwards) || (a && a.we_forward && a.peer_forwards));
		if (info.state === 'handshake' || info.state === 'connecting') info.marker = 'a-warn';
		else if (info.state !== 'up') info.marker = 'a-down';
		var parts = [];
		if (info.state !== 'up') parts.push(info.state);
		if (info.both || back > 0) {
			parts.push(clip(e.from, 10) + '\u2192' + clip(e.to, 10) + ' ' + fmtRate(fwd));
			parts.push(clip(e.to, 10) + '\u2192' + clip(e.from, 10) + ' ' + fmtRate(back));
		}
		parts.push('in flight ' + inflight);
		info.detail = parts.join(' \u00b7 ');
		info.width = 2.2 + Math.min(4, Math.log(1 + info.rate) / Math.LN10 * 1.3);
		if (q) {
			var sf = linkSubs(d, q), sb = linkSubs(a, q);
			if (sf.length || sb.length) {
				info.cls += ' hl';
				info.marker = 'a-hl';
				var fw = 0;
				sf.concat(sb).forEach(function (s) { fw += num(s.forwarded); });
				info.detail += ' \u00b7 ' + clip(q, 16) + ': ' + fw + ' fwd';
			}
		}
		info.title.push(e.from + ' \u2192 ' + e.to + ' (' + (d ? 'connector ' + d.connector : 'accepted') +
		    ', ' + info.state + (info.both ? ', duplex' : '') + ')');
		if (v.since_ms) info.title.push('since ' + new Date(v.since_ms).toLocaleString() +
		    ' (' + fmtAge(Date.now() - v.since_ms) + ')');
		info.title.push(e.from + '\u2192' + e.to + ': ' + fmtRate(fwd) + ' msg/s, ' +
		    e.to + '\u2192' + e.from + ': ' + fmtRate(back) + ' msg/s, in flight ' + inflight);
		[d, a].forEach(function (l, i) {
			if (!l) return;
			var who = i === 0 ? e.from : e.to;
			info.title.push(who + ' side: out ' + num(l.messages_out) + ' msgs / ' + num(l.bytes_out) +
			    ' B, in ' + num(l.messages_in) + ' msgs / ' + num(l.bytes_in) + ' B, acks in ' +
			    num(l.acks_in) + ', acks out ' + num(l.acks_out) + ', receiving ' + num(l.receiving));
			arr(l.subscriptions).forEach(function (s) {
				info.title.push('  ' + who + ' forwards ' + s.queue + ' (' + s.id + ', hops ' + num(s.hops) +
				    ', priority ' + s.priority + (s['static'] ? ', static' : '') +
				    (s.draining ? ', draining' : '') + (s.subscribed ? '' : ', not subscribed') +
				    ', forwarded ' + num(s.forwarded) + ', in flight ' + num(s.inflight) + ')');
			});
		});
		return info;
	}

	/* point where the ray from c towards (dx,dy) leaves a w x h box around c */
	function boxExit(c, dx, dy, w, h) {
		var len = Math.sqrt(dx * dx + dy * dy) || 1;
		dx /= len; dy /= len;
		var t = Math.min(Math.abs(dx) > 1e-9 ? (w / 2) / Math.abs(dx) : Infinity,
		    Math.abs(dy) > 1e-9 ? (h / 2) / Math.abs(dy) : Infinity);
		return { x: c.x + dx * (t + 3), y: c.y + dy * (t + 3) };
	}

	function drawEdge(e, geo, q) {
		var el = st.edgeEls.get(e.key);
		if (!el) {
			var g = mk('g', { 'class': 'edge' });
			el = {
				g: g,
				title: mk('title', {}, g),
				hit: mk('path', { 'class': 'hit' }, g),
				line: mk('path', { 'class': 'line' }, g),
				rate: mk('text', { 'class': 'rate', 'text-anchor': 'middle' }, g),
				detail: mk('text', { 'class': 'detail', 'text-anchor': 'middle' }, g),
				reason: mk('text', { 'class': 'reason', 'text-anchor': 'middle' }, g)
			};
			gEdges.appendChild(g);
			st.edgeEls.set(e.key, el);
		}
		var info = edgeInfo(e, q);
		setClass(el.g, info.cls);
		setAttr(el.g, 'data-from', e.from);
		setAttr(el.g, 'data-to', e.to);
		setAttr(el.g, 'data-state', info.state);
		setAttr(el.g, 'data-rate', info.rate.toFixed(2));
		setText(el.title, info.title.join('\n'));
		setAttr(el.line, 'd', geo.d);
		setAttr(el.hit, 'd', geo.d);
		setAttr(el.line, 'stroke-width', info.width.toFixed(1));
		setAttr(el.line, 'marker-end', 'url(#' + info.marker + ')');
		if (info.both) setAttr(el.line, 'marker-start', 'url(#' + info.marker + ')');
		else if (el.line.hasAttribute('marker-start')) el.line.removeAttribute('marker-start');
		var lx = Math.round(geo.lx), ly = Math.round(geo.ly);
		setAttr(el.rate, 'x', lx); setAttr(el.rate, 'y', ly - 3);
		setAttr(el.detail, 'x', lx); setAttr(el.detail, 'y', e.fail ? ly - 4 : ly + 11);
		setAttr(el.reason, 'x', lx); setAttr(el.reason, 'y', ly + (e.fail ? 11 : 25));
		setText(el.rate, fmtRate(info.rate) + ' msg/s');
		setText(el.detail, info.detail);
		setText(el.reason, info.reason);
	}

	function edgeGeometry(edges, heights) {
		var pairs = new Map(), geo = new Map();
		edges.forEach(function (e) {
			var k = [e.from, e.to].sort().join('\u0000');
			if (!pairs.has(k)) pairs.set(k, []);
			pairs.get(k).push(e);
		});
		pairs.forEach(function (list) {
			list.sort(function (x, y) { return x.key < y.key ? -1 : x.key > y.key ? 1 : 0; });
			list.forEach(function (e, i) {
				var p0 = st.pos.get(e.from), p1 = st.pos.get(e.to);
				if (!p0 || !p1) return;
				/* offsets measured against the pair's sorted order, so that
				 * A>B and B>A bend to opposite sides consistently */
				var flip = e.from > e.to ? -1 : 1;
				var dx = (p1.x - p0.x) * flip, dy = (p1.y - p0.y) * flip;
				var len = Math.sqrt(dx * dx + dy * dy) || 1;
				var nx = -dy / len, ny = dx / len;
				var off = (i - (list.length - 1) / 2) * 70;
				var mx = (p0.x + p1.x) / 2, my = (p0.y + p1.y) / 2;
				var cx = mx + nx * off * 2, cy = my + ny * off * 2;
				var h0 = heights.get(e.from) || SLOT_H, h1 = heights.get(e.to) || SLOT_H;
				var s = boxExit(p0, cx - p0.x, cy - p0.y, NODE_W, h0);
				var t = boxExit(p1, cx - p1.x, cy - p1.y, NODE_W, h1);
				var d = off === 0 ?
				    'M' + s.x.toFixed(1) + ',' + s.y.toFixed(1) + ' L' + t.x.toFixed(1) + ',' + t.y.toFixed(1) :
				    'M' + s.x.toFixed(1) + ',' + s.y.toFixed(1) + ' Q' + cx.toFixed(1) + ',' + cy.toFixed(1) +
				    ' ' + t.x.toFixed(1) + ',' + t.y.toFixed(1);
				/* label at the middle of the visible part */
				var lx = off === 0 ? (s.x + t.x) / 2 : 0.25 * s.x + 0.5 * cx + 0.25 * t.x;
				var ly = off === 0 ? (s.y + t.y) / 2 : 0.25 * s.y + 0.5 * cy + 0.25 * t.y;
				geo.set(e.key, { d: d, lx: lx, ly: ly });
			});
		});
		return geo;
	}

	/* ---------------------------------------------------------------- page */

	function updateQueues(queues) {
		var want = [''].concat(queues);
		var have = Array.prototype.map.call(sel.options, function (o) { return o.value; });
		var cur = sel.value || st.wanted || '';
		if (cur && want.indexOf(cur) < 0) want.push(cur);	/* keep a selection whose demand left */
		want = [''].concat(want.slice(1).sort());
		if (have.join('\u0000') === want.join('\u0000')) return;
		while (sel.options.length) sel.remove(0);
		want.forEach(function (q) {
			var o = document.createElement('option');
			o.value = q;
			o.textContent = q || '(none)';
			sel.appendChild(o);
		});
		sel.value = cur;
	}

	function renderSidecars() {
		var html = st.records.map(function (r) {
			var name = r.status ? r.status.broker_name : r.hint || '?';
			if (r.alias)
				return '<div class="sc"><span class="dot bad"></span><b>' + esc(name) +
				    '</b> <span class="u">' + esc(r.base || r.url) + ' (same sidecar as ' +
				    esc(r.alias.base || 'this page') + ')</span></div>';
			var dot = r.ok ? (obj(r.status.broker).state === 'connected' ? 'ok' : 'warn') : 'bad';
			var line = r.ok ? (r.self ? 'this sidecar \u00b7 ' : '') + r.ms + ' ms \u00b7 ' +
			    arr(r.status.links).filter(function (l) { return l && l.state === 'up'; }).length +
			    ' link(s) up' : '';
			return '<div class="sc"><span class="dot ' + dot + '"></span><b>' + esc(name) + '</b> ' +
			    '<span class="u">' + esc(r.base || r.url) + '</span><br>' +
			    (r.ok ? '<span class="u">' + esc(line) + '</span>' :
			    '<span class="e">' + esc(r.error) + '</span>') + '</div>';
		}).join('') + (st.capped ? '<div class="sc e">more than ' + MAX_SIDECARS +
		    ' sidecars: the rest are not polled</div>' : '');
		var box = $('sidecars');
		if (box.innerHTML !== html) box.innerHTML = html;
	}

	/* One line per sidecar whose broker preflight failed: cause and fix. */
	function renderPreflight() {
		var html = st.records.filter(function (r) {
			return r.ok && !r.alias && obj(r.status.preflight).problem;
		}).map(function (r) {
			var pf = obj(r.status.preflight);
			return '<div data-broker="' + esc(r.status.broker_name) + '"><b>' +
			    esc(r.status.broker_name) + '</b>: ' + esc(pf.problem) +
			    '. <span class="fix">Fix: ' + esc(pf.fix || '?') + '</span></div>';
		}).join('');
		var box = $('preflight');
		if (box.innerHTML !== html) box.innerHTML = html;
	}

	/*
	 * Topics, apart from queues: each sidecar's topic subscribers (local
	 * demand, durable ones offline included), the peers that want a topic
	 * from it, and the durable network subscriptions it keeps (from
	 * /status topics).
	 */
	function renderTopics() {
		var rows = [];
		function row(topic, broker, kind, text) {
			rows.push('<tr data-topic="' + esc(topic) + '" data-broker="' + esc(broker) +
			    '" data-kind="' + kind + '"><td>' + esc(topic) + '</td><td class="n">' +
			    esc(text) + '</td></tr>');
		}
		st.records.forEach(function (r) {
			if (!r.ok || r.alias) return;
			var t = obj(r.status.topics), me = r.status.broker_name;
			var dem = obj(t.demand);
			Object.keys(dem).sort().forEach(function (name) {
				var d = obj(dem[name]);
				if (num(d.local) > 0)
					row(name, me, 'local', me + ': ' + num(d.local) + ' subscriber(s)');
				arr(d.remote).forEach(function (x) {
					row(name, me, 'remote', me + ' \u2192 ' + ((x && x.peer) || '?') +
					    ' (hops ' + num(x && x.hops) + ')');
				});
			});
			arr(obj(t.durable_network_subscriptions).list).forEach(function (x) {
				if (!x) return;
				row(x.topic, me, 'durable', me + ' \u2192 ' + x.peer + ': durable' +
				    (x.attached ? '' : ', peer away: kept on ' + me));
			});
		});
		var html = rows.length ? '<table>' + rows.join('') + '</table>' : 'no topic subscribers';
		var box = $('topics');
		if (box.innerHTML !== html) box.innerHTML = html;
	}

	function renderQueueInfo(g, q) {
		var box = $('qinfo'), html;
		if (!q) {
			html = 'Pick a queue above to see where its consumers are and which links carry it.';
		} else {
			var rows = [];
			g.nodes.forEach(function (n) {
				var s = n.rec && n.rec.ok ? n.rec.status : null;
				var k = s ? num(obj(s.local_demand)[q]) : 0;
				if (k > 0) rows.push('<tr><td>' + esc(n.name) + '</td><td class="n">' + k + ' consumer(s)</td></tr>');
			});
			var subs = [];
			st.records.forEach(function (r) {
				if (!r.ok) return;
				arr(r.status.links).forEach(function (l) {
					linkSubs(l, q).forEach(function (s) {
						subs.push('<tr><td>' + esc(r.status.broker_name + '\u2192' + (l.peer || '?')) +
						    ' <span class="u">' + esc(s.id || '') + (s['static'] ? ' static' : '') +
						    (s.subscribed ? '' : ' idle') + '</span></td><td class="n">hops ' +
						    num(s.hops) + ', ' + num(s.forwarded) + ' fwd</td></tr>');
					});
				});
			});
			html = '<b>' + esc(q) + '</b><table>' +
			    (rows.length ? rows.join('') : '<tr><td colspan="2">no broker has local consumers</td></tr>') +
			    (subs.length ? '<tr><td colspan="2"><i>network subscriptions</i></td></tr>' + subs.join('') :
			    '<tr><td colspan="2">no link carries it</td></tr>') + '</table>';
		}
		if (box.innerHTML !== html) box.innerHTML = html;
	}

	function render() {
		var g = buildGraph();
		st.graph = g;
		updateQueues(g.queues);
		var q = sel.value;
		svg.setAttribute('class', q ? 'focus' : '');

		var names = Array.from(g.nodes.keys()).sort();
		var key = names.join('\u0000');
		if (key !== st.layoutKey) {
			var lay = layout(names);
			st.layoutKey = key;
			st.pos = lay.pos;
			svg.setAttribute('viewBox', lay.viewBox);
		}

		var heights = new Map();
		g.nodes.forEach(function (n) {
			heights.set(n.name, drawNode(n, st.pos.get(n.name), q).height);
		});
		st.nodeEls.forEach(function (el, name) {
			if (!g.nodes.has(name)) { el.g.remove(); st.nodeEls.delete(name); }
		});

		var edges = Array.from(g.edges.values());
		var geo = edgeGeometry(edges, heights);
		edges.forEach(function (e) { if (geo.has(e.key)) drawEdge(e, geo.get(e.key), q); });
		st.edgeEls.forEach(function (el, k) {
			if (!g.edges.has(k)) { el.g.remove(); st.edgeEls.delete(k); }
		});

		var live = st.records.filter(function (r) { return r.ok; }).length;
		var total = st.records.filter(function (r) { return !r.alias; }).length;
		var up = $('updated');
		up.setAttribute('data-polls', st.polls);
		up.className = selfRec.ok ? '' : 'stale';
		setText(up, 'poll #' + st.polls + ' \u00b7 ' + live + '/' + total + ' sidecars \u00b7 ' +
		    new Date().toLocaleTimeString());
		if (selfRec.ok) setText($('title'), 'topology seen from ' + selfRec.status.broker_name);
		setText($('msg'), selfRec.ok || selfRec.everOk ? '' : 'cannot read /status: ' + selfRec.error);
		renderSidecars();
		renderPreflight();
		renderTopics();
		renderQueueInfo(g, q);
	}

	sel.addEventListener('change', function () {
		st.wanted = sel.value;
		try { history.replaceState(null, '', sel.value ? '#queue=' + encodeURIComponent(sel.value) : '#'); }
		catch (e) { /* file:// and friends */ }
		if (st.graph) render();
	});
	var m = /^#queue=(.+)$/.exec(location.hash);
	if (m) st.wanted = decodeURIComponent(m[1]);

	/* for tests and the curious: window.brokernet.graph() */
	window.brokernet = { state: st, graph: function () { return st.graph; } };
	loop();
})();
