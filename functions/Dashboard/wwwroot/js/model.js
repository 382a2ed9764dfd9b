// What the API's values mean to a person: labels, summaries and the edit/stop rules as the page explains them.
import { api } from './api.js';

export const STATUSES = ['PENDING', 'RUNNING', 'DONE', 'STOPPED', 'FAILED'];
export const LIVE_STATUSES = ['PENDING', 'RUNNING'];
export const PAGE_SIZES = [10, 20, 30, 40];

export const DATA_TYPES = { events: 'Events', profiles: 'User profiles' };
export const SELECTIONS = { allSystem: 'All system events', engagement: 'Engagement events', selected: 'Selected events' };
export const FREQUENCIES = { oneTime: 'One time', recurring: 'Recurring' };
export const PRESETS = { yesterday: 'Yesterday', previousMonth: 'Previous month', currentMonth: 'Current month' };
export const FORMATS = { segment: 'Segment' };
export const REGIONS = { US: 'US region', EU: 'EU region' };
export const USER_ID_SOURCES = { identity: 'CleverTap identity', email: 'Email', none: 'None (no userId)' };
export const ANONYMOUS_ID_SOURCES = { objectId: 'CleverTap object ID', none: 'None (no anonymousId)' };

const dayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

function formatDay(day) {
  const [year, month, date] = day.split('-').map(Number);
  return dayFormat.format(new Date(Date.UTC(year, month - 1, date)));
}

/** "Events" + "All system events" / "2 selected: App Launched, Charged"; "User profiles" + "Users who did App Launched". */
export function describeData(exportItem) {
  if (exportItem.dataType === 'profiles') {
    return { title: DATA_TYPES.profiles, detail: `Users who did ${exportItem.profiles?.event ?? '?'}` };
  }
  const events = exportItem.events ?? { selection: 'allSystem', names: [] };
  if (events.selection !== 'selected') return { title: DATA_TYPES.events, detail: SELECTIONS[events.selection] ?? events.selection, full: (events.names ?? []).join(', ') };
  const names = events.names ?? [];
  const shown = names.slice(0, 3).join(', ');
  return {
    title: DATA_TYPES.events,
    detail: `${names.length} selected: ${shown}${names.length > 3 ? ', …' : ''}`,
    full: names.join(', '),
  };
}

/** "One time" + "1 Nov – 3 Nov 2026" / "Previous month"; "Recurring" + "Every 6 h from 23 Nov 2026". */
export function describeFrequency(exportItem) {
  if (exportItem.frequency === 'recurring') {
    const recurring = exportItem.recurring ?? {};
    return { title: FREQUENCIES.recurring, detail: `Every ${recurring.everyHours} h from ${recurring.startDate ? formatDay(recurring.startDate) : '?'}` };
  }
  const oneTime = exportItem.oneTime ?? {};
  let detail;
  if (oneTime.preset) detail = PRESETS[oneTime.preset] ?? oneTime.preset;
  else if (oneTime.from && (!oneTime.to || oneTime.to === oneTime.from)) detail = formatDay(oneTime.from);
  else if (oneTime.from) detail = `${formatDay(oneTime.from)} – ${formatDay(oneTime.to)}`;
  return { title: FREQUENCIES.oneTime, detail };
}

/** What "no next run" means for this export. */
export function noNextRunText(exportItem) {
  if (exportItem.frequency === 'recurring' && exportItem.status === 'RUNNING') return 'after the current run';
  return 'no further run';
}

function titleCase(status) { return status.charAt(0) + status.slice(1).toLowerCase(); }

/** Why this export cannot be edited (the API's edit rules, in the product's words), or null when it can. */
export function editBlockedReason(exportItem) {
  if (exportItem.frequency === 'oneTime') return 'One-time exports cannot be edited: create a new export instead.';
  if (!LIVE_STATUSES.includes(exportItem.status)) return `${titleCase(exportItem.status)} exports cannot be edited: only PENDING or RUNNING ones can.`;
  return null;
}

/** Why this export cannot be stopped, or null when it can. */
export function stopBlockedReason(exportItem) {
  if (exportItem.status === 'STOPPED') return 'This export is already stopped.';
  if (!LIVE_STATUSES.includes(exportItem.status)) return `A ${exportItem.status} export has nothing left to stop.`;
  return null;
}

export async function loadPartners() {
  const answer = await api('GET', '/api/partners');
  return answer?.items ?? [];
}

let catalog = null;

/** The system and engagement event lists (GET /api/catalog/events), fetched once. Empty lists when not served. */
export async function loadCatalog() {
  if (catalog) return catalog;
  try {
    const answer = await api('GET', '/api/catalog/events');
    catalog = { allSystem: answer.allSystem ?? [], engagement: answer.engagement ?? [], maxSelectedNames: answer.maxSelectedNames ?? 100 };
  } catch (error) {
    if (error.status === 401) throw error;
    return { allSystem: [], engagement: [], maxSelectedNames: 100, unavailable: true };
  }
  return catalog;
}

/** The one list of events a person picks from: system events first, then engagement-only ones. */
export function catalogNames(eventCatalog) {
  return [...new Set([...eventCatalog.allSystem, ...eventCatalog.engagement])];
}
