import { locateOpenvinoLibDir } from '../src/locate.js';

/**
 * Where these tests find OpenVINO: the project's `.cache/python` wheel
 * (scripts/ensure-openvino.sh), OPENVINO_LIB_DIR or /opt/intel. Without it the suites register
 * one loudly named skipped test, unless OVMS_REQUIRE_OPENVINO=1 (CI) makes that a failure.
 */
const projectRoot = new URL('../../../', import.meta.url).pathname;
const location = locateOpenvinoLibDir({ env: process.env, cwd: projectRoot });

export const openvinoLibDir: string | undefined = location.found ? location.libDir : undefined;
export const openvinoRequired = process.env['OVMS_REQUIRE_OPENVINO'] === '1';
export const openvinoMissing: string | undefined = location.found ? undefined : location.message;
