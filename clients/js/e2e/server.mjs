// A tiny server for the e2e page: static files from e2e/.build, and a reverse
// proxy of /api/auth/* to the demo server, so page and API share one origin
// (the session cookie is first-party, no CORS). Headers go through unchanged,
// Origin and Cookie included: the demo must trust this server's origin
// (start it with --base-url http://localhost:<this port>).
//
// Standalone: node e2e/server.mjs <port> <demo URL>
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * Starts the server on 127.0.0.1:`port` (0: any free port). Resolves to
 * `{ url, close() }` once it listens.
 */
export function startServer({ port = 0, demoURL, root = path.join(here, '.build') }) {
  const target = new URL(demoURL);
  const server = http.createServer((req, res) => {
    if (req.url === '/api/auth' || req.url.startsWith('/api/auth/')) proxy(req, res, target);
    else serveStatic(req, res, root);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address();
      resolve({
        // The demo's name for it (passkeys need a domain, not an address).
        url: `http://localhost:${actual}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function proxy(req, res, target) {
  const upstream = http.request(
    {
      host: target.hostname,
      port: target.port || 80,
      method: req.method,
      path: req.url,
      headers: req.headers, // unchanged: Origin, Cookie, Content-Type, Host
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
    }
    res.end(`proxy error: ${error.message}`);
  });
  req.pipe(upstream);
}

function serveStatic(req, res, root) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  let file = path.resolve(root, `.${pathname}`);
  if (file !== root && !file.startsWith(root + path.sep)) {
    res.writeHead(403).end();
    return;
  }
  let stat = statOf(file);
  if (stat?.isDirectory()) {
    file = path.join(file, 'index.html');
    stat = statOf(file);
  }
  if (!stat) {
    // A single-page app: unknown paths get the page.
    file = path.join(root, 'index.html');
    stat = statOf(file);
  }
  if (!stat) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not built: run `npm run e2e:build`');
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

function statOf(file) {
  try {
    const stat = statSync(file);
    return stat.isFile() || stat.isDirectory() ? stat : null;
  } catch {
    return null;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [port = '8080', demoURL = 'http://127.0.0.1:3000'] = process.argv.slice(2);
  const { url } = await startServer({ port: Number(port), demoURL });
  console.log(`e2e page on ${url}, /api/auth proxied to ${demoURL}`);
}
