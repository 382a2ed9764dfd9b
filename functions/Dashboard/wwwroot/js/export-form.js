// The "Export to Segment" dialog: create an export, or edit a recurring one (PATCH, only what changed).
import { api, ApiError } from './api.js';
import { h, append, dialogFrame, openModal, FormFields, select, radio, checkbox, isoDay, addDays, stateMessage, uid } from './ui.js';
import { SELECTIONS, PRESETS, FORMATS, USER_ID_SOURCES, ANONYMOUS_ID_SOURCES, loadPartners, loadCatalog, catalogNames } from './model.js';

const MAX_DAYS_BACK = 60;
const EVERY_HOURS = Array.from({ length: 21 }, (_, index) => index + 4);

/**
 * Opens the dialog. mode 'create' or 'edit' (exportItem required). Resolves with the created or updated export,
 * or null when the person cancelled. Loading errors (partners, catalog) reject.
 */
export async function openExportDialog({ mode = 'create', exportItem = null } = {}) {
  const editing = mode === 'edit';
  const [partners, eventCatalog] = await Promise.all([loadPartners(), loadCatalog()]);
  const { dialog, body, footer, form } = dialogFrame({ title: editing ? 'Edit export' : 'Export to Segment', wide: true });
  dialog.dataset.dialog = editing ? 'edit-export' : 'create-export';
  const cancel = h('button', { type: 'button', class: 'button', on: { click: () => dialog.close('cancel') } }, 'Cancel');

  if (!editing && partners.length === 0) {
    append(body, stateMessage({
      title: 'Connect a Segment source first.',
      text: 'An export sends to a partner: a Segment source with its write key.',
      action: h('a', { href: '/partners', 'data-route': true, class: 'button button--primary', on: { click: () => dialog.close('cancel') } }, 'Go to Partners'),
    }));
    footer.append(cancel);
    await openModal(dialog, cancel);
    return null;
  }

  const fields = new FormFields();
  const today = new Date();
  const names = catalogNames(eventCatalog);
  const initial = initialValues(exportItem, partners);

  // Partner and identifier priority.
  const partner = select(partners.map((p) => [p.nickname, p.nickname]), { name: 'partner' });
  if (editing && !partners.some((p) => p.nickname === initial.partner)) partner.append(h('option', { value: initial.partner }, `${initial.partner} (deleted)`));
  partner.value = initial.partner;
  const identifiers = h('p', { class: 'identifiers', 'aria-live': 'polite' });

  // Data type.
  const dataTypeChoices = [
    radio('dataType', 'events', 'Events', { checked: initial.dataType === 'events', disabled: editing }),
    radio('dataType', 'profiles', 'User profiles', { checked: initial.dataType === 'profiles', disabled: editing }),
  ];

  // Events.
  const selectionChoices = Object.entries(SELECTIONS).map(([value, label]) => radio('selection', value, label, { checked: initial.selection === value }));
  const listDetails = h('details', { class: 'event-list' }, h('summary', {}, ''), h('ul', { class: 'columns' }));
  const eventChecks = names.map((name) => checkbox('eventName', name, name, { checked: initial.names.includes(name) }));
  const otherNames = h('input', { type: 'text', name: 'otherEvents', autocomplete: 'off', value: initial.names.filter((name) => !names.includes(name)).join(', ') });
  const selectedCount = h('p', { class: 'field-hint', 'aria-live': 'polite' });
  const selectedGroup = fields.group('events.names', 'Events to export', h('div', { class: 'checks' }, eventChecks), {
    hint: eventCatalog.unavailable ? 'The event list could not be loaded: type the event names below.' : 'CleverTap system events; add custom events (such as Charged) below.',
    extra: [fields.field('events.otherNames', 'Other events', otherNames, { hint: 'Event names separated by commas.', optional: true }), selectedCount],
  });
  const eventsGroup = fields.group(['events.selection', 'events'], 'Events', h('div', { class: 'choices choices--inline' }, selectionChoices), { extra: [listDetails] });
  const eventsSection = h('div', { class: 'section' }, eventsGroup, selectedGroup);

  // Profiles.
  const datalistId = uid('events');
  const profileEvent = h('input', { type: 'text', name: 'profileEvent', autocomplete: 'off', list: datalistId, value: initial.profileEvent });
  const profilesSection = h('div', { class: 'section' },
    fields.field(['profiles.event', 'profiles'], 'Users who did this event', profileEvent, { hint: 'The export sends the profiles of the users who did this event in the export window.' }),
    h('datalist', { id: datalistId }, names.map((name) => h('option', { value: name }))));

  // Frequency.
  const frequencyChoices = [
    radio('frequency', 'oneTime', 'One time', { checked: initial.frequency === 'oneTime', disabled: editing }),
    radio('frequency', 'recurring', 'Recurring', { checked: initial.frequency === 'recurring', disabled: editing }),
  ];
  const oneTimeKind = select([['day', 'A day'], ['range', 'A date range'], ...Object.entries(PRESETS)], { name: 'oneTimeKind' });
  oneTimeKind.value = 'day';
  const dateLimits = { min: isoDay(addDays(today, -MAX_DAYS_BACK)), max: isoDay(today) };
  const day = h('input', { type: 'date', name: 'day', value: isoDay(addDays(today, -1)), ...dateLimits });
  const from = h('input', { type: 'date', name: 'from', value: isoDay(addDays(today, -7)), ...dateLimits });
  const to = h('input', { type: 'date', name: 'to', value: isoDay(addDays(today, -1)), ...dateLimits });
  const dayField = fields.field(['oneTime.from', 'oneTime.to'], 'Day', day);
  const rangeFields = h('div', { class: 'field-row' }, fields.field('oneTime.from', 'From', from), fields.field('oneTime.to', 'To', to));
  const oneTimeSection = h('div', { class: 'section' },
    fields.field(['oneTime.preset', 'oneTime'], 'Export', oneTimeKind, { hint: `Up to the last ${MAX_DAYS_BACK} days. Days are in the CleverTap project's time zone.` }),
    dayField, rangeFields);
  const everyHours = select(EVERY_HOURS.map((hours) => [String(hours), `Every ${hours} hours`]), { name: 'everyHours' });
  everyHours.value = String(initial.everyHours);
  const startDate = h('input', { type: 'date', name: 'startDate', value: initial.startDate, min: editing ? undefined : isoDay(today) });
  const recurringSection = h('div', { class: 'section' }, h('div', { class: 'field-row' },
    fields.field(['recurring.everyHours', 'recurring'], 'Run every', everyHours, { hint: 'From every 4 hours to once a day.' }),
    fields.field('recurring.startDate', 'Start date', startDate, { hint: 'The first run starts at 12:00 a.m. on this day; each run exports the hours since the previous one.' })));

  const format = select(Object.entries(FORMATS), { name: 'format' });

  append(body,
    editing && exportItem.status === 'RUNNING'
      ? h('p', { class: 'notice', role: 'note' }, 'This export is running: your changes apply from its next run. The run in progress keeps its settings.')
      : null,
    fields.formError,
    fields.field('partner', 'Partner nickname', partner, { hint: 'To change a partner\'s settings, go to Partners.' }),
    fields.group('dataType', 'Data type & identifier priority', h('div', { class: 'choices choices--inline' }, dataTypeChoices), {
      hint: editing ? 'An export cannot change between events and user profiles.' : null,
      extra: [identifiers],
    }),
    eventsSection,
    profilesSection,
    fields.group('frequency', 'Frequency', h('div', { class: 'choices choices--inline' }, frequencyChoices), {
      hint: editing ? 'Only recurring exports can be edited, and they stay recurring.' : null,
    }),
    editing ? null : oneTimeSection,
    recurringSection,
    fields.field('format', 'Format', format),
  );
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, editing ? 'Update export' : 'Export');
  footer.append(cancel, submit);

  const value = (name) => form.querySelector(`input[name=${name}]:checked`)?.value;
  const checkedNames = () => [
    ...eventChecks.map((choice) => choice.querySelector('input')).filter((input) => input.checked).map((input) => input.value),
    ...otherNames.value.split(',').map((name) => name.trim()).filter(Boolean),
  ];

  function sync() {
    const chosen = partners.find((p) => p.nickname === partner.value);
    identifiers.textContent = chosen
      ? `Identifier priority (set on the partner): Segment userId from ${USER_ID_SOURCES[chosen.userIdSource] ?? chosen.userIdSource}; anonymousId from ${ANONYMOUS_ID_SOURCES[chosen.anonymousIdSource] ?? chosen.anonymousIdSource}.`
      : '';
    const isEvents = value('dataType') === 'events';
    eventsSection.hidden = !isEvents;
    profilesSection.hidden = isEvents;
    const selection = value('selection');
    selectedGroup.hidden = selection !== 'selected';
    const listed = selection === 'engagement' ? eventCatalog.engagement : eventCatalog.allSystem;
    listDetails.hidden = selection === 'selected' || listed.length === 0;
    listDetails.querySelector('summary').textContent = `The ${listed.length} events this exports`;
    listDetails.querySelector('ul').replaceChildren(...listed.map((name) => h('li', {}, name)));
    const count = checkedNames().length;
    selectedCount.textContent = `${count} event${count === 1 ? '' : 's'} selected (at most ${eventCatalog.maxSelectedNames}).`;
    const isOneTime = value('frequency') === 'oneTime';
    oneTimeSection.hidden = !isOneTime;
    recurringSection.hidden = isOneTime;
    dayField.hidden = oneTimeKind.value !== 'day';
    rangeFields.hidden = oneTimeKind.value !== 'range';
  }
  form.addEventListener('change', sync);
  form.addEventListener('input', (event) => { if (event.target === otherNames) sync(); });
  sync();

  function createRequest() {
    const request = { partner: partner.value, dataType: value('dataType'), frequency: value('frequency'), format: format.value };
    if (request.dataType === 'events') {
      request.events = { selection: value('selection') };
      if (request.events.selection === 'selected') request.events.names = checkedNames();
    } else {
      request.profiles = { event: profileEvent.value.trim() };
    }
    if (request.frequency === 'oneTime') {
      const kind = oneTimeKind.value;
      if (kind === 'day') request.oneTime = { from: day.value || undefined, to: day.value || undefined };
      else if (kind === 'range') request.oneTime = { from: from.value || undefined, to: to.value || undefined };
      else request.oneTime = { preset: kind };
    } else {
      request.recurring = { everyHours: Number(everyHours.value), startDate: startDate.value || undefined };
    }
    return request;
  }

  function editPatch() {
    const patch = {};
    if (partner.value !== initial.partner) patch.partner = partner.value;
    if (exportItem.dataType === 'events') {
      const selection = value('selection');
      const chosen = selection === 'selected' ? checkedNames() : [];
      const before = initial.selection === 'selected' ? initial.names : [];
      if (selection !== initial.selection || [...chosen].sort().join('\n') !== [...before].sort().join('\n')) {
        patch.events = selection === 'selected' ? { selection, names: chosen } : { selection };
      }
    } else if (profileEvent.value.trim() !== initial.profileEvent) {
      patch.profiles = { event: profileEvent.value.trim() };
    }
    const recurring = {};
    if (Number(everyHours.value) !== initial.everyHours) recurring.everyHours = Number(everyHours.value);
    if (startDate.value !== initial.startDate) recurring.startDate = startDate.value || undefined;
    if (Object.keys(recurring).length > 0) patch.recurring = recurring;
    return patch;
  }

  let saved = null;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fields.clear();
    const request = editing ? editPatch() : createRequest();
    if (editing && Object.keys(request).length === 0) {
      fields.show(new ApiError(400, { detail: 'Nothing changed: change a setting, or cancel.' }));
      return;
    }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      saved = editing
        ? await api('PATCH', `/api/exports/${encodeURIComponent(exportItem.id)}`, request)
        : await api('POST', '/api/exports', request);
      dialog.close('saved');
    } catch (error) {
      fields.show(error);
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  await openModal(dialog, partner);
  return saved;
}

function initialValues(exportItem, partners) {
  const tomorrow = isoDay(addDays(new Date(), 1));
  if (!exportItem) {
    return {
      partner: partners[0]?.nickname ?? '', dataType: 'events', selection: 'allSystem', names: [], profileEvent: '',
      frequency: 'oneTime', everyHours: 24, startDate: tomorrow,
    };
  }
  return {
    partner: exportItem.partner,
    dataType: exportItem.dataType,
    selection: exportItem.events?.selection ?? 'allSystem',
    names: exportItem.events?.selection === 'selected' ? exportItem.events.names ?? [] : [],
    profileEvent: exportItem.profiles?.event ?? '',
    frequency: exportItem.frequency,
    everyHours: exportItem.recurring?.everyHours ?? 24,
    startDate: exportItem.recurring?.startDate ?? tomorrow,
  };
}
