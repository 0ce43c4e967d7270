import { describe, expect, it } from 'vitest';
import { openvinoMissing, openvinoRequired } from './openvino-env.js';

describe('OpenVINO availability', () => {
  if (openvinoMissing === undefined) {
    it('OpenVINO was found, so the OpenVINO suites run for real', () => {
      expect(openvinoMissing).toBeUndefined();
    });
  } else if (openvinoRequired) {
    it('OVMS_REQUIRE_OPENVINO=1 but OpenVINO was not found', () => {
      expect.fail(openvinoMissing);
    });
  } else {
    it.skip(`NOT RUN — OpenVINO tests skipped: ${openvinoMissing}`, () => {});
  }
});
