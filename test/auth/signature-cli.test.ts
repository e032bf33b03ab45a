/**
 * Signature mode's policy as an operator runs it: `npm start -- --auth signature
 * --signature-enrollment allowlist` (the window from VSS_SIGNATURE_MAX_SKEW_SECONDS), and
 * `npx vss admin allow-user` / `deny-user` on the engine endpoint it prints. A malformed or
 * misplaced policy flag is refused in the test's process: test/conformance/local-server-refusals.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import { decodeError, primaryEngine, TestClient } from '../support/local-vss.js';
import { startCli, stopCli } from '../support/cli.js';
import { runVss } from '../cli/run-vss.js';
import { sigsAuthHeader } from './clients.js';

describe('npm start signature policy flags', () => {
  it('serves allowlist enrollment with the window from the environment, and npx vss admin allow-user / deny-user edit it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vss-signature-cli-'));
    const cli = await startCli(
      [
        '--port',
        '0',
        '--engine',
        primaryEngine().name,
        '--data-dir',
        dataDir,
        '--auth',
        'signature',
        '--signature-enrollment',
        'allowlist',
      ],
      { VSS_SIGNATURE_MAX_SKEW_SECONDS: '900' },
    );
    try {
      const endpoint = (await cli.waitForOutput(/^DynamoDB engine at (\S+), table vss$/m))[1]!;
      const secret = randomBytes(32);
      const pubkey = Buffer.from(secp256k1.getPublicKey(secret, true)).toString('hex');
      const get = (offsetSeconds = 0) =>
        new TestClient(cli.url, 's', { authorization: sigsAuthHeader(secret, Math.floor(Date.now() / 1000) + offsetSeconds) }).get('k');

      const refused = await get();
      expect(refused.status).toBe(401);
      expect(decodeError(refused).errorCode).toBe(ErrorCode.AUTH_EXCEPTION);

      // A fresh key: the refusal above is remembered by this instance for the cache period.
      const secret2 = randomBytes(32);
      const pubkey2 = Buffer.from(secp256k1.getPublicKey(secret2, true)).toString('hex');
      const allowed = await runVss(['admin', 'allow-user', '--user', pubkey2, pubkey, '--dynamodb-endpoint', endpoint, '--table', 'vss']);
      expect(allowed).toMatchObject({ code: 0, stdout: `allowed ${pubkey2}\nallowed ${pubkey}\n` });
      const at = (offset: number) =>
        new TestClient(cli.url, 's', { authorization: sigsAuthHeader(secret2, Math.floor(Date.now() / 1000) + offset) }).get('k');
      expect((await at(0)).status).toBe(404);
      // The 900 s window from VSS_SIGNATURE_MAX_SKEW_SECONDS (a margin for the clock ticking meanwhile).
      expect((await at(-850)).status).toBe(404);
      expect((await at(-1000)).status).toBe(401);
      expect((await at(1000)).status).toBe(401);

      const denied = await runVss(['admin', 'deny-user', '--user', pubkey2, '--dynamodb-endpoint', endpoint, '--table', 'vss']);
      expect(denied).toMatchObject({ code: 0, stdout: `denied ${pubkey2}: running instances refuse it within 60 s\n` });
      const bad = await runVss(['admin', 'allow-user', '--user', 'not-a-key', '--dynamodb-endpoint', endpoint, '--table', 'vss']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/not a compressed secp256k1 public key/);
    } finally {
      await stopCli(cli);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
