// The broker's own REST API, with the session cookie the login set (the browser sends it;
// the page never sees it).

/** The browser is not signed in (no cookie, an expired one, or a restarted broker). */
export class SignedOut extends Error {}

/** The broker refused a request: its one sentence says why. */
export class Refused extends Error {
	constructor(status, detail) {
		super(detail);
		this.status = status;
	}
}

async function answer(response) {
	let body = null;
	const type = response.headers.get('Content-Type') || '';
	if (type.includes('json')) {
		body = await response.json();
	}
	if (response.ok) {
		return body;
	}
	const code = body && body.code;
	if (response.status === 401 || code === 'forbidden_origin') {
		throw new SignedOut(body && body.detail);
	}
	throw new Refused(response.status, (body && body.detail) || `The broker answered HTTP ${response.status}.`);
}

export async function getJson(path) {
	return answer(await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' }));
}

export async function postJson(path, body) {
	return answer(await fetch(path, {
		method: 'POST',
		headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	}));
}

/**
 * What the page shows: read together, so that one refresh is one consistent picture. Peers
 * of every machine sharing the broker's store (scope all: with one machine, the same).
 */
export async function snapshot() {
	const [broker, peers, tasks, topics, claims] = await Promise.all([
		getJson('/api/broker'), getJson('/api/peers?scope=all'), getJson('/api/tasks'), getJson('/api/topics'),
		getJson('/api/claims'),
	]);
	return { broker, peers, tasks, topics, claims };
}

/** The events of the broker, as they happen. */
export const EVENT_TYPES = ['peer_joined', 'peer_left', 'peer_removed', 'message', 'broadcast', 'task_created',
	'task_reported', 'claimed', 'claim_ended', 'edit_denied',
	'wakes_held'];
