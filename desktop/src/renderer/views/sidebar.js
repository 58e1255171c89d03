// The chat list: most recent first, unread badges, last-message previews, and a
// search box that also finds people to start a direct chat with.
import { ICONS, dropRowsExcept, h, icon, setChildren } from '../lib/dom.js';
import { chatTitle, memberName, otherMember } from '../lib/names.js';
import { MAX_TIMER_MS, isSilenced, nextMuteEnd } from '../lib/notify-rule.js';
import { TOPICS } from '../lib/store.js';
import { listStamp } from '../lib/time.js';
import { attachmentSummary } from '../lib/upload.js';
import { WS_STATE } from '../lib/ws.js';
import { avatar } from './common.js';

/** @typedef {import('../lib/types.js').Chat} Chat */
/** @typedef {import('../lib/types.js').User} User */

/**
 * What the chat list can ask for (messenger/actions.js).
 * @typedef {object} SidebarActions
 * @property {(chatId: number) => void} openChat
 * @property {(q: string) => Promise<User[]>} searchUsers
 * @property {(userId: number) => Promise<void>} startDirectChat
 * @property {() => void} newGroup
 * @property {() => void} signOut
 * @property {() => void} [openProfile]  my profile (views/profile.js)
 * @property {() => void} [openAdmin]  the administrator's screen (views/admin.js)
 * @property {(url: string | null | undefined) => string | null} [assetUrl]  an avatar_url, resolved against the server
 */

/** @type {Record<string, string>} */
const CONNECTION_TEXT = {
  [WS_STATE.CONNECTING]: 'Connecting…',
  [WS_STATE.ONLINE]: 'Online',
  [WS_STATE.RECONNECTING]: 'Reconnecting…',
  [WS_STATE.OFFLINE]: 'Offline',
  [WS_STATE.TOO_MANY]: 'Too many windows open: close one',
};
/** @type {Record<string, string>} */
const CONNECTION_DOT = {
  [WS_STATE.CONNECTING]: 'bg-amber-400',
  [WS_STATE.ONLINE]: 'bg-emerald-500',
  [WS_STATE.RECONNECTING]: 'bg-amber-400 animate-pulse',
  [WS_STATE.OFFLINE]: 'bg-slate-400',
  [WS_STATE.TOO_MANY]: 'bg-red-500',
};

/** The last message in one line. @param {Chat} chat @param {number | undefined} meId */
function preview(chat, meId) {
  const last = chat.last_message;
  if (!last) return chat.is_group ? 'Group created' : 'No messages yet';
  const text = last.content || attachmentSummary(last.attachment) || (last.attachment_url ? 'Attachment' : '');
  if (last.sender_id === meId) return `You: ${text}`;
  return chat.is_group ? `${memberName(chat, last.sender_id).split(' ')[0]}: ${text}` : text;
}

/**
 * @param {object} deps
 * @param {import('../lib/store.js').Store} deps.store
 * @param {SidebarActions} deps.actions
 * @param {() => number} [deps.now]
 * @param {HTMLElement} [deps.notice]  shown above the chats (views/notify-prompt.js)
 */
export function createSidebar({ store, actions, now = Date.now, notice }) {
  /** @type {Map<number, {node: HTMLElement, signature: Chat, active: boolean, muted: boolean}>} */
  const rows = new Map();
  const list = h('ul', { class: 'min-h-0 flex-1 overflow-y-auto px-2 pb-2', 'aria-label': 'Chats' });
  const people = h('ul', { class: 'px-2 pb-2', 'aria-label': 'People' });
  const peopleSection = h('section', { class: 'hidden border-b border-slate-200 dark:border-slate-800', 'aria-label': 'People found' },
    h('h2', { class: 'px-4 pt-2 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase' }, 'People'),
    people);
  const status = h('span', { class: 'flex items-center gap-1.5 text-xs text-slate-500 dark:text-slate-400', role: 'status' });
  const meName = h('p', { class: 'truncate text-sm font-semibold' });
  const meAvatar = h('div');
  const search = h('input', {
    type: 'search',
    class: 'field rounded-full bg-slate-100 pl-9 dark:bg-slate-800',
    placeholder: 'Search chats and people',
    'aria-label': 'Search chats and people',
    autocomplete: 'off',
  });
  let query = '';
  let searchSeq = 0;
  /** @param {string | null | undefined} url */
  const picture = (url) => actions.assetUrl?.(url) ?? null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let debounce;

  /** @param {Chat} chat */
  function row(chat) {
    const meId = store.me?.id;
    const title = chatTitle(chat, meId);
    const other = otherMember(chat, meId);
    const unread = chat.unread_count || 0;
    const mentions = chat.mention_count || 0;
    const active = store.activeChatId === chat.id;
    // Muted (or set to "none"): dimmed, its count grey; a mention keeps its colour.
    const muted = isSilenced(chat, now());
    const stamp = chat.last_message?.created_at ?? chat.created_at;
    const label = `${title}${muted ? ', muted' : ''}${unread ? `, ${unread} unread` : ''}${mentions ? `, ${mentions} mentioning you` : ''}`;
    const unreadColour = active ? 'bg-white text-brand-700' : muted ? 'bg-slate-300 text-slate-700 dark:bg-slate-600 dark:text-slate-100' : 'bg-brand-600 text-white';
    return h(
      'li',
      { dataset: muted ? { chatId: chat.id, muted: 'true' } : { chatId: chat.id }, class: muted && !active ? 'muted-chat opacity-60' : undefined },
      h(
        'button',
        {
          type: 'button',
          class: `flex w-full items-center gap-3 rounded-xl px-2 py-2 text-left transition ${active ? 'bg-brand-600 text-white' : 'hover:bg-slate-100 dark:hover:bg-slate-800/70'}`,
          'aria-label': label,
          'aria-current': active ? 'true' : false,
          onclick: () => actions.openChat(chat.id),
        },
        avatar({ name: title, seed: chat.is_group ? chat.id : (other?.id ?? chat.id), online: Boolean(other?.online), src: picture(other?.avatar_url) }),
        h(
          'div',
          { class: 'min-w-0 flex-1' },
          h(
            'div',
            { class: 'flex items-baseline justify-between gap-2' },
            h('span', { class: 'flex min-w-0 items-center gap-1' },
              h('span', { class: 'truncate text-sm font-semibold' }, title),
              muted && h('span', { class: 'shrink-0 text-xs', title: 'Muted', 'aria-hidden': 'true' }, '🔕')),
            h('time', { class: `shrink-0 text-xs ${active ? 'text-brand-100' : unread && !muted ? 'font-semibold text-brand-600 dark:text-brand-400' : 'text-slate-400'}`, datetime: stamp }, listStamp(stamp)),
          ),
          h(
            'div',
            { class: 'flex items-center justify-between gap-2' },
            h('span', { class: `truncate text-sm ${active ? 'text-brand-100' : 'text-slate-500 dark:text-slate-400'}` }, preview(chat, meId)),
            (mentions > 0 || unread > 0) && h('span', { class: 'flex shrink-0 items-center gap-1' },
            mentions > 0 &&
              h('span', {
                class: `mention-badge inline-flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full px-1.5 text-xs font-bold ${active ? 'bg-white text-amber-700' : 'bg-amber-500 text-white'}`,
                title: `${mentions} mention${mentions > 1 ? 's' : ''} of you`,
                'aria-hidden': 'true',
              }, mentions > 1 ? `@${mentions > 99 ? '99+' : mentions}` : '@'),
            unread > 0 &&
              h('span', {
                class: `unread-badge inline-flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full px-1.5 text-xs font-bold ${unreadColour}`,
                'aria-hidden': 'true',
              }, unread > 999 ? '999+' : String(unread))),
          ),
        ),
      ),
    );
  }

  /** @type {ReturnType<typeof setTimeout> | undefined} the next mute's end */
  let muteTimer;

  /** Re-renders only rows whose visible data changed, then puts rows in order. */
  function renderChats() {
    const q = query.toLowerCase();
    const meId = store.me?.id;
    const t = now();
    // A mute running out undims its row with no event: draw again then.
    clearTimeout(muteTimer);
    const end = nextMuteEnd(store.sortedChats(), t);
    if (end !== null) muteTimer = setTimeout(renderChats, Math.min(end - t + 50, MAX_TIMER_MS));
    const chats = store.sortedChats().filter((c) => !q || chatTitle(c, meId).toLowerCase().includes(q));
    const keep = new Set();
    const nodes = chats.map((chat) => {
      keep.add(chat.id);
      const signature = chat; // chats are replaced, never mutated, when they change
      const active = store.activeChatId === chat.id;
      const muted = isSilenced(chat, t);
      let entry = rows.get(chat.id);
      if (!entry || entry.signature !== signature || entry.active !== active || entry.muted !== muted) {
        const node = row(chat);
        entry?.node.replaceWith(node);
        entry = { node, signature, active, muted };
        rows.set(chat.id, entry);
      }
      return entry.node;
    });
    dropRowsExcept(rows, keep);
    // Put rows in order, moving only those out of place.
    nodes.forEach((node, i) => {
      if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
    });
    if (!chats.length) {
      list.replaceChildren(h('li', { class: 'px-4 py-10 text-center text-sm text-slate-500 dark:text-slate-400' },
        q ? 'No chats match.' : 'No chats yet. Search for someone to start talking.'));
      rows.clear();
    } else {
      list.querySelector(':scope > li:not([data-chat-id])')?.remove();
    }
  }

  function renderStatus() {
    const state = store.connection;
    setChildren(status, h('span', { class: `size-2 rounded-full ${CONNECTION_DOT[state] ?? 'bg-slate-400'}`, 'aria-hidden': 'true' }), CONNECTION_TEXT[state] ?? state);
  }

  function renderMe() {
    adminButton.classList.toggle('hidden', !store.me?.is_admin);
    const me = store.me;
    meName.textContent = me?.display_name || me?.username || '';
    setChildren(meAvatar, avatar({ name: meName.textContent || '?', seed: me?.id ?? 0, size: 'size-9 text-xs', src: picture(me?.avatar_url) }));
  }

  async function searchPeople() {
    const q = query.trim();
    const seq = ++searchSeq;
    if (!q) {
      peopleSection.classList.add('hidden');
      return;
    }
    let users;
    try {
      users = await actions.searchUsers(q);
    } catch {
      return; // the search box is best-effort; errors surface elsewhere
    }
    if (seq !== searchSeq) return; // a newer search already answered
    users = users.filter((u) => u.id !== store.me?.id);
    peopleSection.classList.toggle('hidden', !users.length);
    setChildren(
      people,
      users.map((user) =>
        h('li', null,
          h('button', {
            type: 'button',
            class: 'flex w-full items-center gap-3 rounded-xl px-2 py-2 text-left hover:bg-slate-100 dark:hover:bg-slate-800/70',
            'aria-label': `Message ${user.display_name || user.username}`,
            onclick: async () => {
              await actions.startDirectChat(user.id);
              search.value = '';
              query = '';
              peopleSection.classList.add('hidden');
              renderChats();
            },
          },
          avatar({ name: user.display_name || user.username, seed: user.id, size: 'size-9 text-xs', online: Boolean(user.online), src: picture(user.avatar_url) }),
          h('div', { class: 'min-w-0' },
            h('p', { class: 'truncate text-sm font-medium' }, user.display_name || user.username),
            h('p', { class: 'truncate text-xs text-slate-500 dark:text-slate-400' }, `@${user.username}`)))),
      ),
    );
  }

  search.addEventListener('input', () => {
    query = search.value;
    renderChats();
    clearTimeout(debounce);
    debounce = setTimeout(searchPeople, 200);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && search.value) {
      search.value = '';
      query = '';
      searchPeople();
      renderChats();
    }
  });

  // Only administrators see it (store.me.is_admin); the server refuses everyone else.
  const adminButton = h('button', { type: 'button', class: 'icon-btn hidden', 'aria-label': 'Administration', title: 'Administration: users, invites, server', onclick: () => actions.openAdmin?.() }, icon(ICONS.shield));
  const element = h(
    'aside',
    { class: 'flex h-full min-h-0 w-full flex-col border-r border-slate-200 bg-white md:w-80 lg:w-96 dark:border-slate-800 dark:bg-slate-900', 'aria-label': 'Chat list' },
    h(
      'header',
      { class: 'flex items-center gap-3 px-4 pt-4 pb-3' },
      h('button', {
        type: 'button',
        class: 'flex min-w-0 flex-1 items-center gap-3 rounded-xl text-left hover:opacity-80',
        'aria-label': 'My profile',
        title: 'My profile: name, picture, password',
        onclick: () => actions.openProfile?.(),
      }, meAvatar, h('div', { class: 'min-w-0 flex-1' }, meName, status)),
      adminButton,
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'New group', title: 'New group', onclick: () => actions.newGroup() }, icon(ICONS.group)),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Sign out', title: 'Sign out', onclick: () => actions.signOut() }, icon(ICONS.logout)),
    ),
    h('div', { class: 'px-4 pb-3' },
      h('div', { class: 'relative' },
        h('span', { class: 'pointer-events-none absolute inset-y-0 left-3 flex items-center text-slate-400' }, icon(ICONS.search, 'size-4')),
        search)),
    peopleSection,
    notice,
    list,
  );

  store.subscribe((topic) => {
    if (topic === TOPICS.CHATS || topic === TOPICS.ACTIVE || topic === TOPICS.ME) renderChats();
    if (topic === TOPICS.CONNECTION) renderStatus();
    if (topic === TOPICS.ME) renderMe();
  });
  renderMe();
  renderStatus();
  renderChats();
  return { element };
}
