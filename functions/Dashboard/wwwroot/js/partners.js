// The Partners page: the Segment sources exports send to. Connect, edit, rotate the write key, delete.
// A write key goes to the app once and never comes back: the API answers only its last four characters.
import { api } from './api.js';
import { h, append, icon, iconButton, timeElement, showBanner, stateMessage, loadErrorState, dialogFrame, openModal, FormFields, confirmDialog, select, visuallyHidden } from './ui.js';
import { REGIONS, USER_ID_SOURCES, ANONYMOUS_ID_SOURCES, loadPartners } from './model.js';

export function render(main) {
  let disposed = false;
  const results = h('div', { class: 'results', 'aria-busy': 'true' });
  const connect = h('button', { type: 'button', class: 'button button--primary', on: { click: () => connectPartner() } }, icon('plus'), h('span', {}, 'Connect partner'));
  main.append(
    h('div', { class: 'page-header' },
      h('div', {}, h('h1', { class: 'page-title', tabIndex: -1 }, 'Partners'),
        h('p', { class: 'page-intro' }, 'Segment sources that exports send to. Each is reached with its write key; only the key\'s last four characters are ever shown.')),
      h('div', { class: 'page-actions' }, connect)),
    results);

  async function load() {
    results.setAttribute('aria-busy', 'true');
    let partners;
    try {
      partners = await loadPartners();
    } catch (error) {
      if (disposed) return;
      results.replaceChildren(loadErrorState('the partners', error, load));
      results.setAttribute('aria-busy', 'false');
      return;
    }
    if (disposed) return;
    results.setAttribute('aria-busy', 'false');
    if (partners.length === 0) {
      results.replaceChildren(stateMessage({
        title: 'No partners yet.',
        text: 'Connect a Segment source: in Segment, add a CleverTap source (Connections → Catalog → Sources), then copy its write key here.',
        action: h('button', { type: 'button', class: 'button button--primary', on: { click: () => connectPartner() } }, icon('plus'), h('span', {}, 'Connect partner')),
      }));
      return;
    }
    const focusKey = document.activeElement?.dataset?.focusKey;
    const columns = ['Nickname', 'Region', 'Write key', 'User ID', 'Anonymous ID', 'Connected', 'Updated', 'Actions'];
    const cell = (label, ...content) => h('td', { 'data-label': label }, h('div', { class: 'cell' }, ...content));
    results.replaceChildren(h('div', { class: 'table-scroll' }, h('table', { class: 'table table--partners' },
      h('caption', { class: 'visually-hidden' }, 'Partners'),
      h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col' }, column === 'Actions' ? visuallyHidden(column) : column)))),
      h('tbody', {}, partners.map((partner) => h('tr', { dataset: { partner: partner.nickname } },
        cell('Nickname', h('span', { class: 'strong' }, partner.nickname)),
        cell('Region', REGIONS[partner.region] ?? partner.region),
        cell('Write key', h('span', { class: 'masked-key', dataset: { writeKeyLast4: partner.writeKeyLast4 } },
          h('span', { 'aria-hidden': 'true' }, '••••'), visuallyHidden('ending in '), partner.writeKeyLast4)),
        cell('User ID', USER_ID_SOURCES[partner.userIdSource] ?? partner.userIdSource),
        cell('Anonymous ID', ANONYMOUS_ID_SOURCES[partner.anonymousIdSource] ?? partner.anonymousIdSource),
        cell('Connected', timeElement(partner.createdAt)),
        cell('Updated', timeElement(partner.updatedAt)),
        h('td', { class: 'actions', 'data-label': 'Actions' }, h('div', { class: 'actions__buttons' },
          iconButton('edit', `Edit partner ${partner.nickname}`, { dataset: { focusKey: `${partner.nickname}:edit`, action: 'edit' }, on: { click: () => editPartner(partner) } }),
          iconButton('key', `Rotate the write key of ${partner.nickname}`, { dataset: { focusKey: `${partner.nickname}:rotate`, action: 'rotate' }, on: { click: () => rotateKey(partner) } }),
          iconButton('trash', `Delete partner ${partner.nickname}`, { dataset: { focusKey: `${partner.nickname}:delete`, action: 'delete' }, on: { click: () => deletePartner(partner) } })))))))));
    if (focusKey) results.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
  }

  async function connectPartner() {
    const saved = await partnerDialog(null);
    if (saved) {
      showBanner(`Partner ${saved.nickname} connected`);
      load();
    }
  }

  async function editPartner(partner) {
    const saved = await partnerDialog(partner);
    if (saved) {
      showBanner(`Partner ${saved.nickname} updated`);
      load();
    }
  }

  async function rotateKey(partner) {
    const { dialog, body, footer, form } = dialogFrame({ title: `Rotate the write key of ${partner.nickname}` });
    dialog.dataset.dialog = 'rotate-key';
    const fields = new FormFields();
    const writeKey = writeKeyInput();
    append(body,
      h('p', {}, `The current key ends in ${partner.writeKeyLast4}. Exports send with the new key from their next batch.`),
      fields.formError,
      fields.field('writeKey', 'New write key', writeKey, { hint: 'From the Segment source\'s settings (API Keys). It is never shown again.' }));
    const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Rotate key');
    footer.append(h('button', { type: 'button', class: 'button', on: { click: () => dialog.close('cancel') } }, 'Cancel'), submit);
    let saved = null;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      fields.clear();
      submit.disabled = true;
      try {
        saved = await api('PATCH', `/api/partners/${encodeURIComponent(partner.nickname)}`, { writeKey: writeKey.value });
        writeKey.value = '';
        dialog.close('saved');
      } catch (error) {
        fields.show(error);
      } finally {
        submit.disabled = false;
      }
    });
    await openModal(dialog, writeKey);
    writeKey.value = '';
    if (saved) {
      showBanner(`Write key of ${saved.nickname} rotated: it now ends in ${saved.writeKeyLast4}`);
      load();
    }
  }

  async function deletePartner(partner) {
    const deleted = await confirmDialog({
      title: `Delete partner ${partner.nickname}?`,
      message: 'Exports can no longer send to this Segment source. The app refuses while a PENDING or RUNNING export uses it.',
      confirmLabel: 'Delete',
      action: async () => { await api('DELETE', `/api/partners/${encodeURIComponent(partner.nickname)}`); return true; },
    });
    if (deleted) {
      showBanner(`Partner ${partner.nickname} deleted`);
      load();
    }
  }

  load();
  return { dispose() { disposed = true; } };
}

function writeKeyInput() {
  return h('input', { type: 'password', name: 'writeKey', autocomplete: 'off', spellcheck: false });
}

/** Connect (partner null) or edit a partner. The write key is asked only when connecting (rotation has its own dialog). */
async function partnerDialog(partner) {
  const editing = Boolean(partner);
  const { dialog, body, footer, form } = dialogFrame({ title: editing ? `Edit partner ${partner.nickname}` : 'Connect a Segment source' });
  dialog.dataset.dialog = editing ? 'edit-partner' : 'connect-partner';
  const fields = new FormFields();
  const nickname = h('input', { type: 'text', name: 'nickname', autocomplete: 'off', spellcheck: false, maxLength: 64 });
  const writeKey = writeKeyInput();
  const region = select(Object.entries(REGIONS), { name: 'region' });
  const userIdSource = select(Object.entries(USER_ID_SOURCES), { name: 'userIdSource' });
  const anonymousIdSource = select(Object.entries(ANONYMOUS_ID_SOURCES), { name: 'anonymousIdSource' });
  region.value = partner?.region ?? 'US';
  userIdSource.value = partner?.userIdSource ?? 'identity';
  anonymousIdSource.value = partner?.anonymousIdSource ?? 'objectId';
  append(body,
    fields.formError,
    editing
      ? h('p', {}, 'The nickname stays: exports refer to the partner by it. To use another Segment source, connect a new partner.')
      : fields.field('nickname', 'Partner nickname', nickname, { hint: 'Letters, digits, ".", "_" or "-"; it cannot be changed later. For example CleverTap_Prod.' }),
    editing ? null : fields.field('writeKey', 'Write key', writeKey, { hint: 'In Segment: the source\'s Settings → API Keys. Only its last four characters are shown afterwards.' }),
    fields.field('region', 'Region', region, { hint: 'The region of your Segment workspace.' }),
    fields.field('userIdSource', 'User ID', userIdSource, { hint: 'What becomes the Segment userId.' }),
    fields.field('anonymousIdSource', 'Anonymous ID', anonymousIdSource, { hint: 'What becomes the Segment anonymousId.' }));
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, editing ? 'Save' : 'Integrate');
  footer.append(h('button', { type: 'button', class: 'button', on: { click: () => dialog.close('cancel') } }, 'Cancel'), submit);
  let saved = null;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fields.clear();
    submit.disabled = true;
    const settings = { region: region.value, userIdSource: userIdSource.value, anonymousIdSource: anonymousIdSource.value };
    try {
      saved = editing
        ? await api('PATCH', `/api/partners/${encodeURIComponent(partner.nickname)}`, settings)
        : await api('POST', '/api/partners', { nickname: nickname.value.trim(), writeKey: writeKey.value, ...settings });
      dialog.close('saved');
    } catch (error) {
      fields.show(error);
    } finally {
      submit.disabled = false;
    }
  });
  await openModal(dialog, editing ? region : nickname);
  writeKey.value = '';
  return saved;
}
