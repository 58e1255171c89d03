import './styles.css';
import { startApp } from './app.js';

startApp(/** @type {HTMLElement} */ (document.getElementById('app')));
