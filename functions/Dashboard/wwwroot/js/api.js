// The one way the page talks to the app: same-origin fetch with the admin key (when the person gave one) and the
// header that marks the call as coming from this page (the server refuses cookie-authenticated state changes
// without it: a cross-site form cannot set a custom header). See docs/dashboard.md.

const KEY_STORAGE = 'clevertapSegment.adminKey';
export const REQUESTED_WITH = { name: 'X-Requested-With', value: 'dashboard' };
const KEY_HEADER = 'x-functions-key';

/** A failed call: status (0 when the app did not answer), the problem details, and the field errors of a 400. */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    super(describe(status, problem, fallback));
    this.status = status;
    this.problem = problem ?? null;
    this.errors = problem && typeof problem.errors === 'object' && problem.errors !== null ? problem.errors : {};
  }
}

function describe(status, problem, fallback) {
  if (status === 0) return fallback || 'The app did not answer. Check that it is running (./dev run), then try again.';
  if (problem && typeof problem === 'object') {
    if (problem.detail) return problem.detail;
    if (problem.message) return problem.message;
    if (problem.title) return problem.title;
  }
  return fallback || `The app answered ${status}.`;
}

let askForAccess = null;
let pendingAsk = null;

/**
 * Registers what to do when a call is refused (401) or redirected to a sign-in page: ask for the key. The function
 * gets { refused, signInRequired } and resolves true when the person gave a key (the call is then retried).
 */
export function onAccessNeeded(handler) { askForAccess = handler; }

export function adminKey() { return sessionStorage.getItem(KEY_STORAGE); }
export function setAdminKey(key) { sessionStorage.setItem(KEY_STORAGE, key); }
export function forgetAdminKey() { sessionStorage.removeItem(KEY_STORAGE); }

function ask(reason) {
  // Several calls can be refused at once (a page loads partners and exports together): one prompt answers them all.
  pendingAsk ??= Promise.resolve(askForAccess ? askForAccess(reason) : false).finally(() => { pendingAsk = null; });
  return pendingAsk;
}

/**
 * Calls the app. body: an object (sent as JSON), a string (sent as is, as JSON) or undefined. Resolves with the
 * parsed JSON answer (null for 204); rejects with ApiError. askForKey false: a 401 is the caller's to explain (the
 * ingest endpoint's own checks), not a reason to ask for the admin key.
 */
export async function api(method, path, body, { askForKey = true } = {}) {
  for (let attempt = 0; ; attempt++) {
    const key = adminKey();
    const headers = { Accept: 'application/json', [REQUESTED_WITH.name]: REQUESTED_WITH.value };
    if (key) headers[KEY_HEADER] = key;
    const init = { method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'manual' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch {
      throw new ApiError(0, null);
    }
    // Behind App Service Authentication an expired session answers with a redirect to the sign-in page.
    const signInRequired = response.type === 'opaqueredirect';
    if ((response.status === 401 || signInRequired) && attempt < 3 && (askForKey || signInRequired)) {
      if (key && !signInRequired) forgetAdminKey();
      if (await ask({ refused: Boolean(key) && !signInRequired, signInRequired })) continue;
    }
    if (signInRequired) throw new ApiError(401, { detail: 'Your session has ended: sign in again.' });
    const payload = await readPayload(response);
    if (!response.ok) throw new ApiError(response.status, typeof payload === 'object' ? payload : null, typeof payload === 'string' ? payload : '');
    return payload;
  }
}

async function readPayload(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try { return JSON.parse(text); } catch { return text; }
  }
  return text;
}

/** Query string from an object, leaving out empty values. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
