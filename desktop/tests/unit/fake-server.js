// A small stand-in for the Parley auth endpoints (API.md), used by the api unit
// tests: real HTTP on 127.0.0.1, tokens that can be expired on demand, and
// single-use refresh tokens.
import http from 'node:http';

export async function startFakeServer() {
  const state = { access: new Set(), refresh: new Set(), counter: 0, refreshCalls: 0, posted: [] };

  function issue() {
    state.counter += 1;
    const token = { access_token: `a${state.counter}`, refresh_token: `r${state.counter}`, token_type: 'bearer', expires_in: 900 };
    state.access.add(token.access_token);
    state.refresh.add(token.refresh_token);
    return token;
  }

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      const send = (status, data) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(data === undefined ? '' : JSON.stringify(data));
      };
      const authed = state.access.has(String(req.headers.authorization).replace('Bearer ', ''));
      const path = req.url.split('?')[0];
      if (path === '/auth/login') {
        if (body.password !== 'correct horse') return send(401, { detail: 'Wrong username or password' });
        return send(200, issue());
      }
      if (path === '/auth/refresh') {
        state.refreshCalls += 1;
        if (!state.refresh.delete(body.refresh_token)) return send(401, { detail: 'Invalid refresh token' });
        return send(200, issue());
      }
      if (path === '/auth/register') {
        return send(422, { detail: [{ loc: ['body', 'password'], msg: 'String should have at least 8 characters' }] });
      }
      if (!authed) return send(401, { detail: 'Not authenticated' });
      if (path === '/auth/me') return send(200, { id: 1, username: 'ann', display_name: 'Ann' });
      if (path === '/auth/logout') return send(204);
      if (path === '/chats') return send(200, [{ id: 1 }]);
      if (path === '/chats/1/messages' && req.method === 'POST') {
        state.posted.push(body);
        return send(201, { id: state.posted.length, chat_id: 1, ...body });
      }
      return send(404, { detail: 'Not Found' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    /** Makes every access token issued so far invalid, as if they had expired. */
    expireAccessTokens: () => state.access.clear(),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
