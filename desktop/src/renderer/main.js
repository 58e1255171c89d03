import './styles.css';
import { startApp } from './app.js';
import { registerServiceWorker } from './lib/pwa.js';

startApp(/** @type {HTMLElement} */ (document.getElementById('app')));
// The installable web app's service worker (offline shell, pushes); not in Electron.
registerServiceWorker();
