// A small floating panel anchored to a button (the reaction picker, "seen by"):
// one open at a time, Esc or a click elsewhere closes it and gives the focus back
// to the button that opened it.
import { h } from '../lib/dom.js';

/** @type {(() => void) | null} */
let closeOpen = null;

/**
 * Opens a panel beside `anchor`. Returns a function that closes it.
 * @param {HTMLElement} anchor
 * @param {{label: string, role?: string, className?: string}} options
 * @param {...import('../lib/dom.js').Child} children
 */
export function openPopover(anchor, { label, role = 'dialog', className = '' }, ...children) {
  closeOpen?.();
  const panel = h('div', {
    role,
    'aria-label': label,
    class: `fixed z-40 rounded-2xl border border-slate-200 bg-white p-2 text-sm text-slate-900 shadow-xl dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100 ${className}`,
  }, ...children);
  document.body.append(panel);
  // Above the button if there is room, else below; kept inside the window.
  const box = anchor.getBoundingClientRect();
  const width = panel.offsetWidth;
  const height = panel.offsetHeight;
  const left = Math.min(Math.max(8, box.left + box.width / 2 - width / 2), window.innerWidth - width - 8);
  const top = box.top - height - 6 >= 8 ? box.top - height - 6 : Math.min(box.bottom + 6, window.innerHeight - height - 8);
  panel.style.left = `${Math.max(8, left)}px`;
  panel.style.top = `${Math.max(8, top)}px`;
  anchor.setAttribute('aria-expanded', 'true');

  const onKey = (/** @type {KeyboardEvent} */ event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    close();
    anchor.focus();
  };
  const onPointer = (/** @type {Event} */ event) => {
    const target = /** @type {Node} */ (event.target);
    if (!panel.contains(target) && !anchor.contains(target)) close();
  };
  function close() {
    if (closeOpen !== close) return;
    closeOpen = null;
    panel.remove();
    anchor.setAttribute('aria-expanded', 'false');
    document.removeEventListener('keydown', onKey, true);
    document.removeEventListener('pointerdown', onPointer, true);
  }
  document.addEventListener('keydown', onKey, true);
  document.addEventListener('pointerdown', onPointer, true);
  closeOpen = close;
  /** @type {HTMLElement | null} */ (panel.querySelector('button, [tabindex]'))?.focus();
  return { panel, close };
}
