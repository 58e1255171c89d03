import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hideOnClose, showWindow } from '../../src/main/close-to-tray.js';
import { acquireSingleInstance } from '../../src/main/single-instance.js';
import { createWindowState } from '../../src/main/window-state.js';
import { watchResume } from '../../src/main/power.js';
import { EventEmitter } from 'node:events';
import { FakeWindow, fakeFs } from './fakes.js';

const FILE = '/profile/window-state.json';
const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
const immediate = { setTimer: (fn) => (fn(), 0), clearTimer: () => {} };

test('window state: defaults first, then remembers size and position', () => {
  const fs = fakeFs();
  const state = createWindowState({ fs, file: FILE, screen, ...immediate });
  assert.deepEqual(state.load(), { width: 1100, height: 720, maximized: false });
  const win = new FakeWindow({ bounds: { x: 100, y: 50, width: 1000, height: 650 } });
  state.track(win);
  win.emit('resize');
  assert.deepEqual(state.load(), { x: 100, y: 50, width: 1000, height: 650, maximized: false });
  win.maximized = true;
  win.emit('close');
  assert.equal(state.load().maximized, true);
});

test('window state: ignores a position on a monitor that is gone, and garbage', () => {
  const fs = fakeFs({ [FILE]: JSON.stringify({ x: 5000, y: 5000, width: 800, height: 600 }) });
  const state = createWindowState({ fs, file: FILE, screen });
  assert.deepEqual(state.load(), { width: 800, height: 600, maximized: false });
  fs.files[FILE] = '{"width":"huge","height":-5';
  assert.deepEqual(state.load(), { width: 1100, height: 720, maximized: false });
});

test('window state: a minimized window is not saved', () => {
  const fs = fakeFs();
  const state = createWindowState({ fs, file: FILE, screen, ...immediate });
  const win = new FakeWindow();
  win.minimized = true;
  state.save(win);
  assert.equal(fs.files[FILE], undefined);
});

test('closing hides to the tray unless quitting; show brings it back', () => {
  let quitting = false;
  const win = new FakeWindow();
  hideOnClose(win, () => quitting);
  assert.equal(win.tryClose(), false);
  assert.equal(win.visible, false);
  showWindow(win);
  assert.equal(win.visible, true);
  assert.equal(win.focused, true);
  quitting = true;
  assert.equal(win.tryClose(), true);
});

test('single instance: a second launch quits and the first one is shown', () => {
  const app = new EventEmitter();
  let quit = 0;
  app.quit = () => quit++;
  app.requestSingleInstanceLock = () => true;
  let shown = 0;
  assert.equal(acquireSingleInstance({ app, onSecondInstance: () => shown++ }), true);
  app.emit('second-instance');
  assert.equal(shown, 1);

  const second = new EventEmitter();
  second.quit = () => quit++;
  second.requestSingleInstanceLock = () => false;
  assert.equal(acquireSingleInstance({ app: second, onSecondInstance: () => {} }), false);
  assert.equal(quit, 1);
});

test('after resume or unlock the renderer is told to re-check its connection', () => {
  const powerMonitor = new EventEmitter();
  let rechecks = 0;
  watchResume(powerMonitor, () => rechecks++);
  powerMonitor.emit('resume');
  powerMonitor.emit('unlock-screen');
  assert.equal(rechecks, 2);
});
