// Segment → CleverTap: what the destination endpoint delivered in the last 24 hours per CleverTap account, and a
// box that shows the CleverTap request(s) an event would produce (POST /api/ingest/preview: nothing is sent).
import { api } from './api.js';
import { h, timeElement, stateMessage, loadErrorState, numberFormat, FormFields, uid, confirmDialog, showBanner } from './ui.js';

const EXAMPLE = {
  type: 'identify',
  userId: 'u-1',
  traits: { name: 'Ada Lovelace', email: 'ada@example.com', plan: 'pro' },
  timestamp: '2026-11-22T10:00:00Z',
};

export function render(main) {
  let disposed = false;
  const stats = h('div', { class: 'results', 'aria-busy': 'true' });
  const statsHeading = uid('heading');
  const tryHeading = uid('heading');
  const spool = h('div', { class: 'results', 'aria-busy': 'true' });
  const spoolHeading = uid('heading');
  main.append(
    h('div', { class: 'page-header' },
      h('div', {}, h('h1', { class: 'page-title', tabIndex: -1 }, 'Segment → CleverTap'),
        h('p', { class: 'page-intro' }, 'Events your Segment destination sends to this app (POST /api/segment) are mapped and uploaded to CleverTap.'))),
    h('section', { 'aria-labelledby': statsHeading, class: 'panel' }, h('h2', { id: statsHeading, class: 'section-title' }, 'Last 24 hours'), stats),
    h('section', { 'aria-labelledby': spoolHeading, class: 'panel' }, h('h2', { id: spoolHeading, class: 'section-title' }, 'Spool and dead letters'), spool),
    h('section', { 'aria-labelledby': tryHeading, class: 'panel' }, h('h2', { id: tryHeading, class: 'section-title' }, 'Try an event'), tryBox()));

  async function loadStats() {
    stats.setAttribute('aria-busy', 'true');
    let answer;
    try {
      answer = await api('GET', '/api/ingest/stats');
    } catch (error) {
      if (disposed) return;
      stats.setAttribute('aria-busy', 'false');
      stats.replaceChildren(error.status === 404
        ? stateMessage({ title: 'Delivery stats are unavailable.', text: 'This version of the app does not report them (GET /api/ingest/stats is not served). Events are still delivered; the app\'s logs show each upload. "Try an event" below works.' })
        : loadErrorState('the delivery stats', error, loadStats));
      return;
    }
    if (disposed) return;
    stats.setAttribute('aria-busy', 'false');
    const accounts = answer?.accounts ?? [];
    stats.replaceChildren(accounts.length === 0
      ? stateMessage({ title: 'No CleverTap account is configured.', text: 'Set CleverTap__AccountId and CleverTap__Passcode in the app settings.' })
      : h('div', { class: 'cards' }, accounts.map(accountCard)));
  }

  // GET /api/ingest/spool (docs/ingest-api.md): what waits in the stored-acknowledgement spool, and the dead letters
  // that wait for someone to fix their cause and replay them.
  async function loadSpool() {
    spool.setAttribute('aria-busy', 'true');
    let answer;
    try {
      answer = await api('GET', '/api/ingest/spool');
    } catch (error) {
      if (disposed) return;
      spool.setAttribute('aria-busy', 'false');
      spool.replaceChildren(loadErrorState('the spool', error, loadSpool));
      return;
    }
    if (disposed) return;
    spool.setAttribute('aria-busy', 'false');
    spool.replaceChildren(spoolSummary(answer, loadSpool));
  }

  loadStats();
  loadSpool();
  return { dispose() { disposed = true; } };
}

function accountCard(account) {
  const rejected = account.rejected ?? { total: 0, byReason: {} };
  const reasons = Object.entries(rejected.byReason ?? {}).filter(([, count]) => count > 0);
  const number = (label, value, name) => h('div', { class: `stat stat--${name}`, dataset: { stat: name } },
    h('dt', { class: 'stat__label' }, label), h('dd', { class: 'stat__value' }, numberFormat.format(value ?? 0)));
  return h('article', { class: 'card', dataset: { account: account.account } },
    h('h3', { class: 'card__title' }, account.account, h('span', { class: 'secondary' }, ` ${account.accountId ?? ''} · ${account.region ?? ''}`)),
    h('p', { class: 'field-hint' }, 'From ', timeElement(account.from), ' to ', timeElement(account.to)),
    h('dl', { class: 'stats' },
      number('Received', account.received, 'received'),
      number('Delivered', account.delivered, 'delivered'),
      number('Rejected', rejected.total, 'rejected'),
      number('Skipped', account.skipped, 'skipped')),
    reasons.length > 0
      ? h('div', { class: 'skip-reasons' }, h('p', { class: 'strong' }, 'Rejected by reason'),
        h('ul', {}, reasons.map(([reason, count]) => h('li', {}, `${reason}: ${numberFormat.format(count)}`))))
      : null,
    h('dl', { class: 'summary summary--compact' },
      h('div', { class: 'summary__item' }, h('dt', {}, 'Last successful upload'), h('dd', {}, timeElement(account.lastSuccessfulUploadAt, 'none in this period'))),
      h('div', { class: 'summary__item' }, h('dt', {}, 'Last error'), h('dd', {}, account.lastError
        ? [timeElement(account.lastError.at), ': ', h('span', { class: 'error-text' }, account.lastError.message)]
        : timeElement(null, 'none')))));
}

const seconds = (value) => (value === null || value === undefined ? 'none' : `${numberFormat.format(Math.round(value))} s`);

function spoolSummary(answer, reload) {
  const stored = answer?.acknowledge === 'stored';
  const deadLetters = answer?.deadLetters ?? [];
  const backlog = answer?.accounts ?? [];
  const total = deadLetters.reduce((sum, letter) => sum + (letter.records ?? 0), 0);
  const replay = (filter, label, text = 'Replay') => h('button', {
    type: 'button', class: 'button', dataset: { replay: filter.reason ?? 'all' },
    on: { click: () => confirmDialog({
      title: 'Replay dead letters?',
      message: `${label} go back to the spool and are delivered again. Replay once their cause is fixed (a passcode, a region), or they come back here.`,
      confirmLabel: 'Replay',
      danger: false,
      action: async () => {
        const result = await api('POST', '/api/ingest/deadletters/replay', filter);
        showBanner(`${numberFormat.format(result?.replayed ?? 0)} dead-lettered record(s) replayed`);
        reload();
      },
    }) },
  }, text);
  return h('div', { dataset: { spool: answer?.acknowledge ?? '' } },
    h('p', { class: 'field-hint' }, stored
      ? 'Ingest__Acknowledge is stored: Segment\'s events are answered once spooled, and delivered from the spool.'
      : 'Ingest__Acknowledge is delivered: events are answered once CleverTap took them; the spool holds only replayed dead letters.'),
    h('dl', { class: 'stats' },
      h('div', { class: 'stat', dataset: { stat: 'depth' } }, h('dt', { class: 'stat__label' }, 'Messages waiting'), h('dd', { class: 'stat__value' }, numberFormat.format(answer?.depth ?? 0))),
      h('div', { class: 'stat', dataset: { stat: 'oldest' } }, h('dt', { class: 'stat__label' }, 'Oldest visible'), h('dd', { class: 'stat__value' }, seconds(answer?.oldestVisibleAgeSeconds))),
      h('div', { class: 'stat', dataset: { stat: 'dead-letters' } }, h('dt', { class: 'stat__label' }, 'Dead-lettered records'), h('dd', { class: 'stat__value' }, numberFormat.format(total)))),
    backlog.length > 0
      ? h('table', { class: 'table' },
        h('caption', {}, `Backlog by account (the first ${numberFormat.format(answer?.sampledMessages ?? 0)} visible messages)`),
        h('thead', {}, h('tr', {}, ['Account', 'Messages', 'Records', 'Oldest'].map((name) => h('th', { scope: 'col' }, name)))),
        h('tbody', {}, backlog.map((row) => h('tr', { dataset: { backlog: row.account } },
          h('td', {}, row.account), h('td', {}, numberFormat.format(row.messages)), h('td', {}, numberFormat.format(row.records)), h('td', {}, seconds(row.oldestAgeSeconds))))))
      : null,
    deadLetters.length > 0
      ? h('div', {},
        h('table', { class: 'table' },
          h('caption', {}, 'Dead letters by reason'),
          h('thead', {}, h('tr', {}, ['Account', 'Reason', 'Records', ''].map((name) => h('th', { scope: 'col' }, name || h('span', { class: 'visually-hidden' }, 'Action'))))),
          h('tbody', {}, deadLetters.map((letter) => h('tr', { dataset: { deadLetter: letter.reason } },
            h('td', {}, letter.account), h('td', {}, letter.reason), h('td', {}, numberFormat.format(letter.records)),
            h('td', {}, replay({ account: letter.account, reason: letter.reason }, `${numberFormat.format(letter.records)} record(s) of ${letter.account} dead-lettered for "${letter.reason}"`)))))),
        h('div', { class: 'form-actions' }, replay({}, `All ${numberFormat.format(total)} dead-lettered record(s)`, 'Replay all')))
      : stateMessage({ title: 'No dead letters.', text: 'Records CleverTap refuses for good, or that outlive Ingest__SpoolRetentionHours, would wait here with their reason.' }));
}

function tryBox() {
  const fields = new FormFields();
  const input = h('textarea', { name: 'event', rows: 10, spellcheck: false, autocomplete: 'off', class: 'code-input', placeholder: JSON.stringify(EXAMPLE, null, 2) });
  const output = h('div', { class: 'dry-run', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Show CleverTap request');
  const example = h('button', { type: 'button', class: 'button', on: { click: () => { input.value = JSON.stringify(EXAMPLE, null, 2); input.focus(); } } }, 'Insert an example');
  const form = h('form', { class: 'try', noValidate: true },
    fields.formError,
    fields.field('body', 'Segment event (JSON)', input, { hint: 'A single event, an array of events, or {"batch": […]}, as Segment sends it. Nothing is sent to CleverTap: this is a dry run, and the passcode is masked.' }),
    h('div', { class: 'form-actions' }, example, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fields.clear();
    output.replaceChildren();
    if (!input.value.trim()) {
      fields.show({ errors: { body: ['paste a Segment event first (or insert the example)'] } });
      return;
    }
    submit.disabled = true;
    try {
      const answer = await api('POST', '/api/ingest/preview', input.value);
      output.replaceChildren(dryRunResult(answer));
    } catch (error) {
      const message = error.problem?.message ?? error.problem?.detail ?? error.message;
      fields.show({ errors: { body: [message] } });
    } finally {
      submit.disabled = false;
    }
  });
  return h('div', {}, form, output);
}

function dryRunResult(answer) {
  const requests = answer?.requests ?? [];
  const results = answer?.results ?? [];
  return h('div', { class: 'dry-run__result', dataset: { dryRun: 'result' } },
    h('p', { class: 'strong' }, answer?.message ?? ''),
    results.length > 0
      ? h('ul', { class: 'event-results' }, results.map((result) => h('li', { dataset: { eventStatus: result.status } },
        `Event ${result.index + 1}${result.type ? ` (${result.type})` : ''}: ${result.status}`,
        result.reason ? ` — ${result.reason}` : '',
        (result.warnings ?? []).length > 0 ? h('ul', {}, result.warnings.map((warning) => h('li', {}, `Warning: ${warning}`))) : null)))
      : null,
    requests.map((request, index) => h('section', { class: 'request', dataset: { request: index } },
      h('h3', { class: 'request__title' }, `Request ${index + 1}: `, h('code', {}, `${request.method} ${request.url}`)),
      h('table', { class: 'table table--headers' },
        h('caption', { class: 'visually-hidden' }, `Headers of request ${index + 1}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Header'), h('th', { scope: 'col' }, 'Value'))),
        h('tbody', {}, Object.entries(request.headers ?? {}).map(([name, value]) => h('tr', { dataset: { header: name } },
          h('td', {}, h('code', {}, name)), h('td', {}, h('code', {}, value)))))),
      h('pre', { class: 'code', tabIndex: 0, 'aria-label': `Body of request ${index + 1}` }, JSON.stringify(request.body, null, 2)))));
}
