// The Exports page: filters, the table of exports, page size and paging, and the create dialog.
import { api, query } from './api.js';
import { h, icon, statusBadge, timeElement, showBanner, stateMessage, loadErrorState, select, uid, counters, visuallyHidden } from './ui.js';
import { STATUSES, PAGE_SIZES, DATA_TYPES, FREQUENCIES, FORMATS, describeData, describeFrequency, noNextRunText, loadPartners } from './model.js';
import { openExportDialog } from './export-form.js';
import { editButton, stopButton, exportName } from './export-actions.js';

const EMPTY_FILTERS = { partner: '', type: '', format: '', status: '', frequency: '', exportedFrom: '', exportedTo: '' };
const REFRESH_MILLISECONDS = 5000;

// Kept while the person visits other pages, so coming back shows the same filters and page.
const state = {
  filters: { ...EMPTY_FILTERS },
  pageSize: 20,
  // The API pages with an opaque continuation: continuations[i] fetches page i + 1 (null for the first page).
  continuations: [null],
  pageIndex: 0,
  filtersOpen: false,
};

export function render(main) {
  let disposed = false;
  let refreshTimer = null;
  let nextContinuation = null;
  let loading = 0;

  const headingId = uid('heading');
  const filtersId = uid('filters');
  const activeCount = h('span', { class: 'count' });
  const filterToggle = h('button', {
    type: 'button', class: 'button', 'aria-expanded': String(state.filtersOpen), 'aria-controls': filtersId,
    on: { click: () => toggleFilters(!state.filtersOpen) },
  }, icon('filter'), h('span', {}, 'Filter'), activeCount);
  const createButton = h('button', { type: 'button', class: 'button button--primary', on: { click: create } }, icon('plus'), h('span', {}, 'Create export'));

  // Filters: selects apply at once; the exported-on range applies with its button, like the product's calendar.
  const partnerFilter = select([['', 'All partners']], { name: 'partner' });
  const filterControls = {
    partner: partnerFilter,
    type: select([['', 'All types'], ...Object.entries(DATA_TYPES)], { name: 'type' }),
    format: select([['', 'All formats'], ...Object.entries(FORMATS)], { name: 'format' }),
    status: select([['', 'All statuses'], ...STATUSES.map((status) => [status, status])], { name: 'status' }),
    frequency: select([['', 'All frequencies'], ...Object.entries(FREQUENCIES)], { name: 'frequency' }),
  };
  const exportedFrom = h('input', { type: 'date', name: 'exportedFrom' });
  const exportedTo = h('input', { type: 'date', name: 'exportedTo' });
  const rangeError = h('p', { class: 'field-error', id: uid('error'), hidden: true });
  const labelled = (label, control) => {
    control.id = uid('filter');
    return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
  };
  const filterForm = h('form', { id: filtersId, class: 'filters', role: 'search', 'aria-label': 'Filter exports', hidden: !state.filtersOpen, noValidate: true },
    h('div', { class: 'filters__grid' },
      labelled('Partner', filterControls.partner),
      labelled('Type', filterControls.type),
      labelled('Format', filterControls.format),
      labelled('Status', filterControls.status),
      labelled('Frequency', filterControls.frequency),
      h('fieldset', { class: 'group filters__range', 'aria-describedby': rangeError.id },
        h('legend', {}, 'Exported on'),
        h('div', { class: 'field-row' }, labelled('From', exportedFrom), labelled('To', exportedTo),
          h('button', { type: 'submit', class: 'button' }, 'Apply')),
        rangeError)),
    h('div', { class: 'filters__footer' },
      h('p', { class: 'field-hint' }, 'Exported on: the day of an export\'s last run, or of its creation before its first run (CleverTap project time zone).'),
      h('button', { type: 'button', class: 'button button--quiet', on: { click: resetFilters } }, 'Reset all')));
  for (const [name, control] of Object.entries(filterControls)) {
    control.value = state.filters[name];
    control.addEventListener('change', () => { state.filters[name] = control.value; firstPage(); });
  }
  exportedFrom.value = state.filters.exportedFrom;
  exportedTo.value = state.filters.exportedTo;
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    state.filters.exportedFrom = exportedFrom.value;
    state.filters.exportedTo = exportedTo.value;
    firstPage();
  });

  const results = h('div', { class: 'results', 'aria-live': 'polite', 'aria-busy': 'true' });
  const pageSize = select(PAGE_SIZES.map((size) => [String(size), String(size)]), { id: uid('page-size'), name: 'pageSize' });
  pageSize.value = String(state.pageSize);
  pageSize.addEventListener('change', () => { state.pageSize = Number(pageSize.value); firstPage(); });
  const previous = h('button', { type: 'button', class: 'button', on: { click: () => turnPage(-1) } }, icon('back'), h('span', {}, 'Previous'));
  const next = h('button', { type: 'button', class: 'button', on: { click: () => turnPage(1) } }, h('span', {}, 'Next'), icon('next'));
  const pageLabel = h('span', { class: 'pager__page', 'aria-live': 'polite' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages of exports' },
    h('div', { class: 'field field--inline' }, h('label', { for: pageSize.id }, 'Items per page'), pageSize),
    h('div', { class: 'pager__turn' }, previous, pageLabel, next));

  main.append(
    h('div', { class: 'page-header' },
      h('div', {}, h('h1', { class: 'page-title', id: headingId, tabIndex: -1 }, 'Exports'),
        h('p', { class: 'page-intro' }, 'CleverTap events and user profiles sent to your Segment sources, one time or on a schedule.')),
      h('div', { class: 'page-actions' }, filterToggle, createButton)),
    filterForm,
    h('section', { 'aria-labelledby': headingId }, results, pager));

  function toggleFilters(open) {
    state.filtersOpen = open;
    filterForm.hidden = !open;
    filterToggle.setAttribute('aria-expanded', String(open));
    if (open) filterControls.partner.focus();
  }

  function updateActiveCount() {
    const { exportedFrom: from, exportedTo: to, ...others } = state.filters;
    // The exported-on range is one filter, whichever of its ends is set.
    const count = Object.values(others).filter(Boolean).length + (from || to ? 1 : 0);
    activeCount.textContent = count > 0 ? ` (${count})` : '';
    activeCount.setAttribute('aria-label', count > 0 ? `${count} active` : '');
  }

  function resetFilters() {
    state.filters = { ...EMPTY_FILTERS };
    for (const [name, control] of Object.entries(filterControls)) control.value = state.filters[name];
    exportedFrom.value = '';
    exportedTo.value = '';
    firstPage();
  }

  function firstPage() {
    state.continuations = [null];
    state.pageIndex = 0;
    load();
  }

  function turnPage(step) {
    if (step > 0) {
      if (!nextContinuation) return;
      state.continuations = [...state.continuations.slice(0, state.pageIndex + 1), nextContinuation];
      state.pageIndex += 1;
    } else {
      if (state.pageIndex === 0) return;
      state.pageIndex -= 1;
    }
    load({ fromPager: step > 0 ? next : previous });
  }

  async function create() {
    try {
      const created = await openExportDialog({ mode: 'create' });
      if (created) {
        showBanner('Segment export has initiated');
        firstPage();
      }
    } catch (error) {
      showBanner(error.message, 'error');
    }
  }

  async function loadPartnerOptions() {
    try {
      const partners = await loadPartners();
      const chosen = state.filters.partner;
      partnerFilter.replaceChildren(h('option', { value: '' }, 'All partners'), ...partners.map((p) => h('option', { value: p.nickname }, p.nickname)));
      if (chosen && !partners.some((p) => p.nickname === chosen)) partnerFilter.append(h('option', { value: chosen }, chosen));
      partnerFilter.value = chosen;
    } catch {
      // The exports list says what went wrong; the partner filter keeps "All partners".
    }
  }

  async function load({ quiet = false, fromPager = null } = {}) {
    clearTimeout(refreshTimer);
    updateActiveCount();
    const ticket = ++loading;
    if (!quiet) results.setAttribute('aria-busy', 'true');
    const parameters = { ...state.filters, pageSize: state.pageSize, continuation: state.continuations[state.pageIndex] };
    let page;
    try {
      page = await api('GET', `/api/exports${query(parameters)}`);
    } catch (error) {
      if (disposed || ticket !== loading) return;
      results.setAttribute('aria-busy', 'false');
      if (error.status === 400 && (error.errors.exportedFrom || error.errors.exportedTo)) {
        rangeError.textContent = [...(error.errors.exportedFrom ?? []), ...(error.errors.exportedTo ?? [])].map((m) => `Exported on: ${m}.`).join(' ');
        rangeError.hidden = false;
        toggleFilters(true);
        exportedFrom.focus();
        return;
      }
      results.replaceChildren(loadErrorState('the exports', error, () => load()));
      updatePager(false);
      return;
    }
    if (disposed || ticket !== loading) return;
    rangeError.hidden = true;
    nextContinuation = page.continuation ?? null;
    renderRows(page.items ?? []);
    updatePager(true, page.items?.length ?? 0, fromPager);
    results.setAttribute('aria-busy', 'false');
    // Watch running exports move on without the person reloading.
    if ((page.items ?? []).some((item) => item.status === 'RUNNING' || (item.status === 'PENDING' && item.frequency === 'oneTime'))) {
      refreshTimer = setTimeout(() => load({ quiet: true }), REFRESH_MILLISECONDS);
    }
  }

  function updatePager(loaded, count = 0, fromPager = null) {
    previous.disabled = state.pageIndex === 0;
    next.disabled = !loaded || !nextContinuation;
    const first = state.pageIndex * state.pageSize + 1;
    pageLabel.textContent = loaded && count > 0 ? `Page ${state.pageIndex + 1} · ${first}–${first + count - 1}` : `Page ${state.pageIndex + 1}`;
    // The button just pressed may now be disabled (first or last page): keep focus on the pager.
    if (fromPager && fromPager.disabled) (fromPager === next ? previous : next).focus();
  }

  function renderRows(items) {
    const focusKey = document.activeElement?.dataset?.focusKey;
    const filtered = Object.values(state.filters).some(Boolean);
    if (items.length === 0) {
      results.replaceChildren(filtered
        ? stateMessage({ title: 'No exports match these filters.', text: 'Change the filters, or reset them to see every export.',
          action: h('button', { type: 'button', class: 'button', on: { click: resetFilters } }, 'Reset all') })
        : state.pageIndex > 0
          ? stateMessage({ title: 'No more exports.', action: h('button', { type: 'button', class: 'button', on: { click: firstPage } }, 'Back to the first page') })
          : stateMessage({ title: 'No exports yet.', text: 'Create an export to send CleverTap events or user profiles to a Segment source. Connect the source on the Partners page first.',
            action: h('button', { type: 'button', class: 'button button--primary', on: { click: create } }, icon('plus'), h('span', {}, 'Create export')) }));
      return;
    }
    const columns = ['Partner', 'Data', 'Format', 'Frequency', 'Status', 'Created', 'Last run', 'Next run', 'Records', 'Actions'];
    const table = h('table', { class: 'table table--exports' },
      h('caption', { class: 'visually-hidden' }, 'Exports, newest first'),
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column === 'Actions' ? visuallyHidden(column) : column)))),
      h('tbody', {}, items.map(row)));
    results.replaceChildren(h('div', { class: 'table-scroll' }, table));
    if (focusKey) results.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  function row(item) {
    const data = describeData(item);
    const frequency = describeFrequency(item);
    const cell = (label, ...content) => h('td', { 'data-label': label }, h('div', { class: 'cell' }, ...content));
    const viewLink = h('a', { href: `/exports/${encodeURIComponent(item.id)}`, 'data-route': true, class: 'icon-button', 'aria-label': `View ${exportName(item)}`, title: 'View', dataset: { focusKey: `${item.id}:view`, action: 'view' } }, icon('view'));
    const reload = () => load({ quiet: true });
    return h('tr', { dataset: { exportId: item.id, status: item.status } },
      cell('Partner', h('span', { class: 'strong' }, item.partner)),
      cell('Data', h('span', {}, data.title), h('span', { class: 'secondary', title: data.full || null }, data.detail)),
      cell('Format', FORMATS[item.format] ?? item.format),
      cell('Frequency', h('span', {}, frequency.title), frequency.detail ? h('span', { class: 'secondary' }, frequency.detail) : null),
      cell('Status', statusBadge(item.status), item.statusReason ? h('span', { class: 'secondary reason' }, item.statusReason) : null),
      cell('Created', timeElement(item.createdAt)),
      cell('Last run', timeElement(item.lastRunAt, 'not run yet')),
      cell('Next run', timeElement(item.nextRunAt, noNextRunText(item))),
      cell('Records', counters(item.counters)),
      h('td', { class: 'actions', 'data-label': 'Actions' }, h('div', { class: 'actions__buttons' },
        viewLink, editButton(item, reload, { compact: true }), stopButton(item, reload, { compact: true }))));
  }

  loadPartnerOptions();
  load();
  return {
    dispose() {
      disposed = true;
      clearTimeout(refreshTimer);
    },
  };
}
