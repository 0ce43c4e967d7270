// How this machine's CPUs idle, for the report: on a virtual machine every wake-up from idle
// can cost a trip through the hypervisor, and a request at 1 in flight wakes the server each
// time. Guest halt polling (the cpuidle haltpoll driver) spins up to guest_halt_poll_ns before
// halting, so a wake-up soon after finds the CPU running; see docs/deployment.md.
import { readFileSync } from 'node:fs';

const CPUIDLE = '/sys/devices/system/cpu/cpuidle';
const HALT_POLL_NS = '/sys/module/haltpoll/parameters/guest_halt_poll_ns';

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** One line: the cpuidle driver and governor and, with the haltpoll driver, its poll time. */
export function cpuIdleLine(): string {
  const driver = readTrimmed(`${CPUIDLE}/current_driver`) ?? 'unknown';
  const governor =
    readTrimmed(`${CPUIDLE}/current_governor`) ??
    readTrimmed(`${CPUIDLE}/current_governor_ro`) ??
    'unknown';
  const haltPollNs = readTrimmed(HALT_POLL_NS);
  const polling =
    haltPollNs === undefined
      ? ''
      : Number(haltPollNs) === 0
        ? ', guest halt polling off (guest_halt_poll_ns 0): every wake-up from idle exits a halt'
        : `, guest halt polling up to ${Number(haltPollNs) / 1000} µs (guest_halt_poll_ns)`;
  return `CPU idle: driver ${driver}, governor ${governor}${polling}`;
}
