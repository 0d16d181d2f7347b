import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CRUISER = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

/**
 * Runs the project's layering check (the one `npm test` runs on src/) over a made-up src/ tree of `files`
 * (path → source); resolves with the exit status and the report.
 */
function check(files: Record<string, string>): Promise<{ code: number; report: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'basehttp-layers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext' } }));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [CRUISER, 'src', '--config', CONFIG], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : Number(err.code), report: stdout + stderr });
    });
  });
}

describe('the layering check', () => {
  it('passes imports that go down the layers, and a cycle through a type-only import', async () => {
    const r = await check({
      'src/protocol/reader.ts': 'export const READER = 1;\n',
      'src/connection/engine.ts':
        "import { READER } from '../protocol/reader.js';\nimport type { Sink } from './sink.js';\nexport const ENGINE = READER;\nexport type E = Sink;\n",
      'src/connection/sink.ts': "import { ENGINE } from './engine.js';\nexport type Sink = typeof ENGINE;\n",
      'src/cli/main.ts': "import { ENGINE } from '../connection/engine.js';\nconsole.log(ENGINE);\n",
    });
    assert.equal(r.code, 0, r.report);
  });

  it('fails on an import up the layers, a runtime cycle and a file outside the layers', async () => {
    const r = await check({
      'src/protocol/reader.ts':
        "import { SERVER } from '../server/server.js';\nexport const READER = SERVER;\n",
      'src/server/server.ts':
        "import { READER } from '../protocol/reader.js';\nexport const SERVER = typeof READER;\n",
      'src/client/pool.ts':
        "import type { SERVER } from '../server/server.js';\nexport type P = typeof SERVER;\n",
      'src/misc/stray.ts': "import { READER } from '../protocol/reader.js';\nexport const STRAY = READER;\n",
    });
    assert.notEqual(r.code, 0);
    assert.match(r.report, /error layer-protocol: src\/protocol\/reader\.ts → src\/server\/server\.ts/);
    assert.match(r.report, /error layer-client: src\/client\/pool\.ts → src\/server\/server\.ts/);
    assert.match(r.report, /error no-runtime-cycle: src\/protocol\/reader\.ts/);
    assert.match(r.report, /error every-file-in-a-layer: src\/misc\/stray\.ts/);
  });
});
