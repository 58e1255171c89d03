// The one Content-Security-Policy of the renderer. index.html carries it as a <meta>
// (so the web build served by the Parley server is covered too) and the app://
// protocol handler sends it as a header; a unit test keeps the two identical.
// connect-src lists schemes rather than hosts because the server address is chosen
// by the user at sign-in.
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: http: https:",
  "font-src 'self'",
  "connect-src 'self' http: https: ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
].join('; ');
