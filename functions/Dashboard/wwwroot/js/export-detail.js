// One export: its definition, then its runs and each (event, day) work item, refreshing itself while it runs.
import { api } from './api.js';
import { h, replace, icon, statusBadge, timeElement, dayElement, stateMessage, loadErrorState, numberFormat, none, formatDateTime, counters } from './ui.js';
import { FORMATS, describeData, describeFrequency, noNextRunText } from './model.js';
import { editButton, stopButton } from './export-actions.js';

const REFRESH_MILLISECONDS = 3000;
const FINISHED_ITEM_STATUSES = ['DONE', 'SKIPPED', 'FAILED'];

export function render(main, { parameters, setTitle }) {
  const [id] = parameters;
  let disposed = false;
  let timer = null;
  let lastStatus = null;
  const content = h('div', { class: 'detail', 'aria-busy': 'true' });
  const announcer = h('p', { class: 'visually-hidden', role: 'status' });
  main.append(
    h('p', { class: 'back' }, h('a', { href: '/exports', 'data-route': true }, icon('back'), h('span', {}, 'Exports'))),
    content, announcer);

  async function load() {
    clearTimeout(timer);
    let item;
    try {
      item = await api('GET', `/api/exports/${encodeURIComponent(id)}`);
    } catch (error) {
      if (disposed) return;
      content.setAttribute('aria-busy', 'false');
      const heading = h('h1', { class: 'page-title', tabIndex: -1 }, 'Export');
      content.replaceChildren(heading, error.status === 404
        ? stateMessage({ title: 'There is no export with this id.', text: 'It may have been typed wrong. The Exports page lists every export.',
          action: h('a', { href: '/exports', 'data-route': true, class: 'button' }, 'Go to Exports') })
        : loadErrorState('this export', error, load));
      return;
    }
    if (disposed) return;
    if (lastStatus && lastStatus !== item.status) announcer.textContent = `Status: ${item.status}`;
    lastStatus = item.status;
    show(item);
    content.setAttribute('aria-busy', 'false');
    if (isMoving(item)) timer = setTimeout(load, REFRESH_MILLISECONDS);
  }

  function show(item) {
    const focusKey = document.activeElement?.dataset?.focusKey;
    const hadHeadingFocus = document.activeElement?.matches?.('.detail h1');
    const data = describeData(item);
    const frequency = describeFrequency(item);
    setTitle(`Export to ${item.partner}`);
    const runs = item.runs ?? [];
    const heading = h('h1', { class: 'page-title', tabIndex: -1 }, `Export to ${item.partner}`);
    replace(content,
      h('div', { class: 'page-header' },
        h('div', {}, heading, h('p', { class: 'page-intro' }, statusBadge(item.status), ' ', `${data.title}: ${data.detail}`)),
        h('div', { class: 'page-actions' }, editButton(item, load), stopButton(item, load))),
      item.statusReason ? h('p', { class: `notice${item.status === 'FAILED' ? ' notice--error' : ''}` }, h('strong', {}, 'Reason: '), item.statusReason) : null,
      isMoving(item) ? progress(item, runs[0]) : null,
      h('dl', { class: 'summary' },
        term('Partner', item.partner),
        term('Data', `${data.title}: ${data.full || data.detail}`),
        term('Frequency', frequency.detail ? `${frequency.title}: ${frequency.detail}` : frequency.title),
        item.oneTime ? term('Window', timeElement(item.oneTime.windowStart), ' – ', timeElement(item.oneTime.windowEnd)) : null,
        term('Format', FORMATS[item.format] ?? item.format),
        term('Created', timeElement(item.createdAt)),
        term('Updated', timeElement(item.updatedAt)),
        term('Last run', timeElement(item.lastRunAt, 'not run yet')),
        term('Next run', timeElement(item.nextRunAt, noNextRunText(item))),
        term('Records', counters(item.counters)),
        term('ID', h('code', {}, item.id))),
      h('h2', { class: 'section-title' }, 'Runs'),
      runs.length === 0
        ? stateMessage({ title: 'No runs yet.', text: item.nextRunAt ? `The first run starts ${formatDateTime(item.nextRunAt)}.` : 'This export has not run.' })
        : runs.map(runSection));
    if (focusKey) content.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
    else if (hadHeadingFocus) heading.focus();
  }

  load();
  return {
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}

/** Still changing: running, or a one-time export about to start. */
function isMoving(item) {
  return item.status === 'RUNNING' || (item.status === 'PENDING' && item.frequency === 'oneTime');
}

function term(name, ...value) {
  return h('div', { class: 'summary__item' }, h('dt', {}, name), h('dd', {}, ...value));
}

function progress(item, run) {
  const items = run?.items ?? [];
  const finished = items.filter((workItem) => FINISHED_ITEM_STATUSES.includes(workItem.status)).length;
  const exported = items.reduce((sum, workItem) => sum + (workItem.exported ?? 0), 0);
  const label = items.length > 0
    ? `${finished} of ${items.length} work items finished · ${numberFormat.format(exported)} records exported so far`
    : 'Starting…';
  return h('div', { class: 'progress', dataset: { progress: 'running' } },
    h('label', { class: 'progress__label', for: 'run-progress' }, label),
    h('progress', { id: 'run-progress', max: Math.max(items.length, 1), value: finished }),
    h('p', { class: 'field-hint' }, `Updates every ${REFRESH_MILLISECONDS / 1000} seconds while the export runs.`));
}

function runSection(run) {
  const items = run.items ?? [];
  const skipReasons = Object.entries(run.skipReasons ?? {});
  return h('section', { class: 'run', dataset: { runId: run.id } },
    h('div', { class: 'run__header' },
      h('h3', { class: 'run__title' }, 'Run for ', timeElement(run.windowStart), ' – ', timeElement(run.windowEnd)),
      statusBadge(run.status)),
    h('p', { class: 'run__meta' },
      'Started ', timeElement(run.startedAt), run.completedAt ? [' · finished ', timeElement(run.completedAt)] : null, ' · ', counters(run.counters)),
    run.reason ? h('p', { class: 'notice' }, h('strong', {}, 'Reason: '), run.reason) : null,
    skipReasons.length > 0
      ? h('div', { class: 'skip-reasons' }, h('p', { class: 'strong' }, 'Skipped records by reason'),
        h('ul', {}, skipReasons.map(([reason, count]) => h('li', {}, `${reason}: ${numberFormat.format(count)}`))))
      : null,
    items.length === 0 ? h('p', {}, 'No work items.') : itemsTable(items));
}

function itemsTable(items) {
  const columns = ['Event', 'Day', 'Status', 'Exported', 'Skipped', 'Failed', 'Pages', 'Details'];
  const cell = (label, ...content) => h('td', { 'data-label': label }, h('div', { class: 'cell' }, ...content));
  return h('div', { class: 'table-scroll' }, h('table', { class: 'table table--items' },
    h('caption', { class: 'visually-hidden' }, 'Work items: one per event and day'),
    h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column)))),
    h('tbody', {}, items.map((workItem) => h('tr', { dataset: { event: workItem.event, day: workItem.day, status: workItem.status } },
      cell('Event', h('span', { class: 'strong' }, workItem.event)),
      cell('Day', dayElement(workItem.day)),
      cell('Status', statusBadge(workItem.status)),
      cell('Exported', numberFormat.format(workItem.exported ?? 0)),
      cell('Skipped', numberFormat.format(workItem.skipped ?? 0)),
      cell('Failed', numberFormat.format(workItem.failed ?? 0)),
      cell('Pages', numberFormat.format(workItem.pages ?? 0)),
      cell('Details', itemDetails(workItem)))))));
}

/** Why an item is where it is: its reason, the last error and the next attempt (when the API gives them). */
function itemDetails(workItem) {
  const lastError = workItem.lastError;
  const errorText = lastError && typeof lastError === 'object' ? lastError.message ?? JSON.stringify(lastError) : lastError;
  const errorAt = lastError && typeof lastError === 'object' ? lastError.at : null;
  const parts = [
    workItem.reason ? h('span', { class: 'detail-line', dataset: { detail: 'reason' } }, h('span', { class: 'detail-line__name' }, 'Reason: '), workItem.reason) : null,
    errorText ? h('span', { class: 'detail-line detail-line--error', dataset: { detail: 'lastError' } }, h('span', { class: 'detail-line__name' }, 'Last error: '), errorText, errorAt ? [' (', timeElement(errorAt), ')'] : null) : null,
    workItem.nextAttemptAt ? h('span', { class: 'detail-line', dataset: { detail: 'nextAttemptAt' } }, h('span', { class: 'detail-line__name' }, 'Next attempt: '), timeElement(workItem.nextAttemptAt)) : null,
    workItem.lastCheckpointAt && !FINISHED_ITEM_STATUSES.includes(workItem.status)
      ? h('span', { class: 'detail-line' }, h('span', { class: 'detail-line__name' }, 'Last progress: '), timeElement(workItem.lastCheckpointAt))
      : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts : none('no details');
}

