// tests/lib/oidc.mjs: a real OpenID Connect provider on loopback for the
// tests (panva's oidc-provider, a certified implementation), and a browser's
// walk through a login against it.
//
// startProvider() serves the provider on 127.0.0.1 (port 0) with one client.
// Its login page is replaced by one that signs in `provider.account` at once
// and grants the scopes asked for, so a login needs no form. The test can:
//   - rotate(alg): replace the signing key by a new one (new kid), as a
//     provider rotating its keys does; the old key leaves the key set;
//   - tamper(mode): rewrite the ID token in the next token endpoint answers:
//     'signature' (signed by a key the provider never published, under the
//     provider's kid), 'audience' (another aud, signed with the real key),
//     'expired' (exp an hour ago, signed with the real key), or null.
// The token endpoint's answer passes through untouched otherwise.
import { generateKeyPairSync, sign as cryptoSign, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

function newKey(alg) {
  const { privateKey } = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg, use: 'sig' };
  return { alg, jwk, privateKey };
}

const b64 = (buf) => Buffer.from(buf).toString('base64url');

function signJwt(header, payload, key) {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  const sig = cryptoSign('sha256', Buffer.from(input), key.alg === 'ES256'
    ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' }
    : key.privateKey);
  return `${input}.${b64(sig)}`;
}

export async function startProvider({ redirectUri, alg = 'RS256', clientId = 'parley-test', clientSecret = 'test+secret:/%' + randomUUID() }) {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const state = {
    issuer, clientId, clientSecret, alg,
    account: 'alice',
    accounts: { alice: { email: 'alice@example.org', email_verified: true, name: 'Alice Liddell' } },
    tamperMode: null,
    key: newKey(alg),
    tokenRequests: 0,
    jwksRequests: 0,
  };

  function build() {
    const p = new Provider(issuer, {
      clients: [{
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        id_token_signed_response_alg: state.key.alg,
        token_endpoint_auth_method: 'client_secret_basic',
      }],
      jwks: { keys: [state.key.jwk] },
      cookies: { keys: ['oidc-test-cookie-key'] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: false } },
      interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: async (ctx, id) => ({
        accountId: id,
        claims: async () => ({ sub: id, ...state.accounts[id] }),
      }),
      loadExistingGrant: async (ctx) => {
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
    });
    p.on('server_error', (ctx, err) => console.error('oidc-provider:', err));
    return p;
  }
  let provider = build();

  function tamper(idToken) {
    const [h, p] = idToken.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    const payload = JSON.parse(Buffer.from(p, 'base64url'));
    switch (state.tamperMode) {
      case 'signature':
        return signJwt(header, payload, newKey(state.key.alg));
      case 'audience':
        return signJwt(header, { ...payload, aud: 'someone-else' }, state.key);
      case 'expired': {
        const now = Math.floor(Date.now() / 1000);
        return signJwt(header, { ...payload, iat: now - 7200, exp: now - 3600 }, state.key);
      }
      default:
        return idToken;
    }
  }

  server.on('request', async (req, res) => {
    try {
      const url = new URL(req.url, issuer);
      if (url.pathname.startsWith('/interaction/')) {
        await provider.interactionFinished(req, res, { login: { accountId: state.account } }, { mergeWithLastSubmission: false });
        return;
      }
      if (url.pathname === '/jwks') state.jwksRequests++;
      if (url.pathname === '/token' && req.method === 'POST') {
        state.tokenRequests++;
        const end = res.end.bind(res);
        res.end = (chunk, ...rest) => {
          if (chunk && res.statusCode === 200 && state.tamperMode) {
            const body = JSON.parse(chunk.toString());
            if (body.id_token) body.id_token = tamper(body.id_token);
            const out = JSON.stringify(body);
            if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(out));
            return end(out);
          }
          return end(chunk, ...rest);
        };
      }
      provider.callback()(req, res);
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });

  return Object.assign(state, {
    rotate(newAlg = state.key.alg) {
      state.key = newKey(newAlg);
      provider = build();
    },
    tamper(mode) { state.tamperMode = mode; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  });
}

// The config file lines for a provider named `name`.
export function providerConfig(name, p, extra = {}) {
  const lines = [
    `oidc.${name}.issuer = ${p.issuer}`,
    `oidc.${name}.client_id = ${p.clientId}`,
    `oidc.${name}.client_secret = ${p.clientSecret}`,
  ];
  for (const [k, v] of Object.entries(extra)) lines.push(`oidc.${name}.${k} = ${v}`);
  return lines.join('\n') + '\n';
}

// A browser's cookie jar for one origin: name=value pairs.
export class Jar {
  constructor() { this.map = new Map(); }
  take(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (gone || value === '') this.map.delete(name);
      else this.map.set(name, value);
    }
  }
  header() { return [...this.map].map(([k, v]) => `${k}=${v}`).join('; '); }
}

// Follows the provider's redirects from its authorization URL, as a browser
// does, until it sends the browser back to Parley; returns that callback URL.
export async function walkProvider(authUrl, providerJar = new Jar()) {
  let url = authUrl;
  for (let hops = 0; hops < 10; hops++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: providerJar.header() } });
    providerJar.take(res);
    await res.text();
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`provider stopped at ${url} with ${res.status}`);
    const next = new URL(loc, url).toString();
    if (new URL(next).origin !== new URL(authUrl).origin) return next;
    url = next;
  }
  throw new Error('too many redirects at the provider');
}
