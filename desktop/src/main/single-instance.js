// One running Parley per user: a second launch focuses the first window and exits.

/**
 * @param {object} deps
 * @param {{requestSingleInstanceLock: () => boolean, quit: () => void, on: Function}} deps.app
 * @param {() => void} deps.onSecondInstance
 * @returns {boolean} true when this process is the primary instance
 */
export function acquireSingleInstance({ app, onSecondInstance }) {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', onSecondInstance);
  return true;
}
