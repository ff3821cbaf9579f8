// The dashboard: one picture of the broker (peers, tasks, topics, figures) read from the
// REST API, kept fresh by the broker's event stream (GET /api/events), which also feeds the
// message flow and the graph. Plain ES modules, no build step and no dependency: see
// docs/dashboard.md.
import { EVENT_TYPES, Refused, SignedOut, postJson, snapshot } from './api.js';
import { h, setOptions } from './dom.js';
import { flowEntry, matches, pairCounts } from './flow.js';
import { drawGraph } from './graph.js';

/** Rows kept in memory, and shown, in the flow. */
const FLOW_KEPT = 1000;
const FLOW_SHOWN = 200;
const GRAPH_WINDOW_MS = 10 * 60 * 1000;
/** Acknowledgements and staleness are not events: the lists are read again this often. */
const REFRESH_MS = 3000;
const TASKS_SHOWN = 50;

const $ = (id) => document.getElementById(id);

const state = {
	broker: null,
	peers: [],
	tasks: [],
	topics: [],
	claims: [],
	flow: [],
	/** Repositories by peer name, kept for peers that left: their messages stay filterable. */
	repoOf: new Map(),
	names: new Set(),
	paused: false,
	unseen: 0,
	signedOut: false,
	source: null,
	timers: [],
};

// ---- rendering

function text(value) {
	return value === null || value === undefined || value === '' ? '–' : value;
}

function clock(iso) {
	const date = new Date(iso);
	return h('time', { datetime: iso, title: date.toLocaleString() }, date.toLocaleTimeString([], { hour12: false }));
}

function duration(seconds) {
	const s = Math.max(0, Math.floor(seconds));
	const days = Math.floor(s / 86400);
	const hours = Math.floor((s % 86400) / 3600);
	const minutes = Math.floor((s % 3600) / 60);
	if (days > 0) {
		return `${days}d ${hours}h`;
	}
	if (hours > 0) {
		return `${hours}h ${minutes}m`;
	}
	return minutes > 0 ? `${minutes}m ${s % 60}s` : `${s}s`;
}

function badge(kind, label) {
	return h('span', { class: `badge ${kind}` }, label);
}

/** How mail reaches a peer: the broker's own word when it has one, else its push stream. */
function delivery(peer) {
	if (peer.delivery) {
		return peer.delivery;
	}
	return peer.push ? 'push on' : 'push off';
}

function renderFigures() {
	const broker = state.broker;
	if (!broker) {
		return;
	}
	$('figure-host').textContent = text(broker.host_name);
	$('figure-peers').textContent = String(broker.peers);
	$('figure-rate').textContent = (Number(broker.messages_last_ten_seconds || 0) / 10).toFixed(1);
	$('figure-unread').textContent = String(broker.unread ?? '–');
	$('figure-version').textContent = text(broker.version);
	tick();
}

function tick() {
	if (state.broker) {
		$('figure-uptime').textContent = duration((Date.now() - Date.parse(state.broker.started_at)) / 1000);
	}
}

function renderPeers() {
	const rows = state.peers.map((peer) => h('tr', { 'data-peer': peer.name, class: `state-${peer.state}` },
		h('th', { scope: 'row' }, peer.name, ' ', h('small', { class: 'id' }, peer.id)),
		h('td', {}, text(peer.host || (state.broker && state.broker.host_name))),
		h('td', {}, text(peer.repo)),
		h('td', {}, text(peer.branch)),
		h('td', { class: 'summary', title: peer.summary || '' }, h('span', {}, text(peer.summary))),
		h('td', {}, badge(`state ${peer.state}`, peer.state)),
		h('td', { class: 'delivery' }, delivery(peer)),
		h('td', { class: peer.unread > 0 ? 'number waiting' : 'number' }, peer.unread)));
	$('peers').tBodies[0].replaceChildren(...rows);
	$('peers-empty').hidden = rows.length > 0;
	$('peers-count').textContent = `(${state.peers.length})`;
	const live = state.peers.filter((peer) => peer.state !== 'away');
	setOptions($('send-to'), live.map((peer) => ({ value: peer.id, label: peer.name })),
		live.length === 0 ? { value: '', label: 'no peer to send to' } : null);
	$('send-button').disabled = live.length === 0;
}

const STATUS_ORDER = ['pending', 'completed', 'failed'];

function renderTasks() {
	const table = $('tasks');
	[...table.tBodies].forEach((body) => body.remove());
	for (const status of STATUS_ORDER) {
		const tasks = state.tasks.filter((task) => task.status === status).reverse();
		if (tasks.length === 0) {
			continue;
		}
		const orphaned = tasks.filter((task) => task.orphaned).length;
		const label = `${status[0].toUpperCase()}${status.slice(1)} (${tasks.length}`
			+ (orphaned > 0 ? `, ${orphaned} orphaned)` : ')');
		const body = h('tbody', { 'data-status': status },
			h('tr', { class: 'group' }, h('th', { scope: 'rowgroup', colspan: 6 }, label)),
			tasks.slice(0, TASKS_SHOWN).map((task) => h('tr', { 'data-task': task.id, class: task.orphaned ? 'orphaned' : null },
				h('th', { scope: 'row' }, h('code', {}, task.id)),
				h('td', { class: 'name' }, task.from),
				h('td', { class: 'name' }, task.to),
				h('td', { class: 'long' }, task.description),
				h('td', {}, badge(`status ${task.status}`, task.status),
					task.orphaned ? [' ', badge('orphaned', 'orphaned')] : null),
				h('td', { class: 'long' }, text(task.result)))));
		if (tasks.length > TASKS_SHOWN) {
			body.append(h('tr', {}, h('td', { colspan: 6, class: 'more' }, `and ${tasks.length - TASKS_SHOWN} more`)));
		}
		table.append(body);
	}
	$('tasks-empty').hidden = state.tasks.length > 0;
	const pending = state.tasks.filter((task) => task.status === 'pending').length;
	$('tasks-count').textContent = `(${pending} pending of ${state.tasks.length})`;
}

function renderTopics() {
	$('topics').tBodies[0].replaceChildren(...state.topics.map((topic) => h('tr', {},
		h('th', { scope: 'row' }, topic.name), h('td', {}, topic.subscribers.join(', ') || '–'))));
	$('topics-empty').hidden = state.topics.length > 0;
	$('topics-count').textContent = `(${state.topics.length})`;
}

function renderClaims() {
	$('claims').tBodies[0].replaceChildren(...state.claims.map((claim) => h('tr', { 'data-claim': claim.id },
		h('th', { scope: 'row' }, claim.paths.join(', ')), h('td', {}, claim.holder),
		h('td', {}, claim.exclusive ? 'exclusive' : 'shared'), h('td', {}, claim.reason || '–'),
		h('td', {}, claim.waiting.join(', ') || '–'))));
	$('claims-empty').hidden = state.claims.length > 0;
	$('claims-count').textContent = `(${state.claims.length})`;
}

function renderFilters() {
	const names = [...state.names].sort((a, b) => a.localeCompare(b));
	setOptions($('filter-peer'), names.map((name) => ({ value: name, label: name })),
		{ value: '', label: 'all peers' });
	const repos = [...new Set(state.repoOf.values())].filter(Boolean).sort();
	setOptions($('filter-repo'), repos.map((repo) => ({ value: repo, label: repo })),
		{ value: '', label: 'all repositories' });
}

function renderFlow() {
	const filters = { peer: $('filter-peer').value, repo: $('filter-repo').value };
	const shown = [];
	for (let i = state.flow.length - 1; i >= 0 && shown.length < FLOW_SHOWN; i--) {
		const entry = state.flow[i];
		if (matches(entry, filters, state.repoOf)) {
			shown.push(entry);
		}
	}
	$('flow').tBodies[0].replaceChildren(...shown.map((entry) => h('tr', { 'data-kind': entry.kind, 'data-event': entry.id },
		h('td', {}, clock(entry.at)),
		h('td', {}, badge(`kind ${entry.kind}`, entry.topic ? `${entry.kind} #${entry.topic}` : entry.kind)),
		h('td', { class: 'name' }, entry.from),
		h('td', { class: entry.to.length === 1 ? 'name' : null }, entry.to.length > 3 ? `${entry.to.slice(0, 3).join(', ')} +${entry.to.length - 3}`
			: entry.to.join(', ') || '(nobody)'),
		h('td', { class: 'long' }, entry.text))));
	$('flow-empty').hidden = shown.length > 0;
	$('flow-count').textContent = state.paused && state.unseen > 0 ? `(paused, ${state.unseen} new)`
		: `(${state.flow.length})`;
}

function renderGraph() {
	const names = state.peers.filter((peer) => peer.state !== 'away').map((peer) => peer.name);
	drawGraph($('graph'), $('graph-table'), names, pairCounts(state.flow, Date.now() - GRAPH_WINDOW_MS));
}

// Thousands of events can arrive in a second: the flow and graph are drawn at once for
// the first, then at most every 100 ms while they keep coming.
const FLOW_DRAW_MS = 100;
let flowDrawPending = false;
let flowDrawnAt = 0;

function scheduleFlowDraw() {
	if (flowDrawPending) {
		return;
	}
	flowDrawPending = true;
	setTimeout(() => {
		flowDrawPending = false;
		flowDrawnAt = performance.now();
		renderFilters();
		if (!state.paused) {
			renderFlow();
		}
		renderGraph();
	}, Math.max(0, flowDrawnAt + FLOW_DRAW_MS - performance.now()));
}

function setConnection(kind, label) {
	const element = $('connection');
	element.dataset.state = kind;
	element.textContent = label;
}

// ---- state

function remember(peer) {
	state.names.add(peer.name);
	if (peer.repo) {
		state.repoOf.set(peer.name, peer.repo);
	}
}

function apply(picture) {
	state.broker = picture.broker;
	state.peers = picture.peers;
	state.tasks = picture.tasks;
	state.topics = picture.topics;
	state.claims = picture.claims;
	state.peers.forEach(remember);
	renderFigures();
	renderPeers();
	renderTasks();
	renderTopics();
	renderClaims();
	// Not the flow: a refresh brings no new rows, and must not hold back the next one.
	renderFilters();
	renderGraph();
}

let refreshing = null;
let refreshAgain = false;

/** Reads the whole picture again; calls that come while one runs make one more after it. */
function refresh() {
	if (refreshing) {
		refreshAgain = true;
		return refreshing;
	}
	refreshing = snapshot().then(apply).finally(() => {
		refreshing = null;
		if (refreshAgain && !state.signedOut) {
			refreshAgain = false;
			refresh().catch(failed);
		}
	});
	return refreshing;
}

let refreshTimer = null;

function scheduleRefresh() {
	if (refreshTimer === null) {
		refreshTimer = setTimeout(() => {
			refreshTimer = null;
			refresh().catch(failed);
		}, 150);
	}
}

function onEvent(event) {
	// An edit_denied event names its editor as peer: only peer events change the list.
	if (event.peer && event.type.startsWith('peer_')) {
		remember(event.peer);
		if (event.type === 'peer_joined') {
			state.peers = [...state.peers.filter((peer) => peer.id !== event.peer.id), event.peer]
				.sort((a, b) => a.name.localeCompare(b.name));
		} else {
			state.peers = state.peers.filter((peer) => peer.id !== event.peer.id);
		}
		renderPeers();
	}
	const entry = flowEntry(event);
	if (entry) {
		state.flow.push(entry);
		entry.to.forEach((name) => state.names.add(name));
		state.names.add(entry.from);
		if (state.flow.length > FLOW_KEPT) {
			state.flow.splice(0, state.flow.length - FLOW_KEPT);
		}
		if (state.paused) {
			state.unseen++;
		}
		scheduleFlowDraw();
	}
	scheduleRefresh();
}

function connect() {
	const source = new EventSource('/api/events');
	state.source = source;
	for (const type of EVENT_TYPES) {
		source.addEventListener(type, (message) => onEvent(JSON.parse(message.data)));
	}
	source.onopen = () => {
		setConnection('live', 'Live');
		// Whatever happened while the stream was down.
		refresh().catch(failed);
	};
	source.onerror = () => {
		if (source.readyState !== EventSource.CLOSED) {
			setConnection('reconnecting', 'Reconnecting…');
			return;
		}
		// Refused (signed out, a restarted broker) or gone: find out which, then retry.
		source.close();
		setConnection('reconnecting', 'Broker unreachable; retrying…');
		setTimeout(() => refresh().then(() => {
			if (!state.signedOut) {
				connect();
			}
		}, (error) => {
			failed(error);
			if (!state.signedOut) {
				source.onerror();
			}
		}), 2000);
	};
}

function signOut(reason) {
	state.signedOut = true;
	if (state.source) {
		state.source.close();
	}
	state.timers.forEach(clearInterval);
	$('app').hidden = true;
	$('figures').hidden = true;
	$('signed-out').hidden = false;
	if (reason) {
		$('signed-out-reason').textContent = reason;
	}
	setConnection('signed-out', 'Not signed in');
}

function failed(error) {
	if (error instanceof SignedOut) {
		signOut(state.broker ? 'The session ended (the broker restarted, or it expired).' : null);
		return;
	}
	setConnection('reconnecting', 'Broker unreachable; retrying…');
}

// ---- the send form

function wireSendForm() {
	const form = $('send');
	const status = $('send-status');
	form.addEventListener('submit', async (submit) => {
		submit.preventDefault();
		const to = $('send-to').value;
		const body = $('send-body').value;
		if (!to || body.trim() === '') {
			status.className = 'send-status error';
			status.textContent = !to ? 'Choose a peer to send to.' : 'Write a message first.';
			return;
		}
		$('send-button').disabled = true;
		try {
			const message = await postJson(`/api/peers/${encodeURIComponent(to)}/messages`, { body });
			status.className = 'send-status ok';
			status.textContent = `Sent to ${message.to} (message ${message.id}).`;
			$('send-body').value = '';
		} catch (error) {
			status.className = 'send-status error';
			status.textContent = error instanceof Refused ? error.message : 'Not sent: the broker did not answer.';
			if (error instanceof SignedOut) {
				signOut();
			}
		} finally {
			$('send-button').disabled = $('send-to').options.length === 0 || !$('send-to').value;
		}
	});
	$('send-body').addEventListener('keydown', (key) => {
		if (key.key === 'Enter' && (key.ctrlKey || key.metaKey)) {
			key.preventDefault();
			form.requestSubmit();
		}
	});
}

function wireFlowFilters() {
	$('filter-peer').addEventListener('change', renderFlow);
	$('filter-repo').addEventListener('change', renderFlow);
	$('flow-pause').addEventListener('change', (change) => {
		state.paused = change.target.checked;
		state.unseen = 0;
		renderFlow();
	});
	$('flow-filters').addEventListener('submit', (submit) => submit.preventDefault());
}

// ---- start

async function start() {
	if (location.pathname === '/login') {
		signOut('This login link was already used, has expired, or is not one: links work once, for a minute.');
		return;
	}
	try {
		apply(await snapshot());
	} catch (error) {
		if (error instanceof SignedOut) {
			signOut();
		} else {
			setConnection('reconnecting', 'Broker unreachable; reload to retry.');
		}
		return;
	}
	$('app').hidden = false;
	wireSendForm();
	wireFlowFilters();
	connect();
	state.timers.push(setInterval(() => refresh().catch(failed), REFRESH_MS));
	state.timers.push(setInterval(tick, 1000));
	// The graph's window moves on even when nothing flows.
	state.timers.push(setInterval(renderGraph, 15000));
	document.documentElement.dataset.ready = 'true';
}

start();
