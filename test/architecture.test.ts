/**
 * The layer rules of `.dependency-cruiser.mjs` (run by `npm run lint`) hold for the product, and
 * catch a planted violation of each kind in a tree the test writes.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type ICruiseResult, cruise } from 'dependency-cruiser';
import { afterAll, describe, expect, it } from 'vitest';
import config from '../.dependency-cruiser.mjs';

const ROOT = new URL('..', import.meta.url).pathname;

async function violations(baseDir: string, withTsConfig: boolean): Promise<string[]> {
  // The planted tree has no tsconfig.json of its own.
  const options = { ...config.options, tsConfig: withTsConfig ? config.options.tsConfig : undefined };
  const result = await cruise(['src'], {
    ...options,
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
  });
  const output = result.output as ICruiseResult;
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

/** Each file of the planted tree breaks one rule (the test beside them breaks none: tests may). */
const PLANTED: Record<string, string> = {
  'src/core/pure.ts':
    "import { readFileSync } from 'node:fs';\nimport { feed } from '../data/feed.js';\nexport const pure = [readFileSync, feed];\n",
  'src/core/pure.test.ts': "import { readFileSync } from 'node:fs';\nexport const allowed = readFileSync;\n",
  'src/data/feed.ts': "import { store } from '../store/store.js';\nexport const feed = store;\n",
  'src/store/store.ts': 'export const store = 1;\n',
  'src/service/query.ts': "import { route } from '../http/route.js';\nexport const query = route;\n",
  'src/http/route.ts': "import { command } from '../cli/command.js';\nexport const route = command;\n",
  'src/cli/command.ts': "import { route } from '../http/route.js';\nexport const command = () => route;\n",
  'src/console/page.tsx':
    "import { route } from '../http/route.js';\nimport type { View } from '../wire/view.js';\nexport const page: [unknown, View?] = [route];\n",
  'src/wire/view.ts': 'export type View = { id: number };\n',
};

describe('the layer rules (dependency-cruiser)', () => {
  let planted: string | undefined;
  afterAll(async () => {
    if (planted) await rm(planted, { recursive: true, force: true });
  });

  it('find nothing to refuse in the product', async () => {
    expect(await violations(ROOT, true)).toEqual([]);
  });

  it('refuse every kind of crossing planted in a tree', async () => {
    planted = await mkdtemp(join(tmpdir(), 'mnpd-layers-'));
    for (const [path, text] of Object.entries(PLANTED)) {
      await mkdir(dirname(join(planted, path)), { recursive: true });
      await writeFile(join(planted, path), text);
    }
    expect(await violations(planted, false)).toEqual([
      'cli-imports-only-its-layers: src/cli/command.ts → src/http/route.ts',
      'console-imports-only-wire-types: src/console/page.tsx → src/http/route.ts',
      'core-has-no-io: src/core/pure.ts → fs',
      'core-imports-only-its-layers: src/core/pure.ts → src/data/feed.ts',
      'data-imports-only-its-layers: src/data/feed.ts → src/store/store.ts',
      'http-imports-only-its-layers: src/http/route.ts → src/cli/command.ts',
      'no-circular: src/cli/command.ts → src/http/route.ts',
      'service-imports-only-its-layers: src/service/query.ts → src/http/route.ts',
    ]);
  });
});
