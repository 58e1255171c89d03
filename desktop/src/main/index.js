// Electron entry point: the only module that imports Electron. It wires the real
// Electron objects into the small, separately tested modules beside it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  ipcMain,
  nativeImage,
  net,
  powerMonitor,
  protocol,
  screen,
  session,
  shell,
} from 'electron';
import { APP_INDEX_URL } from '../common/app-origin.js';
import { TO_RENDERER } from '../common/ipc-channels.js';
import { createBadge } from './badge.js';
import { hideOnClose, showWindow } from './close-to-tray.js';
import { registerIpc } from './ipc.js';
import { applyLinkPolicy, openExternalSafely } from './links.js';
import { buildMenuTemplate } from './menu.js';
import { createNotifier } from './notifications.js';
import { watchResume } from './power.js';
import { SCHEME_PRIVILEGES, registerAppProtocol } from './protocol.js';
import { acquireSingleInstance } from './single-instance.js';
import { createTray } from './tray.js';
import { createWindowState } from './window-state.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = path.resolve(here, '../..');
const webRoot = path.join(appRoot, 'dist/web');
const preloadPath = path.join(appRoot, 'dist/preload/preload.cjs');
const assets = path.join(here, 'assets');

// Both must happen before `ready`.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([SCHEME_PRIVILEGES]);

/** @type {BrowserWindow | null} */
let mainWindow = null;
let quitting = false;
const show = () => showWindow(mainWindow);

/** @param {string} channel @param {...unknown} args */
function send(channel, ...args) {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(channel, ...args);
}

function createMainWindow() {
  const windowState = createWindowState({
    fs,
    file: path.join(app.getPath('userData'), 'window-state.json'),
    screen,
  });
  const { maximized, ...bounds } = windowState.load();
  const win = new BrowserWindow({
    ...bounds,
    minWidth: 480,
    minHeight: 400,
    show: false,
    title: 'Parley',
    icon: path.join(assets, 'icon.png'),
    backgroundColor: '#0f172a',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: true,
      // Middle-click would otherwise open links in new windows, bypassing the open handler.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  windowState.track(win);
  hideOnClose(win, () => quitting);
  applyLinkPolicy(win.webContents, shell);
  win.once('ready-to-show', () => {
    if (maximized) win.maximize();
    win.show();
  });
  win.loadURL(APP_INDEX_URL);
  return win;
}

if (acquireSingleInstance({ app, onSecondInstance: show })) {
  app.on('before-quit', () => {
    quitting = true;
  });

  app.whenReady().then(() => {
    // The page needs no web permissions (camera, geolocation, web notifications...):
    // desktop notifications go through the preload bridge.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    registerAppProtocol({ protocol, net, root: webRoot, pathToFileURL });
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(buildMenuTemplate({ platform: process.platform, isDev: !app.isPackaged })),
    );
    mainWindow = createMainWindow();

    const tray = createTray({
      Tray,
      Menu,
      icon: nativeImage.createFromPath(path.join(assets, 'tray.png')),
      onShow: show,
      onQuit: () => app.quit(),
    });
    const badge = createBadge({
      app,
      platform: process.platform,
      getWindow: () => mainWindow,
      overlayIcon: nativeImage.createFromPath(path.join(assets, 'badge.png')),
    });
    const notifier = createNotifier({
      Notification,
      isWindowFocused: () => Boolean(mainWindow?.isVisible() && mainWindow.isFocused()),
      onOpenChat: (chatId) => {
        show();
        send(TO_RENDERER.OPEN_CHAT, chatId);
      },
    });

    registerIpc(ipcMain, {
      setUnread: (count) => {
        tray.setUnread(count);
        badge.setUnread(count);
      },
      notify: (n) => notifier.notify(n),
      closeNotifications: (chatId) => notifier.close(chatId),
      openExternal: (url) => openExternalSafely(shell, url),
    });
    watchResume(powerMonitor, () => send(TO_RENDERER.RESUMED));

    // macOS: clicking the dock icon with the window hidden in the tray.
    app.on('activate', show);
  });

  // The tray keeps the app alive; quitting is explicit.
  app.on('window-all-closed', () => {});
}
