// Remembers the main window's size and position between runs. Electron objects
// (`screen`) and the file system come in as arguments so tests can pass fakes.

const DEFAULTS = Object.freeze({ width: 1100, height: 720 });
const MIN = Object.freeze({ width: 480, height: 400 });
const SAVE_DELAY_MS = 400;

/** @param {unknown} v @returns {v is number} */
function isInt(v) {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 100_000;
}

/** @param {import('electron').Rectangle} a @param {import('electron').Rectangle} b */
function intersects(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * @param {object} deps
 * @param {Pick<typeof import('node:fs'), 'readFileSync' | 'writeFileSync' | 'mkdirSync'>} deps.fs
 * @param {string} deps.file      JSON file in the user-data folder
 * @param {{getAllDisplays: () => {workArea: import('electron').Rectangle}[]}} deps.screen
 * @param {(fn: () => void, ms: number) => any} [deps.setTimer]
 * @param {(id: any) => void} [deps.clearTimer]
 */
export function createWindowState({ fs, file, screen, setTimer = setTimeout, clearTimer = clearTimeout }) {
  /** Saved bounds, or defaults when the file is missing, broken, or off every screen. */
  /** @returns {{width: number, height: number, maximized: boolean, x?: number, y?: number}} */
  function load() {
    let saved;
    try {
      saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      return { ...DEFAULTS, maximized: false };
    }
    const width = isInt(saved?.width) ? Math.max(saved.width, MIN.width) : DEFAULTS.width;
    const height = isInt(saved?.height) ? Math.max(saved.height, MIN.height) : DEFAULTS.height;
    /** @type {ReturnType<typeof load>} */
    const state = { width, height, maximized: saved?.maximized === true };
    if (isInt(saved?.x) && isInt(saved?.y)) {
      const rect = { x: saved.x, y: saved.y, width, height };
      // A monitor may have been unplugged since: only restore a position that is visible.
      if (screen.getAllDisplays().some((d) => intersects(rect, d.workArea))) {
        state.x = saved.x;
        state.y = saved.y;
      }
    }
    return state;
  }

  /** @typedef {Pick<import('electron').BrowserWindow, 'isDestroyed' | 'isMinimized' | 'isMaximized' | 'getNormalBounds' | 'on'>} Win */

  /** @param {Win} win */
  function save(win) {
    if (win.isDestroyed() || win.isMinimized()) return;
    // Normal bounds so that un-maximizing next time restores the size the user chose.
    const { x, y, width, height } = win.getNormalBounds();
    try {
      fs.mkdirSync(file.replace(/[\\/][^\\/]*$/, ''), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ x, y, width, height, maximized: win.isMaximized() }));
    } catch {
      // A read-only profile must not crash the app; the window just opens at defaults.
    }
  }

  /** Saves on move/resize (debounced) and on close. @param {Win} win */
  function track(win) {
    /** @type {unknown} */
    let timer = null;
    const later = () => {
      clearTimer(timer);
      timer = setTimer(() => save(win), SAVE_DELAY_MS);
    };
    win.on('resize', later);
    win.on('move', later);
    win.on('maximize', later);
    win.on('unmaximize', later);
    win.on('close', () => {
      clearTimer(timer);
      save(win);
    });
  }

  return { load, save, track };
}
