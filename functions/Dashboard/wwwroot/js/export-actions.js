// Edit and Stop, the same on the exports list and on an export's page.
import { api } from './api.js';
import { h, icon, iconButton, confirmDialog, showBanner, uid, formatDateTime } from './ui.js';
import { describeData, editBlockedReason, stopBlockedReason } from './model.js';
import { openExportDialog } from './export-form.js';

/** "export to prod-source (App Launched, Charged) created 22 Nov 2026, 05:00": names the row an action acts on. */
export function exportName(exportItem) {
  return `export to ${exportItem.partner} (${describeData(exportItem).detail}) created ${formatDateTime(exportItem.createdAt)}`;
}

/**
 * An action button that stays focusable when not allowed (aria-disabled), so keyboard and screen-reader users can
 * reach it and learn the rule that forbids it: it is in the button's description and tooltip, and shown as a
 * message when the button is pressed.
 */
function ruleAwareButton({ iconName, text, label, blockedReason, onActivate, compact, focusKey }) {
  const reasonId = blockedReason ? uid('rule') : null;
  const props = {
    type: 'button',
    'aria-disabled': blockedReason ? 'true' : null,
    'aria-describedby': reasonId,
    title: blockedReason ?? label,
    dataset: { focusKey, action: text.toLowerCase() },
    on: {
      click: () => {
        if (blockedReason) showBanner(blockedReason, 'info');
        else onActivate();
      },
    },
  };
  const button = compact
    ? iconButton(iconName, label, props)
    : h('button', { ...props, class: 'button', 'aria-label': label }, icon(iconName), h('span', {}, text));
  return blockedReason ? [button, h('span', { id: reasonId, class: 'visually-hidden' }, blockedReason)] : [button];
}

export function editButton(exportItem, onChanged, { compact = false } = {}) {
  return ruleAwareButton({
    iconName: 'edit',
    text: 'Edit',
    label: `Edit ${exportName(exportItem)}`,
    blockedReason: editBlockedReason(exportItem),
    compact,
    focusKey: `${exportItem.id}:edit`,
    onActivate: async () => {
      try {
        const updated = await openExportDialog({ mode: 'edit', exportItem });
        if (updated) {
          showBanner(exportItem.status === 'RUNNING' ? 'Export updated: the changes apply from its next run' : 'Export updated');
          onChanged(updated);
        }
      } catch (error) {
        showBanner(error.message, 'error');
      }
    },
  });
}

export function stopButton(exportItem, onChanged, { compact = false } = {}) {
  return ruleAwareButton({
    iconName: 'stop',
    text: 'Stop',
    label: `Stop ${exportName(exportItem)}`,
    blockedReason: stopBlockedReason(exportItem),
    compact,
    focusKey: `${exportItem.id}:stop`,
    onActivate: async () => {
      const stopped = await confirmDialog({
        title: 'Stop export?',
        message: `The ${exportName(exportItem)} stops now: work in progress is abandoned and no further runs start. A stopped export cannot be restarted.`,
        confirmLabel: 'Stop',
        action: () => api('POST', `/api/exports/${encodeURIComponent(exportItem.id)}/stop`),
      });
      if (stopped) {
        showBanner('Segment data export stopped');
        onChanged(stopped);
      }
    },
  });
}
