// After sleep the socket may look open while it is dead: tell the renderer to
// re-check its connection when the machine resumes or the screen is unlocked.

/**
 * @param {{on: Function}} powerMonitor
 * @param {() => void} onResume
 */
export function watchResume(powerMonitor, onResume) {
  powerMonitor.on('resume', onResume);
  powerMonitor.on('unlock-screen', onResume);
}
