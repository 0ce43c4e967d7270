import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateOpenvinoLibDir } from '../src/index.js';
import { openvinoLibDir } from './openvino-env.js';

describe('locateOpenvinoLibDir', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ov-locate-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('says where it looked when OpenVINO is nowhere', () => {
    const location = locateOpenvinoLibDir({
      env: { OPENVINO_LIB_DIR: '/nope/lib', PATH: process.env['PATH'] },
      cwd: root,
      optIntelDir: join(root, 'opt-intel'),
      python: join(root, 'no-python'),
    });
    expect(location.found).toBe(false);
    if (location.found) return;
    expect(location.message).toBe(
      'OpenVINO not found: no libopenvino_c.so in /nope/lib (OPENVINO_LIB_DIR); ' +
        `python openvino package (${join(root, 'no-python')} could not be run: spawnSync ${join(root, 'no-python')} ENOENT); ` +
        `${join(root, 'opt-intel', 'openvino*')}/runtime/lib/intel64. ` +
        'Run `bash scripts/ensure-openvino.sh` or set OPENVINO_LIB_DIR.',
    );
  });

  it('reports a python without the openvino package', async () => {
    // A stand-in interpreter that answers like python3 where find_spec finds nothing.
    const python = join(root, 'python-without-openvino');
    await writeFile(python, '#!/bin/sh\necho\n', { mode: 0o755 });
    const location = locateOpenvinoLibDir({
      env: { PATH: process.env['PATH'] },
      cwd: root,
      optIntelDir: join(root, 'opt-intel'),
      python,
    });
    expect(location.found ? '' : location.searched[0]).toBe(
      `python openvino package (${python} has no openvino package)`,
    );
  });

  it('finds an /opt/intel/openvino* install, newest name first', async () => {
    const optIntel = join(root, 'opt');
    for (const version of ['openvino_2025.1', 'openvino_2026.4']) {
      const lib = join(optIntel, version, 'runtime', 'lib', 'intel64');
      await mkdir(lib, { recursive: true });
      await writeFile(join(lib, 'libopenvino_c.so'), '');
    }
    const location = locateOpenvinoLibDir({
      env: {},
      cwd: root,
      optIntelDir: optIntel,
      python: join(root, 'no-python'),
    });
    expect(location).toEqual({
      found: true,
      libDir: join(optIntel, 'openvino_2026.4', 'runtime', 'lib', 'intel64'),
      source: optIntel,
    });
  });

  it.runIf(openvinoLibDir !== undefined)(
    'prefers OPENVINO_LIB_DIR, then the wheel in .cache/python',
    () => {
      const libDir = openvinoLibDir ?? '';
      expect(locateOpenvinoLibDir({ env: { OPENVINO_LIB_DIR: libDir }, cwd: root })).toEqual({
        found: true,
        libDir,
        source: 'OPENVINO_LIB_DIR',
      });
      const projectRoot = new URL('../../../', import.meta.url).pathname;
      const fromWheel = locateOpenvinoLibDir({
        env: { PATH: process.env['PATH'] },
        cwd: projectRoot,
      });
      expect(fromWheel.found && fromWheel.source).toBe('python openvino package');
    },
  );
});
