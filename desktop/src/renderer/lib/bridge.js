// The desktop features reached through the preload bridge (window.parley). In a plain
// browser there is no bridge and these calls do nothing, so the same build runs in both.
const desktop = globalThis.parley?.isDesktop ? globalThis.parley : null;

export const bridge = {
  isDesktop: Boolean(desktop),
  setUnread: (count) => desktop?.setUnread(count),
  notify: (notification) => desktop?.notify(notification),
  /** Returns false in a browser, where the link's own target=_blank does the job. */
  openExternal: (url) => (desktop ? (desktop.openExternal(url), true) : false),
  onOpenChat: (callback) => desktop?.onOpenChat(callback) ?? (() => {}),
  onResume: (callback) => desktop?.onResume(callback) ?? (() => {}),
};
