import { describe, expect, it } from 'vitest';
import { matchKServePath, matchTfsPath } from './paths.js';

describe('matchTfsPath', () => {
  it('splits the :predict suffix off names holding dots and dashes', () => {
    expect(matchTfsPath('/v1/models/resnet-50.int8:predict')).toEqual({
      action: 'predict',
      name: 'resnet-50.int8',
      version: undefined,
    });
    expect(matchTfsPath('/v1/models/m/versions/12:classify')).toEqual({
      action: 'classify',
      name: 'm',
      version: 12,
    });
    expect(matchTfsPath('/v1/models/m/labels/canary:regress')?.version).toBeUndefined();
  });

  it('tells status from metadata, treats version 0 as the default, decodes names', () => {
    expect(matchTfsPath('/v1/models/m/versions/0/metadata')).toEqual({
      action: 'metadata',
      name: 'm',
      version: undefined,
    });
    expect(matchTfsPath('/v1/models/my%20model')?.name).toBe('my model');
    expect(matchTfsPath('/v1/models')).toEqual({ action: 'status', name: '', version: undefined });
  });

  it('names nothing for other shapes, and refuses broken escapes and huge versions', () => {
    for (const path of ['/v1/models/m/', '/v1/models/m:explain', '/v1/models/a:b:predict']) {
      expect(matchTfsPath(path)).toBeUndefined();
    }
    expect(() => matchTfsPath('/v1/models/%E0%A4%A')).toThrow(/Invalid request URL/);
    expect(() => matchTfsPath('/v1/models/m/versions/123456789012345678901')).toThrow(
      /Model with requested version is not found/,
    );
  });
});

describe('matchKServePath', () => {
  it('matches metadata (with or without a trailing slash), ready and infer', () => {
    expect(matchKServePath('/v2/models/m.v2')).toEqual({
      action: 'metadata',
      name: 'm.v2',
      version: undefined,
    });
    expect(matchKServePath('/v2/models/m/')?.action).toBe('metadata');
    expect(matchKServePath('/v2/models/m/versions/3/ready')).toEqual({
      action: 'ready',
      name: 'm',
      version: 3,
    });
    expect(matchKServePath('/v2/models/m/infer')?.action).toBe('infer');
    expect(matchKServePath('/v2/models/m/versions/x/infer')).toBeUndefined();
    expect(matchKServePath('/v2/models/m/generate')).toBeUndefined();
  });
});
