/**
 * erase-user on a versioned bucket (S3ObjectStore.erasePrefix), with aws-sdk-client-mock: the
 * embedded S3-compatible store keeps no versions, so what a versioned bucket is sent can only be
 * checked here. Current objects are first deleted without a version id (delete markers, which
 * bucket replication carries to the replica), then every version by its id; the delete markers
 * are left alone, so the replica keeps hiding the erased user's objects.
 */
import { DeleteObjectsCommand, ListObjectsV2Command, ListObjectVersionsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../lambda/store/s3-object-store.js';

const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
const s3 = mockClient(client);
const PREFIX = 'values/abc/';
const store = new S3ObjectStore({ client, bucket: 'values', retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1000 } });

const deletes = (): Array<Array<{ Key?: string; VersionId?: string }>> =>
  s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects ?? []);

describe('erase-user on a versioned bucket', () => {
  beforeEach(() => {
    s3.reset();
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: `${PREFIX}a`, Size: 100 },
        { Key: `${PREFIX}b`, Size: 200 },
      ],
    });
    s3.on(DeleteObjectsCommand).resolves({});
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: `${PREFIX}a`, VersionId: 'a1', Size: 100 },
        { Key: `${PREFIX}b`, VersionId: 'b1', Size: 200 },
        { Key: `${PREFIX}c`, VersionId: 'c1', Size: 300 }, // superseded, kept for the retention period
      ],
      DeleteMarkers: [
        { Key: `${PREFIX}a`, VersionId: 'ma' },
        { Key: `${PREFIX}b`, VersionId: 'mb' },
      ],
    });
  });

  it('deletes the current objects without a version id first (delete markers, which replication carries), then every version by id', async () => {
    expect(await store.erasePrefix(PREFIX, true)).toEqual({ objects: 3, bytes: 600 });
    const [markers, versions] = deletes();
    expect(markers).toEqual([{ Key: `${PREFIX}a` }, { Key: `${PREFIX}b` }]);
    expect(versions).toEqual([
      { Key: `${PREFIX}a`, VersionId: 'a1' },
      { Key: `${PREFIX}b`, VersionId: 'b1' },
      { Key: `${PREFIX}c`, VersionId: 'c1' },
    ]);
    expect(deletes()).toHaveLength(2);
  });

  it('leaves the delete markers, so the replica keeps hiding the objects', async () => {
    await store.erasePrefix(PREFIX, true);
    for (const batch of deletes()) for (const o of batch) expect(['ma', 'mb']).not.toContain(o.VersionId);
  });

  it('only counts without --apply: nothing is deleted', async () => {
    expect(await store.erasePrefix(PREFIX, false)).toEqual({ objects: 3, bytes: 600 });
    expect(deletes()).toEqual([]);
    // The versions are the count: the current objects are not listed as well.
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('on a store that keeps no versions, the first pass is the whole erase and its count is the answer', async () => {
    s3.on(ListObjectVersionsCommand).rejects(
      new S3ServiceException({ name: 'MethodNotAllowed', $fault: 'client', $metadata: { httpStatusCode: 405 }, message: 'no versions' }),
    );
    expect(await store.erasePrefix(PREFIX, true)).toEqual({ objects: 2, bytes: 300 });
    expect(deletes()).toEqual([[{ Key: `${PREFIX}a` }, { Key: `${PREFIX}b` }]]);
  });
});
