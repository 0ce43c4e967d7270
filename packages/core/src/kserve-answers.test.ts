import { describe, expect, it } from 'vitest';
import { chooseVersionStatus, metadataVersions } from './kserve-answers.js';
import type { VersionStatus } from './servable.js';
import { StatusCode, type ServingError } from './status.js';

const status = (version: number, state: VersionStatus['state']): VersionStatus => ({
  version,
  state,
  errorCode: 0,
  errorMessage: 'OK',
});

const statuses = [status(1, 'AVAILABLE'), status(2, 'AVAILABLE'), status(3, 'LOADING')];

describe('chooseVersionStatus', () => {
  it('takes the named version whatever its state', () => {
    expect(chooseVersionStatus(statuses, 3).state).toBe('LOADING');
    expect(chooseVersionStatus(statuses, 1).version).toBe(1);
  });

  it('takes the highest AVAILABLE version when none is named', () => {
    expect(chooseVersionStatus(statuses, undefined).version).toBe(2);
  });

  it('is MODEL_VERSION_MISSING for a version the model lacks or no default', () => {
    for (const run of [
      () => chooseVersionStatus(statuses, 7),
      () => chooseVersionStatus([status(1, 'LOADING')], undefined),
    ]) {
      try {
        run();
        expect.unreachable();
      } catch (error) {
        expect((error as ServingError).code).toBe(StatusCode.MODEL_VERSION_MISSING);
      }
    }
  });
});

describe('metadataVersions', () => {
  it('lists the AVAILABLE versions and the one described, ascending', () => {
    expect(metadataVersions(statuses, 2)).toEqual(['1', '2']);
    expect(metadataVersions(statuses, 3)).toEqual(['1', '2', '3']);
    expect(metadataVersions([status(10, 'AVAILABLE'), status(9, 'END')], 9)).toEqual(['9', '10']);
  });
});
