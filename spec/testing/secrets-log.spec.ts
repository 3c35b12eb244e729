import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from '../../lib/testing';
import { authorize } from './helpers';

describe('the secrets log', () => {
  it('records every issued token and client secret, one per line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kiss-secrets-')), 'secrets.txt');
    const server = await startTestServer({ secretsLog: file });
    try {
      const a = await authorize(server, 'temporary');
      const b = await authorize(server, 'persistent');
      expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toEqual([a.access_token, a.client_secret, b.access_token, b.client_secret]);
    } finally {
      await server.stop();
    }
  });
});
