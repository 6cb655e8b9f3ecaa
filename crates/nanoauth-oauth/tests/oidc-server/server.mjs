// A real OpenID Connect provider for nanoauth-oauth's tests: oidc-provider
// (the certified implementation) on a loopback port chosen by the system.
//
// Environment:
//   APP_ORIGIN  where the tested app runs (redirect URIs are
//               APP_ORIGIN/api/auth/callback/{oidc,oidc2})
//   MUTATE      optional: play a misbehaving provider by re-signing the ID
//               token (with the real key) after changing one thing:
//               wrong-iss | wrong-aud | expired | wrong-nonce | unknown-key
//
// Prints "READY <issuer>" once it listens. The test "logs in" by posting
// `login=<account>` (or `deny=1`) to /interaction/<uid>: login and consent
// are granted at once. A browser gets a one-button page there (`#continue`
// logs in as user-1, `#deny` cancels).
import http from 'node:http';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';

const appOrigin = process.env.APP_ORIGIN ?? 'http://localhost:3000';
const mutate = process.env.MUTATE ?? '';

const users = {
  'user-1': { email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace' },
  'user-2': { email: 'bob@example.com', email_verified: false, name: 'Bob' },
};

const rsa = await generateKeyPair('RS256', { extractable: true });
const ec = await generateKeyPair('ES256', { extractable: true });
const rsaJwk = { ...(await exportJWK(rsa.privateKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
const ecJwk = { ...(await exportJWK(ec.privateKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' };

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'nanoauth-test',
      client_secret: 'nanoauth-test-secret',
      redirect_uris: [`${appOrigin}/api/auth/callback/oidc`],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'nanoauth-second',
      client_secret: 'nanoauth-second-secret',
      redirect_uris: [`${appOrigin}/api/auth/callback/oidc2`],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [rsaJwk, ecJwk] },
  cookies: { keys: ['nanoauth-test-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const user = users[id];
    if (!user) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...user }; } };
  },
});

if (mutate) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || !ctx.body?.id_token) return;
    const claims = decodeJwt(ctx.body.id_token);
    let key = rsa.privateKey;
    let kid = 'rsa-1';
    if (mutate === 'wrong-iss') claims.iss = 'http://127.0.0.1:1/not-the-issuer';
    if (mutate === 'wrong-aud') claims.aud = 'someone-else';
    if (mutate === 'wrong-nonce') claims.nonce = 'not-the-nonce';
    if (mutate === 'expired') {
      claims.iat = Math.floor(Date.now() / 1000) - 7200;
      claims.exp = claims.iat + 600;
    }
    if (mutate === 'unknown-key') {
      key = (await generateKeyPair('RS256')).privateKey;
      kid = 'rsa-unknown';
    }
    ctx.body = {
      ...ctx.body,
      id_token: await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key),
    };
  });
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const callback = provider.callback();
server.on('request', async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      // A page a browser test can click through: log in as user-1 (Ada).
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Test IdP</title><h1>Test IdP: ${details.prompt.name}</h1>
<form method="post"><input name="login" value="user-1"><button id="continue">Continue</button></form>
<form method="post"><input type="hidden" name="deny" value="1"><button id="deny">Cancel</button></form>`);
      return;
    }
    const form = await readForm(req);
    if (form.get('deny')) {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'The user declined.',
      }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = form.get('login') ?? details.session?.accountId ?? 'user-1';
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    const result = { consent: { grantId } };
    if (details.prompt.name === 'login') result.login = { accountId };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 400;
    res.end(String(error));
  }
});

console.log(`READY ${issuer}`);
