/**
 * Layering and cycle rules for src/, checked by `npm test` (`npm run check:layers`).
 *
 * Layers import one way: each layer may import itself and the layers listed for it, nothing else in src/.
 * Type-only imports count for the layers (a type from a higher layer ties the lower one to it all the same),
 * but not for cycles: a runtime cycle changes what a module sees at load time, a type-only one does not.
 */

/** Layer → the other layers it may import. `version.ts` is a leaf every layer may use. */
const LAYERS = {
  protocol: [],
  connection: ['protocol'],
  server: ['protocol', 'connection', 'websocket'],
  handlers: ['protocol', 'connection', 'server', 'client'],
  client: ['protocol'],
  cluster: [],
  faces: ['protocol', 'connection', 'server', 'websocket'],
  websocket: ['protocol'],
};

/** The package's entry point and the command line sit on top: they may import anything, nothing imports them. */
const TOP = ['^src/index\\.ts$', '^src/cli/'];

/** A layer may import itself, the layers listed for it and version.ts; nothing else in src/. */
function layerRule(layer, allowed) {
  return {
    name: `layer-${layer}`,
    comment: `src/${layer} imports only ${[layer, ...allowed].join(', ')} (and version.ts)`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: '^src/', pathNot: [`^src/(${[layer, ...allowed].join('|')})/`, '^src/version\\.ts$'] },
  };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-runtime-cycle',
      comment: 'a cycle of runtime imports (type-only imports do not count)',
      severity: 'error',
      from: { path: '^src/' },
      to: {
        circular: true,
        dependencyTypesNot: ['type-only'],
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
    {
      name: 'version-is-a-leaf',
      comment: 'src/version.ts imports nothing else in src/',
      severity: 'error',
      from: { path: '^src/version\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'every-file-in-a-layer',
      comment:
        'a file of src/ outside the layers above is given a place in LAYERS (or TOP) before it imports',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: [...TOP, '^src/version\\.ts$', `^src/(${Object.keys(LAYERS).join('|')})/`],
      },
      to: { path: '^src/' },
    },
    ...Object.entries(LAYERS).map(([layer, allowed]) => layerRule(layer, allowed)),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
