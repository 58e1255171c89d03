// The renderer is served to Electron from a privileged custom protocol so that its
// origin is stable (`app://parley`) and can be allow-listed by the server's CORS.
export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Server address the desktop build talks to until the user picks another one. */
export const DESKTOP_DEFAULT_SERVER = 'http://127.0.0.1:8000';
