// Small DOM helpers shared by the pages: an element builder, icons, times, status badges, the banner, modal
// dialogs and field errors. No framework: the page is plain ES modules served by the app.

const SVG = 'http://www.w3.org/2000/svg';

/** h('button', { class: 'x', type: 'button', 'aria-label': '…', on: { click } }, 'text', child, …) */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'on') for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name.startsWith('aria-') || name.startsWith('data-') || name === 'role' || name === 'for' || name === 'list') element.setAttribute(name, value === true ? 'true' : value);
    else if (name in element) element[name] = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

/** Appends children, flattening arrays and leaving out null, undefined and false (DOM append would print "null"). */
export function append(parent, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

/** Replaces a node's children, with append's rules. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, ...children);
}

let nextId = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix = 'id') { nextId += 1; return `${prefix}-${nextId}`; }

const ICONS = {
  view: ['M1.5 12s4-7.5 10.5-7.5S22.5 12 22.5 12s-4 7.5-10.5 7.5S1.5 12 1.5 12z', 'circle:12,12,3.2'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M13.5 6.5l4 4'],
  stop: ['rect:6,6,12,12'],
  trash: ['M4 7h16', 'M9 7V4h6v3', 'M6 7l1 13h10l1-13'],
  key: ['circle:8,14,4', 'M11 11l9-9', 'M16 6l3 3', 'M14 8l2 2'],
  plus: ['M12 5v14', 'M5 12h14'],
  filter: ['M3 5h18l-7 8v6l-4 2v-8z'],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  clock: ['circle:12,12,8.5', 'M12 7.5V12l3 2'],
  running: ['M20 12a8 8 0 1 1-2.4-5.7', 'M20 4v5h-5'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  failed: ['circle:12,12,8.5', 'M12 7.5v5.5', 'M12 16.2v.3'],
  skipped: ['M5 6l7 6-7 6z', 'M14 6v12', 'M18 6v12'],
  back: ['M15 5l-7 7 7 7'],
  next: ['M9 5l7 7-7 7'],
};

/** An inline SVG icon, hidden from assistive technology: the control it sits in carries the name. */
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon icon--${name}`);
  for (const shape of ICONS[name] ?? []) {
    let element;
    if (shape.startsWith('circle:')) {
      const [cx, cy, r] = shape.slice(7).split(',');
      element = document.createElementNS(SVG, 'circle');
      Object.entries({ cx, cy, r }).forEach(([k, v]) => element.setAttribute(k, v));
    } else if (shape.startsWith('rect:')) {
      const [x, y, width, height] = shape.slice(5).split(',');
      element = document.createElementNS(SVG, 'rect');
      Object.entries({ x, y, width, height, rx: 1.5 }).forEach(([k, v]) => element.setAttribute(k, v));
    } else {
      element = document.createElementNS(SVG, 'path');
      element.setAttribute('d', shape);
    }
    svg.append(element);
  }
  return svg;
}

/** A button showing only an icon; its accessible name is the label (also its tooltip). */
export function iconButton(iconName, label, { class: extraClass = '', ...props } = {}) {
  return h('button', { type: 'button', 'aria-label': label, title: label, ...props, class: `icon-button ${extraClass}`.trim() },
    icon(iconName));
}

export function visuallyHidden(text) { return h('span', { class: 'visually-hidden' }, text); }

// ---- Times -------------------------------------------------------------------------------------------------------

const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** "2026-11-22 04:00:00 UTC" */
export function utcText(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatDateTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : dateTimeFormat.format(date);
}

/** An instant in the viewer's time zone, UTC in the tooltip. */
export function timeElement(iso, emptyText = 'none') {
  if (!iso) return none(emptyText);
  return h('time', { dateTime: iso, title: utcText(iso) }, formatDateTime(iso));
}

/** A calendar day (yyyy-MM-dd, a CleverTap project-local day): shown as that day, no time-zone shift. */
export function dayElement(day) {
  if (!day) return none();
  const [year, month, date] = day.split('-').map(Number);
  const text = dayFormat.format(new Date(Date.UTC(year, month - 1, date)));
  return h('time', { dateTime: day, title: day }, text);
}

export function none(text = 'none') {
  return h('span', { class: 'none' }, h('span', { 'aria-hidden': 'true' }, '—'), visuallyHidden(text));
}

/** yyyy-MM-dd of a Date in the viewer's time zone (what <input type=date> speaks). */
export function isoDay(date) {
  const pad = (value) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function addDays(date, days) {
  const copy = new Date(date);
  copy.setDate(copy.getDate() + days);
  return copy;
}

export const numberFormat = new Intl.NumberFormat();

// ---- Status badges ------------------------------------------------------------------------------------------------

const STATUS_ICONS = { PENDING: 'clock', RUNNING: 'running', DONE: 'check', STOPPED: 'stop', FAILED: 'failed', SKIPPED: 'skipped' };

/** A status badge: an icon and the word, each status with its own shape and colour (never colour alone). */
export function statusBadge(status) {
  const known = STATUS_ICONS[status] ? status : 'UNKNOWN';
  return h('span', { class: `badge badge--${known.toLowerCase()}`, dataset: { status } }, icon(STATUS_ICONS[status] ?? 'clock'), h('span', { class: 'badge__text' }, status));
}

/** Exported, skipped and failed record counts, each labelled. */
export function counters(values = {}) {
  const item = (name, value) => h('span', { class: `counter counter--${name}${value > 0 ? ' counter--some' : ''}`, dataset: { counter: name } },
    h('span', { class: 'counter__value' }, numberFormat.format(value ?? 0)), ` ${name}`);
  return h('span', { class: 'counters' }, item('exported', values.exported), item('skipped', values.skipped), item('failed', values.failed));
}

// ---- Banner ------------------------------------------------------------------------------------------------------

/** The message at the top of the page ("Segment export has initiated"): polite for news, an alert for errors. */
export function showBanner(message, kind = 'success') {
  const region = document.getElementById('banner');
  const live = kind === 'error' ? region.querySelector('[role=alert]') : region.querySelector('[role=status]');
  for (const slot of region.querySelectorAll('.banner__message')) slot.replaceChildren();
  live.replaceChildren(h('div', { class: `banner__box banner__box--${kind}` },
    h('span', { class: 'banner__text', dataset: { banner: kind } }, message),
    iconButton('close', 'Dismiss message', { class: 'banner__close', on: { click: hideBanner } })));
}

export function hideBanner() {
  for (const slot of document.querySelectorAll('#banner .banner__message')) slot.replaceChildren();
}

// ---- Dialogs -----------------------------------------------------------------------------------------------------

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), summary';

function focusables(container) {
  return [...container.querySelectorAll(FOCUSABLE)].filter((element) => element.getClientRects().length > 0
    && !(element.type === 'radio' && !element.checked && container.querySelector(`input[type=radio][name="${CSS.escape(element.name)}"]:checked`)));
}

/**
 * Opens a modal <dialog> built by the caller and resolves when it closes (with its returnValue). Focus stays inside
 * (Tab and Shift+Tab wrap), Esc closes it, and focus goes back to what had it before. The dialog is removed when
 * closed.
 */
export function openModal(dialog, initialFocus) {
  const opener = document.activeElement;
  const openerKey = opener?.dataset?.focusKey;
  document.body.append(dialog);
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const items = focusables(dialog);
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      dialog.remove();
      // A list that refreshed meanwhile has replaced the opener: find its successor by its focus key.
      const target = opener?.isConnected ? opener : openerKey ? document.querySelector(`[data-focus-key="${CSS.escape(openerKey)}"]`) : null;
      target?.focus?.();
      resolve(dialog.returnValue);
    }, { once: true });
    dialog.showModal();
    const target = typeof initialFocus === 'function' ? initialFocus() : initialFocus;
    (target ?? focusables(dialog)[0])?.focus();
  });
}

/** The frame of a dialog: title, close button, body, footer buttons. Returns the parts to fill. */
export function dialogFrame({ title, wide = false, form = true }) {
  const titleId = uid('dialog-title');
  const body = h('div', { class: 'dialog__body' });
  const footer = h('div', { class: 'dialog__footer' });
  const close = iconButton('close', 'Close', { class: 'dialog__close' });
  const heading = h('h2', { id: titleId, class: 'dialog__title' }, title);
  const content = form ? h('form', { class: 'dialog__form', noValidate: true }, body, footer) : h('div', { class: 'dialog__form' }, body, footer);
  const dialog = h('dialog', { class: `dialog${wide ? ' dialog--wide' : ''}`, 'aria-labelledby': titleId },
    h('div', { class: 'dialog__header' }, heading, close), content);
  close.addEventListener('click', () => dialog.close('cancel'));
  return { dialog, body, footer, form: form ? content : null, heading };
}

/**
 * "Stop export?"-style confirmation. action() runs on confirm; when it throws, its message is shown in the dialog,
 * which stays open. Resolves with action's result, or undefined when cancelled.
 */
export function confirmDialog({ title, message, confirmLabel, danger = true, action }) {
  const { dialog, body, footer, form } = dialogFrame({ title });
  dialog.classList.add('dialog--confirm');
  dialog.setAttribute('role', 'alertdialog');
  const messageId = uid('confirm-message');
  dialog.setAttribute('aria-describedby', messageId);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  body.append(h('p', { id: messageId }, message), error);
  const cancel = h('button', { type: 'button', class: 'button', on: { click: () => dialog.close('cancel') } }, 'Cancel');
  const confirm = h('button', { type: 'submit', class: danger ? 'button button--danger' : 'button button--primary' }, confirmLabel);
  footer.append(cancel, confirm);
  let result;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    confirm.disabled = true;
    error.hidden = true;
    try {
      result = await action();
      dialog.close('confirm');
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
      confirm.disabled = false;
      cancel.focus();
    }
  });
  return openModal(dialog, cancel).then(() => result);
}

// ---- Form fields and their errors ---------------------------------------------------------------------------------

/**
 * The fields of one form, keyed by the API's error keys ("partner", "recurring.everyHours"). A 400's errors are
 * shown beside their fields (aria-describedby, aria-invalid); keys without a field go to the form-level message.
 */
export class FormFields {
  constructor() {
    this.fields = new Map();
    this.formError = h('div', { class: 'form-error', role: 'alert', hidden: true });
  }

  /** A labelled control with an optional hint and its error slot. key: an API error key, or several. */
  field(key, label, control, { hint, optional } = {}) {
    control.id ||= uid('field');
    const error = h('p', { class: 'field-error', id: uid('error'), hidden: true });
    const hintElement = hint ? h('p', { class: 'field-hint', id: uid('hint') }, hint) : null;
    if (hintElement) control.setAttribute('aria-describedby', hintElement.id);
    const keys = [key].flat();
    const wrapper = h('div', { class: 'field', dataset: { field: keys[0] } },
      h('label', { for: control.id }, label, optional ? h('span', { class: 'optional' }, ' (optional)') : null),
      control, hintElement, error);
    this.register(keys, { control, error, describe: control, hint: hintElement });
    return wrapper;
  }

  /** A group of radios or checkboxes (fieldset + legend), its error inside the group. */
  group(key, legend, children, { hint, extra } = {}) {
    const error = h('p', { class: 'field-error', id: uid('error'), hidden: true });
    const hintElement = hint ? h('p', { class: 'field-hint', id: uid('hint') }, hint) : null;
    const keys = [key].flat();
    const fieldset = h('fieldset', { class: 'group', dataset: { field: keys[0] } }, h('legend', {}, legend), hintElement, children, extra, error);
    if (hintElement) fieldset.setAttribute('aria-describedby', hintElement.id);
    this.register(keys, { control: null, error, describe: fieldset, hint: hintElement, group: fieldset });
    return fieldset;
  }

  register(keys, field) {
    for (const key of keys) {
      if (!this.fields.has(key)) this.fields.set(key, []);
      this.fields.get(key).push(field);
    }
  }

  all() { return new Set([...this.fields.values()].flat()); }

  clear() {
    this.formError.hidden = true;
    this.formError.replaceChildren();
    for (const { control, error, describe, hint } of this.all()) {
      error.hidden = true;
      error.textContent = '';
      if (hint) describe.setAttribute('aria-describedby', hint.id);
      else describe.removeAttribute('aria-describedby');
      control?.removeAttribute('aria-invalid');
      describe.classList.remove('has-error');
    }
  }

  /** Finds the field for an API error key: exact, then without [index], then its parents ("events.names" → "events"). */
  find(key) {
    let candidate = key.replace(/\[\d+\]/g, '');
    while (candidate) {
      const field = (this.fields.get(candidate) ?? []).find((f) => f.describe.isConnected && f.describe.getClientRects().length > 0);
      if (field) return field;
      const dot = candidate.lastIndexOf('.');
      candidate = dot > 0 ? candidate.slice(0, dot) : '';
    }
    return null;
  }

  /** Shows an ApiError: field errors beside their fields, the rest above the form. Focuses the first field in error. */
  show(apiError) {
    this.clear();
    const unplaced = [];
    let first = null;
    for (const [key, messages] of Object.entries(apiError.errors ?? {})) {
      const list = Array.isArray(messages) ? messages : [String(messages)];
      const field = this.find(key);
      if (!field) { unplaced.push(`${key}: ${list.join('; ')}`); continue; }
      const text = list.map(capitalise).join(' ');
      field.error.textContent = field.error.textContent ? `${field.error.textContent} ${text}` : text;
      field.error.hidden = false;
      field.describe.setAttribute('aria-describedby', [field.hint?.id, field.error.id].filter(Boolean).join(' '));
      field.describe.classList.add('has-error');
      if (field.control) field.control.setAttribute('aria-invalid', 'true');
      first ??= field;
    }
    if (unplaced.length > 0 || !first) {
      replace(this.formError, h('p', {}, first ? 'Also:' : apiError.message), unplaced.length > 0 ? h('ul', {}, unplaced.map((text) => h('li', {}, text))) : null);
      this.formError.hidden = false;
    }
    if (first) (first.control ?? focusables(first.group)[0] ?? first.group).focus();
  }
}

function capitalise(text) {
  const value = String(text);
  const sentence = value.charAt(0).toUpperCase() + value.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

// ---- Page states -------------------------------------------------------------------------------------------------

/** An empty or error state: what happened and what to do next, with an optional action. */
export function stateMessage({ title, text, action, kind = 'empty' }) {
  return h('div', { class: `state state--${kind}`, role: kind === 'error' ? 'alert' : null },
    h('p', { class: 'state__title' }, title), text ? h('p', { class: 'state__text' }, text) : null, action ?? null);
}

export function select(options, props = {}) {
  return h('select', props, options.map(([value, label]) => h('option', { value }, label)));
}

export function radio(name, value, label, props = {}) {
  const id = uid('radio');
  return h('div', { class: 'choice' }, h('input', { type: 'radio', name, value, id, ...props }), h('label', { for: id }, label));
}

export function checkbox(name, value, label, props = {}) {
  const id = uid('check');
  return h('div', { class: 'choice' }, h('input', { type: 'checkbox', name, value, id, ...props }), h('label', { for: id }, label));
}

/** The state shown when loading failed: why, and the way forward (enter the key, start the app, try again). */
export function loadErrorState(what, error, retry) {
  if (error.status === 401) {
    return stateMessage({
      kind: 'error',
      title: `The app needs the admin key to show ${what}.`,
      text: 'Locally it is Admin__ApiKey in local.settings.json; in Azure, sign in or use a function key.',
      action: h('button', { type: 'button', class: 'button button--primary', on: { click: retry } }, 'Enter admin key'),
    });
  }
  return stateMessage({
    kind: 'error',
    title: `Could not load ${what}.`,
    text: error.message,
    action: h('button', { type: 'button', class: 'button', on: { click: retry } }, 'Try again'),
  });
}
