import pg from 'pg';
import { openStore } from './src/store/open-store.ts';
import { freshPostgresSchema } from './src/test-support/test-databases.ts';
const url = process.env.DATABASE_URL!;
let stop = false;
const churn = async () => {
  const c = new pg.Client({ connectionString: url }); await c.connect();
  for (let i = 0; !stop; i++) {
    const s = `chaos3_churn_${process.pid}_${Math.random().toString(36).slice(2)}`;
    await c.query(`CREATE SCHEMA ${s}; CREATE TABLE ${s}.t (id serial primary key, a text); CREATE TABLE ${s}.u (id serial primary key)`);
    await c.query(`DROP SCHEMA ${s} CASCADE`);
  }
  await c.end();
};
const churners = [churn(), churn()];
let failures = 0;
for (let i = 0; i < 30; i++) {
  const pgs = await freshPostgresSchema();
  try { const st = await openStore(pgs.url, '/tmp'); await st.close(); } catch (e) { failures++; console.log('FAIL', (e as Error).message, (e as {code?: string}).code); }
  await pgs.drop();
}
stop = true; await Promise.all(churners);
console.log('failures', failures, 'of 30');
