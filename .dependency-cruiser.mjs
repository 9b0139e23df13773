/**
 * The layers of DESIGN.md, enforced: `npm run lint` fails on an import that crosses them the wrong
 * way. Tests and their helpers may drive the product through any door, so the rules are about the
 * product's own modules.
 */
const SOURCE = '^src/';
const TESTS = '(\\.test\\.ts$|/test-support/)';

/** A layer and the layers (besides itself) its modules may import. */
function layer(name, path, mayImport, because) {
  const allowed = [path, ...mayImport].map((folder) => `^src/${folder}/`).join('|');
  return {
    name: `${name}-imports-only-its-layers`,
    comment: because,
    severity: 'error',
    from: { path: `^src/${path}/`, pathNot: TESTS },
    to: { path: SOURCE, pathNot: `${allowed}|${TESTS}` },
  };
}

export default {
  forbidden: [
    {
      name: 'core-has-no-io',
      comment: 'core is the pure domain: no Node.js modules, no packages, no framework',
      severity: 'error',
      from: { path: '^src/core/', pathNot: TESTS },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
      },
    },
    layer('core', 'core', [], 'core imports no other layer'),
    layer('wire', 'wire', [], 'wire types are shared with the browser: they import nothing of the server'),
    layer('platform', 'platform', [], 'platform holds what every layer may use, and uses none of them'),
    layer('data', 'data', ['core', 'platform'], 'data (file formats, feeds) builds on core only'),
    layer('store', 'store', ['core', 'platform'], 'the store builds on core only'),
    layer('billing', 'billing', ['core', 'store'], 'billing is the group commit over the store'),
    layer(
      'service',
      'service',
      ['core', 'data', 'store', 'wire', 'platform'],
      'the application layer: no door (http, cli, pdb) and no process wiring',
    ),
    layer(
      'http',
      'http',
      ['core', 'data', 'store', 'service', 'wire', 'platform'],
      'http speaks HTTP to the application; it never reaches the CLI or the process wiring',
    ),
    layer('pdb', 'pdb', ['core', 'service', 'platform'], 'the pdb door speaks UDP to the application'),
    layer(
      'cli',
      'cli',
      ['core', 'data', 'store', 'service', 'server', 'platform'],
      'the CLI calls the application (and starts the server); it never imports http',
    ),
    layer(
      'server',
      'server',
      ['core', 'data', 'store', 'billing', 'service', 'http', 'pdb', 'wire', 'platform'],
      'the composition root wires every layer but the CLI and the browser',
    ),
    {
      name: 'console-imports-only-wire-types',
      comment: 'the web console runs in the browser: of the server it sees only the shared wire types',
      severity: 'error',
      from: { path: '^src/console/' },
      to: { path: SOURCE, pathNot: '^src/(console|wire)/' },
    },
    {
      name: 'no-circular',
      comment: 'a cycle of modules has no layer order; type-only imports do not count',
      severity: 'error',
      from: { path: SOURCE, pathNot: TESTS },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
