import { afterEach, describe, expect, it } from 'vitest';
import type { AuthenticationOptions } from '../src/api/authentication.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';
import {
  bearer,
  FixedPrincipalAuthenticator,
  keyPrincipal,
  tokenPrincipal,
} from './support/fixed-principal-authenticator.js';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

const AUTH_ON: AuthenticationOptions = {
  mode: { mode: 'on', unsafe: false },
  authenticators: {
    test: new FixedPrincipalAuthenticator({
      service: keyPrincipal('chat-backend', ['evaluator']),
      alice: tokenPrincipal('alice', ['evaluator']),
      delegate: tokenPrincipal('batch-job', ['evaluator'], { mayActForOthers: true }),
    }),
  },
};

async function evaluate(app: TestApp['app'], userId: string, headers: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url: '/policy/evaluate',
    headers,
    payload: { prompt: 'hi', user_id: userId },
  });
}

async function recorded(test: TestApp) {
  return (await test.store.repository.query({ limit: 10 })).entries;
}

describe('who the decision is about', () => {
  it("records a person's token under its own subject", async () => {
    current = await buildTestApp({ authentication: AUTH_ON });
    const response = await evaluate(current.app, 'alice', bearer('alice'));
    expect(response.statusCode).toBe(200);
    expect(await recorded(current)).toEqual([
      expect.objectContaining({ userId: 'alice', principalId: 'oidc:alice@https://idp.test' }),
    ]);
  });

  it("refuses a person's token naming another user_id with 403, and records nothing", async () => {
    current = await buildTestApp({ authentication: AUTH_ON });
    const response = await evaluate(current.app, 'bob', bearer('alice'));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({
      code: 'FORBIDDEN',
      field: 'user_id',
      detail: expect.stringContaining("token's subject"),
    });
    expect(await recorded(current)).toEqual([]);
  });

  it('lets a token granted acting for others name the user, recording both', async () => {
    current = await buildTestApp({ authentication: AUTH_ON });
    expect((await evaluate(current.app, 'bob', bearer('delegate'))).statusCode).toBe(200);
    expect(await recorded(current)).toEqual([
      expect.objectContaining({ userId: 'bob', principalId: 'oidc:batch-job@https://idp.test' }),
    ]);
  });

  it('lets an API key (a service account) name the user it evaluates for, recording the key', async () => {
    current = await buildTestApp({ authentication: AUTH_ON });
    expect((await evaluate(current.app, 'erin', bearer('service'))).statusCode).toBe(200);
    expect(await recorded(current)).toEqual([
      expect.objectContaining({ userId: 'erin', principalId: 'key:chat-backend' }),
    ]);
  });

  it('records anonymous as the principal when authentication is off, and shows it in the API', async () => {
    current = await buildTestApp();
    const response = await evaluate(current.app, 'frank', {});
    const entry = await current.app.inject({
      url: `/governance/audit/${response.json().audit_id}`,
    });
    expect(entry.json()).toMatchObject({ user_id: 'frank', principal_id: 'anonymous' });
  });
});
