import { describe, expect, it } from 'vitest';
import { StoreError } from './store.js';
import { logSkippedEngines, storeEngines, withOwnStore } from './test-support/store-engines.js';

logSkippedEngines('segment versions store tests');

const version = (sha256: string) => ({
  createdBy: 'cli:test',
  node: 'node-a',
  fileName: 'phone.dat',
  sha256,
  dataVersion: '2502',
  segments: 3,
  bytes: 0,
});

const audit = (action: string) => ({ operator: 'cli:test', action, target: null, details: '{}', ip: '' });

for (const engine of storeEngines) {
  describe.skipIf(engine.skipReason !== undefined)(`segment versions on ${engine.name}`, () => {
    it('keeps files whole, activates, goes back and counts every change', () =>
      withOwnStore(engine, async (store) => {
        expect(await store.segmentState()).toEqual({
          activeVersionId: null,
          previousVersionId: null,
          revision: 0,
          changedAt: null,
        });
        const first = await store.addSegmentVersion(
          version('a'),
          [Buffer.from('hello '), Buffer.from('world')],
          (v) => audit(`segments.update ${v.id}`),
        );
        expect(first.bytes).toBe(11);
        expect(Buffer.from((await store.segmentVersionFile(first.id))!).toString()).toBe('hello world');
        let state = await store.segmentState();
        expect(state).toMatchObject({ activeVersionId: first.id, previousVersionId: 0, revision: 1 });

        const second = await store.addSegmentVersion(version('b'), [Buffer.from('x')]);
        state = await store.segmentState();
        expect(state).toMatchObject({ activeVersionId: second.id, previousVersionId: first.id, revision: 2 });
        // The same file again is the version recorded before, made current.
        const again = await store.addSegmentVersion(version('a'), [Buffer.from('ignored')]);
        expect(again.id).toBe(first.id);
        expect((await store.listSegmentVersions()).map((v) => v.id)).toEqual([second.id, first.id]);

        state = await store.activateSegmentVersion(null, audit('segments.rollback'));
        expect(state).toMatchObject({ activeVersionId: null, previousVersionId: first.id, revision: 4 });
        await expect(store.activateSegmentVersion(999_999)).rejects.toBeInstanceOf(StoreError);
        expect(await store.segmentVersionFile(999_999)).toBeUndefined();
        const actions = (await store.auditLog()).rows.map((row) => row.action);
        expect(actions).toEqual(['segments.rollback', `segments.update ${first.id}`]);
      }));

    it('sets, replaces and removes overrides, each a change', () =>
      withOwnStore(engine, async (store) => {
        const base = {
          firstPrefix: 1700000,
          lastPrefix: 1700999,
          province: '北京',
          city: '北京',
          zip: null,
          areaCode: null,
          type: 4,
          note: 'checked with the carrier',
          createdBy: 'admin',
        };
        const set = await store.setSegmentOverride(base, () => audit('segments.override.set'));
        const replaced = await store.setSegmentOverride({ ...base, city: '朝阳' });
        const other = await store.setSegmentOverride({ ...base, firstPrefix: 1980000, lastPrefix: 1980000 });
        const listed = await store.listSegmentOverrides();
        expect(listed.map((o) => o.id)).toEqual([replaced.id, other.id]);
        expect(listed[0]).toMatchObject({ city: '朝阳', zip: null, type: 4 });
        expect(await store.removeSegmentOverride(set.id)).toBe(false);
        expect(await store.removeSegmentOverride(other.id, audit('segments.override.unset'))).toBe(true);
        expect((await store.segmentState()).revision).toBe(4);
        await expect(store.setSegmentOverride({ ...base, lastPrefix: 1 })).rejects.toBeInstanceOf(StoreError);
      }));
  });
}
