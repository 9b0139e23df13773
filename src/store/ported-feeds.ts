/** The cluster's log of portability feeds: each feed with its file, in chunks, oldest first. */
import type { StoreContext } from './store-context.js';
import type { NewPortedFeed, PortedFeed } from './store.js';
import type { Selectable } from 'kysely';
import type { PortedFeedsTable } from './schema.js';
import { toDate } from './rows.js';

function toPortedFeed(row: Selectable<PortedFeedsTable>): PortedFeed {
  return {
    id: row.id,
    at: toDate(row.at),
    node: row.node,
    kind: row.kind,
    fileName: row.file_name,
    skipInvalid: row.skip_invalid === 1,
    seq: row.seq,
    bytes: row.bytes,
    chunks: row.chunks,
  };
}

export async function addPortedFeed(
  { write, traits }: StoreContext,
  feed: NewPortedFeed,
  chunks: AsyncIterable<Uint8Array>,
): Promise<PortedFeed> {
  // One transaction: a follower sees the whole file or no feed at all.
  const row = await write(async (trx) => {
    if (feed.origin !== undefined) {
      const recorded = await trx
        .selectFrom('ported_feeds')
        .selectAll()
        .where('origin', '=', feed.origin)
        .executeTakeFirst();
      if (recorded) return recorded;
    }
    const { id } = await trx
      .insertInto('ported_feeds')
      .values({
        at: traits.toDb(new Date()),
        node: feed.node,
        kind: feed.kind,
        file_name: feed.fileName,
        skip_invalid: feed.skipInvalid ? 1 : 0,
        seq: feed.seq ?? null,
        bytes: 0,
        chunks: 0,
        origin: feed.origin ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    let count = 0;
    let bytes = 0;
    for await (const data of chunks) {
      if (data.length === 0) continue;
      await trx.insertInto('ported_feed_chunks').values({ feed_id: id, chunk_no: count, data }).execute();
      count++;
      bytes += data.length;
    }
    return trx
      .updateTable('ported_feeds')
      .set({ bytes, chunks: count })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return toPortedFeed(row);
}

export async function portedFeedsAfter(
  { db }: StoreContext,
  afterId: number,
  limit: number,
): Promise<PortedFeed[]> {
  const rows = await db
    .selectFrom('ported_feeds')
    .selectAll()
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toPortedFeed);
}

export async function latestFullPortedFeed({ db }: StoreContext): Promise<PortedFeed | undefined> {
  const row = await db
    .selectFrom('ported_feeds')
    .selectAll()
    .where('kind', '=', 'full')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toPortedFeed(row);
}

export async function portedFeedChunk(
  { db }: StoreContext,
  feedId: number,
  chunkNo: number,
): Promise<Uint8Array | undefined> {
  const row = await db
    .selectFrom('ported_feed_chunks')
    .select('data')
    .where('feed_id', '=', feedId)
    .where('chunk_no', '=', chunkNo)
    .executeTakeFirst();
  return row?.data;
}

/** Forgets the feeds before `id` with their files (a full snapshot makes them history). */
export async function prunePortedFeeds({ write }: StoreContext, beforeId: number): Promise<number> {
  return write(async (trx) => {
    const old = trx.selectFrom('ported_feeds').select('id').where('id', '<', beforeId);
    await trx.deleteFrom('ported_feed_chunks').where('feed_id', 'in', old).execute();
    const result = await trx.deleteFrom('ported_feeds').where('id', '<', beforeId).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
