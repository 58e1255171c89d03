// Fakes of the few Electron objects the main-process modules use. They stand in
// for the Electron binary, which cannot be downloaded or run on this machine
// (installs use ELECTRON_SKIP_BINARY_DOWNLOAD=1); real Electron runs happen where
// the binary exists. Each fake records what the module did with it.
import { EventEmitter } from 'node:events';

export class FakeTray extends EventEmitter {
  constructor(icon) {
    super();
    this.icon = icon;
    this.tooltip = null;
    this.menu = null;
  }
  setToolTip(text) {
    this.tooltip = text;
  }
  setContextMenu(menu) {
    this.menu = menu;
  }
}

export const FakeMenu = { buildFromTemplate: (template) => ({ items: template }) };

export class FakeWindow extends EventEmitter {
  constructor({ bounds = { x: 10, y: 20, width: 900, height: 700 }, focused = false } = {}) {
    super();
    this.bounds = bounds;
    this.focused = focused;
    this.visible = true;
    this.minimized = false;
    this.maximized = false;
    this.destroyed = false;
    this.overlay = null;
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  isMinimized() {
    return this.minimized;
  }
  isMaximized() {
    return this.maximized;
  }
  isDestroyed() {
    return this.destroyed;
  }
  isFocused() {
    return this.focused;
  }
  isVisible() {
    return this.visible;
  }
  hide() {
    this.visible = false;
  }
  show() {
    this.visible = true;
  }
  focus() {
    this.focused = true;
  }
  restore() {
    this.minimized = false;
  }
  setOverlayIcon(icon, description) {
    this.overlay = { icon, description };
  }
  /** Emits 'close' like Electron does: listeners may call event.preventDefault(). */
  tryClose() {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    return !prevented;
  }
}

export class FakeNotification extends EventEmitter {
  static supported = true;
  static shown = [];
  static isSupported() {
    return FakeNotification.supported;
  }
  constructor(options) {
    super();
    this.options = options;
  }
  show() {
    FakeNotification.shown.push(this);
  }
  close() {
    this.closed = true;
    this.emit('close');
  }
}

export class FakeWebContents extends EventEmitter {
  constructor() {
    super();
    this.openHandler = null;
  }
  setWindowOpenHandler(handler) {
    this.openHandler = handler;
  }
  /** Emits a navigation-type event; returns whether a listener prevented it. */
  attempt(event, url) {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

export function fakeShell() {
  const opened = [];
  return { opened, openExternal: async (url) => void opened.push(url) };
}

export class FakeIpcMain extends EventEmitter {
  /** Delivers a message as if sent from a frame at `url`. */
  deliver(channel, url, arg) {
    this.emit(channel, { senderFrame: { url } }, arg);
  }
}

export function fakeFs(files = {}) {
  return {
    files,
    readFileSync(file) {
      if (!(file in files)) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return files[file];
    },
    writeFileSync(file, data) {
      files[file] = data;
    },
    mkdirSync() {},
  };
}
