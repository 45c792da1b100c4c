import { describe, expect, it } from 'vitest';
import { createPolystore } from './golden/small/generated/index.js';

describe('the generated facade', () => {
  it('opens when a collection is on a backend this version lacks, and each call on it says so', async () => {
    const db = createPolystore({ autoMigrate: false });
    try {
      await expect(db.vectors.passages.count()).rejects.toMatchObject({
        code: 'BACKEND_UNAVAILABLE',
        message: '"passages" is on the milvus backend, which this version cannot open yet',
      });
    } finally {
      await db.close();
    }
  });
});
