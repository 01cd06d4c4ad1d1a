// The node's HTTP API as the console uses it: JSON in and out, the standard error JSON turned into
// a sentence a person can act on (with the request id to quote), the session's tokens sent and
// refreshed in the background, and 429 answers waited out for as long as Retry-After says.

const SESSION_KEY = 'mintline.session';

/** An answer outside 2xx, with the node's error JSON. */
export class ApiError extends Error {
  constructor(status, body, requestId, path) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.error = body?.error ?? 'http_error';
    this.code = body?.code;
    this.retry = body?.retry === true;
    this.requestId = body?.requestId ?? requestId ?? null;
    this.path = path;
  }
}

const SENTENCES = {
  invalid_signature: 'The wallet\'s signature did not verify for this address',
  nonce_expired: 'The login message expired; log in again',
  nonce_replayed: 'That login message was already used; log in again',
  invalid_token: 'Your session ended; log in again',
  invalid_refresh_token: 'Your session ended; log in again',
  refresh_token_reused: 'Your session was revoked because an old token was reused; log in again',
  rate_limited: 'Too many requests from this browser; the console waits and tries again',
  not_opted_in: 'Your wallet has not opted in to this sticker yet',
  not_minted: 'This sticker is not confirmed on chain yet; try again in a moment',
  chain_unavailable: 'The chain could not be reached just now; try again shortly',
  timeout: 'The node did not answer in time; try again',
  forbidden: 'This is not allowed for your wallet',
  unauthorized: 'Log in first',
};

/** The error as one human sentence: what happened, the node's reason, and the request id. */
export function describe(err) {
  if (err instanceof ApiError) {
    const lead = SENTENCES[err.error] ?? `The node refused this request (${err.status})`;
    const reason = err.message && !lead.includes(err.message) ? `: ${err.message}` : '';
    const id = err.requestId ? ` Request id ${err.requestId} (quote it to the operator).` : '';
    return `${lead}${reason}. [${err.error}${err.code ? ' ' + err.code : ''}]${id}`;
  }
  return `Something went wrong in the console: ${err?.message ?? err}.`;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let session = load();
const listeners = new Set();
let refreshTimer = null;
let refreshing = null;
export const stats = { refreshes: 0 };

function load() {
  try { return JSON.parse(sessionStorage.getItem(SESSION_KEY)) ?? null; } catch { return null; }
}

function store(next) {
  session = next;
  if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(SESSION_KEY);
  scheduleRefresh();
  for (const f of listeners) f(session);
}

export function currentSession() { return session; }
export function onSession(f) { listeners.add(f); }

/** The roles of the access token (its payload is public JSON). */
function claims(accessToken) {
  const part = accessToken.split('.')[1];
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (part.length % 4)) % 4));
  return JSON.parse(json);
}

function fromTokens(address, answer) {
  const c = claims(answer.accessToken);
  return {
    address,
    accessToken: answer.accessToken,
    refreshToken: answer.refreshToken,
    roles: c.roles ?? [],
    expiresAt: Date.now() + answer.expiresIn * 1000,
    lifetimeMs: answer.expiresIn * 1000,
  };
}

/** Refresh at three quarters of the access token's life, so calls never meet an expired one. */
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session) return;
  const wait = Math.max(1000, session.expiresAt - Date.now() - session.lifetimeMs / 4);
  refreshTimer = setTimeout(() => refresh().catch(() => {}), wait);
}

/** Rotates the refresh token (the node revokes the family if an old one is ever reused). */
export function refresh() {
  if (!session) return Promise.resolve(null);
  if (!refreshing) {
    const { address, refreshToken } = session;
    refreshing = request('POST', '/api/v1/auth/refresh', { body: { refreshToken }, anonymous: true })
      .then((answer) => { stats.refreshes++; store(fromTokens(address, answer)); return session; })
      .catch((err) => { if (err instanceof ApiError && err.status === 401) store(null); throw err; })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

/** nonce → the wallet signs the message → login. {@code sign(message)} answers the signature. */
export async function login(address, sign, { chain } = {}) {
  const query = new URLSearchParams({ address });
  if (chain) query.set('chain', chain);
  const nonce = await request('GET', `/api/v1/auth/nonce?${query}`, { anonymous: true });
  const signature = await sign(nonce.message, nonce);
  const answer = await request('POST', '/api/v1/auth/login', { body: { address, message: nonce.message, signature }, anonymous: true });
  store(fromTokens(address, answer));
  return session;
}

/** The two login steps apart, for a wallet whose signature the user pastes. */
export async function nonceFor(address) {
  return request('GET', `/api/v1/auth/nonce?${new URLSearchParams({ address })}`, { anonymous: true });
}

export async function loginWithSignature(address, message, signature) {
  const answer = await request('POST', '/api/v1/auth/login', { body: { address, message, signature }, anonymous: true });
  store(fromTokens(address, answer));
  return session;
}

export async function logout() {
  const s = session;
  store(null);
  if (s) {
    await request('POST', '/api/v1/auth/logout', { body: { refreshToken: s.refreshToken }, token: s.accessToken }).catch(() => {});
  }
}

/** One API call; the session's token unless {@code anonymous}; waits out 429s (up to {@code patience} times). */
export async function request(method, path, { body, headers = {}, anonymous = false, token, patience = 5 } = {}) {
  for (let attempt = 0; ; attempt++) {
    const h = { Accept: 'application/json', ...headers };
    const bearer = token ?? (anonymous ? null : session?.accessToken);
    if (bearer) h.Authorization = `Bearer ${bearer}`;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const r = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = { message: text }; }
    if (r.ok) return json;
    const err = new ApiError(r.status, json, r.headers.get('X-Request-Id'), path);
    if (r.status === 429 && attempt < patience) {
      await sleep(1000 * Math.max(1, Number(r.headers.get('Retry-After') ?? 1)));
      continue;
    }
    if (r.status === 401 && err.error === 'invalid_token' && bearer && !token && attempt === 0 && session) {
      await refresh();
      continue;
    }
    throw err;
  }
}

export const api = {
  get: (path, o) => request('GET', path, o),
  post: (path, body, o = {}) => request('POST', path, { ...o, body }),
};

scheduleRefresh();
