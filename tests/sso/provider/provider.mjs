// A real OpenID provider for the portal's SSO tests: panva's oidc-provider, configured from the environment.
//   OP_PORT       port on 127.0.0.1 to listen on
//   OP_ISSUER     the issuer (http://127.0.0.1:<port>)
//   OP_CLIENTS    JSON list of clients: [{"client_id", "client_secret", "redirect_uris": [...]}]
//   OP_ACCOUNTS   JSON object by login: {"alice": {"password", "email", "employee_no", "name", "amr": ["pwd"]}}
//   OP_ID_TOKEN_TTL  seconds an ID token is valid (default 600): the expiry test moves the portal's clock past it
// The sign-in page is the provider's own (a login and password form); consent is implied for the test clients.
import http from 'node:http';
import { URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

const env = process.env;
const port = Number(env.OP_PORT);
const accounts = JSON.parse(env.OP_ACCOUNTS || '{}');
const clients = JSON.parse(env.OP_CLIENTS || '[]').map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...client,
}));

const provider = new Provider(env.OP_ISSUER, {
  clients,
  pkce: { required: () => true },
  claims: { openid: ['sub', 'amr', 'auth_time'], email: ['email', 'email_verified'], profile: ['name', 'employee_no'] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  ttl: { IdToken: Number(env.OP_ID_TOKEN_TTL || 600) },
  cookies: { keys: ['test-provider-cookie-key-not-secret'] },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: account.email, email_verified: true, name: account.name, employee_no: account.employee_no };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});
provider.proxy = false;

const page = (uid, error) => `<!doctype html><html><head><title>Test directory sign-in</title></head><body>
<h1>Test directory</h1>${error ? `<p id="error">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label>Login <input name="login" autocomplete="off"></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in</button></form></body></html>`;

const readBody = (req) => new Promise((resolve) => {
  let data = '';
  req.on('data', (chunk) => { data += chunk; });
  req.on('end', () => resolve(new URLSearchParams(data)));
});

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (!match[2]) {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      return res.end(page(details.uid));
    }
    const form = await readBody(req);
    const account = accounts[form.get('login')];
    if (!account || account.password !== form.get('password')) {
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.statusCode = 401;
      return res.end(page(details.uid, 'Wrong login or password'));
    }
    const result = { login: { accountId: form.get('login'), amr: account.amr || ['pwd'] } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 400;
    return res.end(String(error));
  }
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${env.OP_ISSUER}`));
