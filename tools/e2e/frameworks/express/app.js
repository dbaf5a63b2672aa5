// An Express app with the cors middleware, as a team writes it: an upstream
// of corswasm's framework migration tests (configs.json quotes the settings).
//
//   node app.js --config NAME --port PORT
//
// Listens on 127.0.0.1:PORT only; GET /health answers 200 when ready.
'use strict';

const express = require('express');
const cors = require('cors');

function arg(name) {
  const i = process.argv.indexOf('--' + name);
  if (i < 0 || i + 1 >= process.argv.length) {
    console.error(`app.js: --${name} is required`);
    process.exit(2);
  }
  return process.argv[i + 1];
}

const configName = arg('config');
const port = Number(arg('port'));

// The configurations, each as its team writes it (configs.json quotes them).
const configs = {
  // CORS on /api only, with the defaults for everything but the origins.
  'api-only': (app) => {
    app.use('/api', cors({ origin: ['https://app.example.com', 'https://admin.example.com'] }));
  },
  // An allowlist with credentials, exposed headers and a max age, everywhere.
  'allowlist-credentials': (app) => {
    app.use(cors({
      origin: ['https://app.example.com', 'https://admin.example.com', 'http://localhost:3000'],
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'X-Total-Count'],
      credentials: true,
      maxAge: 600,
    }));
  },
  // Vulnerable: reflects every origin, with credentials.
  'reflect-credentials': (app) => {
    app.use(cors({ origin: true, credentials: true }));
  },
};

const configure = configs[configName];
if (!configure) {
  console.error(`app.js: no configuration ${JSON.stringify(configName)}; have ${Object.keys(configs).join(', ')}`);
  process.exit(2);
}

const app = express();
app.disable('x-powered-by');
app.disable('etag');
configure(app);

app.get('/health', (req, res) => res.type('text').send('ok'));

const items = (req, res) => {
  res.set('X-Request-Id', '42');
  res.set('X-Total-Count', '1');
  res.json({ ok: true });
};
for (const path of ['/api/items', '/api/items/1']) {
  app.get(path, items).post(path, items).put(path, items).patch(path, items).delete(path, items);
}
app.get('/public/info', (req, res) => res.type('text').send('public info'));
app.get('/admin/stats', (req, res) => res.type('text').send('stats'));
app.post('/admin/stats', (req, res) => res.type('text').send('stats'));

const server = app.listen(port, '127.0.0.1');
server.on('error', (err) => {
  console.error(`app.js: ${err.message}`);
  process.exit(1);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
