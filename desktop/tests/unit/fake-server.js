// A small stand-in for the Parley auth endpoints (API.md), used by the api unit
// tests: real HTTP on 127.0.0.1, tokens that can be expired on demand, and
// single-use refresh tokens; plus POST /attachments (multipart) with its refusals,
// sending messages, reactions and readers (every request after sign-in is recorded).
import http from 'node:http';

export async function startFakeServer() {
  const state = {
    access: new Set(), refresh: new Set(), counter: 0, refreshCalls: 0, posted: [], uploads: [], requests: [], maxUpload: 64 * 1024,
    // Canned answers a test sets: 'METHOD /path' → [status, body]; each request's body is kept in `bodies`.
    answers: {}, bodies: [], logins: [],
  };

  function issue() {
    state.counter += 1;
    const token = { access_token: `a${state.counter}`, refresh_token: `r${state.counter}`, token_type: 'bearer', expires_in: 900 };
    state.access.add(token.access_token);
    state.refresh.add(token.refresh_token);
    return token;
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const isJson = String(req.headers['content-type']).startsWith('application/json');
      const body = raw.length && isJson ? JSON.parse(raw.toString()) : {};
      const send = (status, data) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(data === undefined ? '' : JSON.stringify(data));
      };
      const authed = state.access.has(String(req.headers.authorization).replace('Bearer ', ''));
      const path = req.url.split('?')[0];
      const canned = state.answers[`${req.method} ${path}`];
      if (path === '/auth/options' || path === '/auth/reset') {
        state.requests.push(`${req.method} ${req.url}`);
      if (canned) {
        state.bodies.push(body);
        return send(...canned);
      }
        state.bodies.push(body);
        return canned ? send(...canned) : send(404, { detail: 'Not Found' });
      }
      if (path === '/auth/login') {
        state.logins.push(body);
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
      if (path === '/attachments' && req.method === 'POST') {
        const type = String(req.headers['content-type']);
        const text = raw.toString('latin1');
        const part = /name="file"; filename="([^"]*)"\r\nContent-Type: ([^\r]*)\r\n\r\n/.exec(text);
        if (!type.startsWith('multipart/form-data') || !part) return send(422, { detail: [{ loc: ['body', 'file'], msg: 'Field required' }] });
        const [, name, contentType] = part;
        if (raw.length > state.maxUpload) return send(413, { detail: `File is larger than the ${state.maxUpload / 1024} KB limit` });
        if (name.endsWith('.exe')) return send(415, { detail: 'Executable files are not allowed' });
        const start = part.index + part[0].length;
        const end = text.indexOf('\r\n--', start);
        const id = state.uploads.push({ name, contentType, size: end - start });
        const isImage = contentType.startsWith('image/');
        return send(201, {
          id, url: `/attachments/${id}`, name, size: end - start, content_type: contentType, is_image: isImage,
          download_url: `/attachments/${id}?exp=1&sig=s`, thumbnail_url: isImage ? `/attachments/${id}/thumbnail?exp=1&sig=s` : null,
        });
      }
      state.requests.push(`${req.method} ${req.url}`);
      if (canned) {
        state.bodies.push(body);
        return send(...canned);
      }
      if (/^\/chats\/1\/messages\/\d+\/reactions\/[^/]+$/.test(path) && ['PUT', 'DELETE'].includes(req.method)) return send(204);
      if (/^\/chats\/1\/messages\/\d+\/readers$/.test(path)) return send(200, [{ id: 2, username: 'bob', display_name: 'Bob' }]);
      if (path === '/chats/1/messages' && req.method === 'GET') return send(200, []);
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
