// The dashboard's shell: client-side routes, the main navigation, and the admin-key prompt.
import { onAccessNeeded, adminKey, setAdminKey, forgetAdminKey } from './api.js';
import { h, append, dialogFrame, openModal, FormFields, stateMessage, hideBanner } from './ui.js';
import * as exportsPage from './exports.js';
import * as exportDetailPage from './export-detail.js';
import * as partnersPage from './partners.js';
import * as ingestPage from './ingest.js';

const APP_NAME = 'CleverTap ⇄ Segment';

const routes = [
  { pattern: /^\/$/, redirect: '/exports' },
  { pattern: /^\/exports\/?$/, page: exportsPage, nav: 'exports', title: 'Exports' },
  { pattern: /^\/exports\/([^/]+)\/?$/, page: exportDetailPage, nav: 'exports', title: 'Export' },
  { pattern: /^\/partners\/?$/, page: partnersPage, nav: 'partners', title: 'Partners' },
  { pattern: /^\/segment-to-clevertap\/?$/, page: ingestPage, nav: 'ingest', title: 'Segment → CleverTap' },
];

let currentPage = null;

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState({}, '', path);
  else history.pushState({}, '', path);
  render({ moveFocus: true });
}

function render({ moveFocus = false } = {}) {
  currentPage?.dispose?.();
  currentPage = null;
  const path = location.pathname;
  const route = routes.find((candidate) => candidate.pattern.test(path));
  if (route?.redirect) {
    history.replaceState({}, '', route.redirect);
    render({ moveFocus });
    return;
  }
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (route && link.dataset.nav === route.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${route?.title ?? 'Page not found'} · ${APP_NAME}`;
  const main = document.getElementById('main');
  main.replaceChildren();
  if (!route) {
    main.append(h('h1', { class: 'page-title', tabIndex: -1 }, 'Page not found'),
      stateMessage({ title: 'There is no page at this address.', action: h('a', { href: '/exports', 'data-route': true, class: 'button' }, 'Go to Exports') }));
  } else {
    const parameters = path.match(route.pattern).slice(1).map(decodeURIComponent);
    currentPage = route.page.render(main, { parameters, navigate, setTitle: (title) => { document.title = `${title} · ${APP_NAME}`; } }) ?? null;
  }
  // After a navigation, tell assistive technology where it is: focus the new page's heading.
  if (moveFocus) (main.querySelector('h1') ?? main).focus({ preventScroll: false });
}

// Same-origin links marked data-route change the page without a reload.
document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[data-route]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  hideBanner();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', () => render({ moveFocus: true }));

// ---- Access ------------------------------------------------------------------------------------------------------

const isLocal = ['127.0.0.1', 'localhost', '[::1]'].includes(location.hostname);

/**
 * Asks for the admin key (x-functions-key). It is kept in sessionStorage: this tab only, gone when it closes.
 * Resolves true when a key was given.
 */
function askForKey({ refused = false, signInRequired = false, manage = false } = {}) {
  const { dialog, body, footer, form } = dialogFrame({ title: signInRequired ? 'Sign in again' : manage ? 'Admin key' : 'Admin key needed' });
  dialog.classList.add('dialog--key');
  const fields = new FormFields();
  const input = h('input', { type: 'password', name: 'adminKey', autocomplete: 'off', spellcheck: false, required: true });
  append(body,
    refused ? h('p', { class: 'form-error', role: 'alert' }, 'The app refused that key. Enter the admin key again.') : null,
    h('p', {}, 'The management API needs the app\'s admin key, sent as the x-functions-key header. ',
      isLocal ? 'Locally it is Admin__ApiKey in local.settings.json.' : 'In Azure, use the function app\'s default host key.'),
    fields.field('adminKey', 'Admin key', input, { hint: 'Kept in this browser tab only (sessionStorage) and sent with each call; never stored in the page.' }),
    fields.formError,
    isLocal ? null : h('p', { class: 'field-hint' }, 'Behind App Service Authentication? ',
      h('a', { href: `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(location.pathname)}` }, 'Sign in with your organisation account'), ' instead.'),
  );
  const cancel = h('button', { type: 'button', class: 'button', on: { click: () => dialog.close('cancel') } }, 'Cancel');
  const forget = manage && adminKey()
    ? h('button', { type: 'button', class: 'button button--quiet', on: { click: () => { forgetAdminKey(); dialog.close('forget'); } } }, 'Forget key')
    : null;
  append(footer, forget, cancel, h('button', { type: 'submit', class: 'button button--primary' }, 'Continue'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      fields.show({ errors: { adminKey: ['enter the admin key'] } });
      return;
    }
    setAdminKey(key);
    dialog.close('key');
  });
  return openModal(dialog, input).then((result) => {
    updateAccessButton();
    return result === 'key';
  });
}

function updateAccessButton() {
  const button = document.getElementById('access-button');
  const hasKey = Boolean(adminKey());
  button.textContent = hasKey ? 'Admin key set' : 'Admin key';
  button.setAttribute('aria-label', hasKey ? 'Admin key set for this tab: change or forget it' : 'Enter the admin key');
}

onAccessNeeded((reason) => askForKey(reason));
document.getElementById('access-button').addEventListener('click', async () => {
  const before = adminKey();
  await askForKey({ manage: true });
  if (adminKey() !== before) render();
});
updateAccessButton();
render();
