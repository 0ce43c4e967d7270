import { describe, expect, it } from 'vitest';
import { parseServerArgs } from '@ovms/config';
import type { ServerConfig, ServerSettings } from '@ovms/config';
import { createMetrics, resolveMetricsSettings } from './metrics.js';

function settingsOf(args: readonly string[]): ServerSettings {
  const command = parseServerArgs(['--config_path', '/c.json', '--rest_port', '8000', ...args]);
  if (command.kind !== 'serve') throw new Error('expected serve');
  return command.options.settings;
}
const config = (metrics?: ServerConfig['monitoring']): ServerConfig => ({
  models: [],
  pipelines: [],
  customNodeLibraries: [],
  ...(metrics && { monitoring: metrics }),
});

describe('resolveMetricsSettings', () => {
  it('is off without flags or monitoring section', () => {
    expect(resolveMetricsSettings(settingsOf([]), config())).toEqual({ enable: false });
  });

  it('takes config.json monitoring.metrics when no flag is given', () => {
    const fromFile = config({ metrics: { enable: true, metricsList: ['ovms_streams'] } });
    expect(resolveMetricsSettings(settingsOf([]), fromFile)).toEqual({
      enable: true,
      metricsList: ['ovms_streams'],
    });
  });

  it('lets the flags override the file', () => {
    const fromFile = config({ metrics: { enable: false } });
    const flags = settingsOf(['--metrics_enable', '--metrics_list', 'ovms_requests_success']);
    expect(resolveMetricsSettings(flags, fromFile)).toEqual({
      enable: true,
      metricsList: ['ovms_requests_success'],
    });
  });
});

describe('createMetrics', () => {
  it('refuses metrics without a REST port and unknown family names', () => {
    expect(() => createMetrics({ settings: { enable: true }, restEnabled: false })).toThrow(
      'rest_port setting is missing, metrics are enabled on rest port',
    );
    expect(() =>
      createMetrics({ settings: { enable: true, metricsList: ['nope'] }, restEnabled: true }),
    ).toThrow(/^Invalid name in metrics_list - "nope"/);
  });

  it('renders only the enabled families', async () => {
    const metrics = createMetrics({
      settings: { enable: true, metricsList: ['ovms_requests_fail'] },
      restEnabled: true,
    });
    const text = (await metrics?.text()) ?? '';
    expect(text).toContain('# TYPE ovms_requests_fail counter');
    expect(text).not.toContain('ovms_requests_success');
  });
});
