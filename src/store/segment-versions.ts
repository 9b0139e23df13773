/**
 * Segment versions, the one in use and operators' overrides (0013). Every change bumps the
 * revision of `segment_state` in its own transaction: a node that polls the revision and sees
 * another number reloads, so a change made on one node reaches every node.
 */
import type { Selectable } from 'kysely';
import { insertAudit } from './audit-log.js';
import { toDate } from './rows.js';
import type { SegmentOverridesTable, SegmentStateTable, SegmentVersionsTable } from './schema.js';
import type { Db, StoreContext } from './store-context.js';
import {
  type AuditOf,
  type NewAuditEntry,
  type NewSegmentOverride,
  type NewSegmentVersion,
  type SegmentOverride,
  type SegmentState,
  type SegmentVersion,
  StoreError,
} from './store.js';

const STATE_ID = 1;

function toVersion(row: Selectable<SegmentVersionsTable>): SegmentVersion {
  return {
    id: row.id,
    createdAt: toDate(row.created_at),
    createdBy: row.created_by,
    node: row.node,
    fileName: row.file_name,
    sha256: row.sha256,
    dataVersion: row.data_version,
    segments: row.segments,
    bytes: row.bytes,
  };
}

function toOverride(row: Selectable<SegmentOverridesTable>): SegmentOverride {
  return {
    id: row.id,
    firstPrefix: row.first_prefix,
    lastPrefix: row.last_prefix,
    province: row.province,
    city: row.city,
    zip: row.zip,
    areaCode: row.area_code,
    type: row.type,
    note: row.note,
    createdAt: toDate(row.created_at),
    createdBy: row.created_by,
  };
}

function toState(row: Selectable<SegmentStateTable> | undefined): SegmentState {
  if (!row) return { activeVersionId: null, previousVersionId: null, revision: 0, changedAt: null };
  return {
    activeVersionId: row.active_version_id,
    previousVersionId: row.previous_version_id,
    revision: row.revision,
    changedAt: toDate(row.changed_at),
  };
}

/** Bumps the revision and, when `active` is given, makes it the version in use. */
async function changeState(
  trx: Db,
  ctx: StoreContext,
  active?: { id: number | null },
): Promise<SegmentState> {
  const now = ctx.traits.toDb(new Date());
  const row = await trx.selectFrom('segment_state').selectAll().where('id', '=', STATE_ID).executeTakeFirst();
  const was = toState(row);
  const next = {
    active_version_id: active ? active.id : was.activeVersionId,
    // 0 stands for the server's own data, which a rollback can go back to as to any version.
    previous_version_id:
      active && active.id !== was.activeVersionId ? (was.activeVersionId ?? 0) : was.previousVersionId,
    revision: was.revision + 1,
    changed_at: now,
  };
  if (row) await trx.updateTable('segment_state').set(next).where('id', '=', STATE_ID).execute();
  else
    await trx
      .insertInto('segment_state')
      .values({ id: STATE_ID, ...next })
      .execute();
  return toState({ id: STATE_ID, ...next });
}

export async function addSegmentVersion(
  ctx: StoreContext,
  version: NewSegmentVersion,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  auditOf?: AuditOf<SegmentVersion>,
): Promise<SegmentVersion> {
  // One transaction: a node sees the whole file in use, or no new version at all.
  return ctx.write(async (trx) => {
    let row = await trx
      .selectFrom('segment_versions')
      .selectAll()
      .where('sha256', '=', version.sha256)
      .executeTakeFirst();
    if (!row) {
      const { id } = await trx
        .insertInto('segment_versions')
        .values({
          created_at: ctx.traits.toDb(new Date()),
          created_by: version.createdBy,
          node: version.node,
          file_name: version.fileName,
          sha256: version.sha256,
          data_version: version.dataVersion,
          segments: version.segments,
          bytes: 0,
          chunks: 0,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      let count = 0;
      let bytes = 0;
      for await (const data of chunks) {
        if (data.length === 0) continue;
        await trx
          .insertInto('segment_version_chunks')
          .values({ version_id: id, chunk_no: count, data })
          .execute();
        count++;
        bytes += data.length;
      }
      row = await trx
        .updateTable('segment_versions')
        .set({ bytes, chunks: count })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    const recorded = toVersion(row);
    await changeState(trx, ctx, { id: recorded.id });
    if (auditOf) await insertAudit(trx, ctx.traits, auditOf(recorded));
    return recorded;
  });
}

export async function listSegmentVersions({ db }: StoreContext): Promise<SegmentVersion[]> {
  const rows = await db.selectFrom('segment_versions').selectAll().orderBy('id', 'desc').execute();
  return rows.map(toVersion);
}

export async function getSegmentVersion(
  { db }: StoreContext,
  id: number,
): Promise<SegmentVersion | undefined> {
  const row = await db.selectFrom('segment_versions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toVersion(row);
}

export async function segmentVersionFile({ db }: StoreContext, id: number): Promise<Uint8Array | undefined> {
  const version = await db
    .selectFrom('segment_versions')
    .select(['chunks', 'bytes'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!version) return undefined;
  const rows = await db
    .selectFrom('segment_version_chunks')
    .select(['chunk_no', 'data'])
    .where('version_id', '=', id)
    .orderBy('chunk_no')
    .execute();
  if (rows.length !== version.chunks) throw new Error(`segment version ${id} has lost some of its file`);
  const file = Buffer.concat(rows.map((row) => row.data));
  if (file.length !== version.bytes) throw new Error(`segment version ${id}: its file is not whole`);
  return file;
}

export async function activateSegmentVersion(
  ctx: StoreContext,
  id: number | null,
  audit?: NewAuditEntry,
): Promise<SegmentState> {
  return ctx.write(async (trx) => {
    if (id !== null) {
      const found = await trx
        .selectFrom('segment_versions')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!found) throw new StoreError('not_found', `no segment version ${id}`);
    }
    const state = await changeState(trx, ctx, { id });
    if (audit) await insertAudit(trx, ctx.traits, audit);
    return state;
  });
}

export async function segmentState({ db }: StoreContext): Promise<SegmentState> {
  return toState(
    await db.selectFrom('segment_state').selectAll().where('id', '=', STATE_ID).executeTakeFirst(),
  );
}

export async function setSegmentOverride(
  ctx: StoreContext,
  override: NewSegmentOverride,
  auditOf?: AuditOf<SegmentOverride>,
): Promise<SegmentOverride> {
  if (!(Number.isSafeInteger(override.firstPrefix) && override.firstPrefix <= override.lastPrefix))
    throw new StoreError('invalid', 'an override needs a first prefix at most its last');
  return ctx.write(async (trx) => {
    await trx
      .deleteFrom('segment_overrides')
      .where('first_prefix', '=', override.firstPrefix)
      .where('last_prefix', '=', override.lastPrefix)
      .execute();
    const row = await trx
      .insertInto('segment_overrides')
      .values({
        first_prefix: override.firstPrefix,
        last_prefix: override.lastPrefix,
        province: override.province,
        city: override.city,
        zip: override.zip,
        area_code: override.areaCode,
        type: override.type,
        note: override.note,
        created_at: ctx.traits.toDb(new Date()),
        created_by: override.createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const set = toOverride(row);
    await changeState(trx, ctx);
    if (auditOf) await insertAudit(trx, ctx.traits, auditOf(set));
    return set;
  });
}

export async function removeSegmentOverride(
  ctx: StoreContext,
  id: number,
  audit?: NewAuditEntry,
): Promise<boolean> {
  return ctx.write(async (trx) => {
    const result = await trx.deleteFrom('segment_overrides').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    await changeState(trx, ctx);
    if (audit) await insertAudit(trx, ctx.traits, audit);
    return true;
  });
}

export async function listSegmentOverrides({ db }: StoreContext): Promise<SegmentOverride[]> {
  const rows = await db.selectFrom('segment_overrides').selectAll().orderBy('id').execute();
  return rows.map(toOverride);
}
