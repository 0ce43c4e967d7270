import { describe, expect, it } from 'vitest';
import { parseServerArgs } from './cli-args.js';
import { FLAGS } from './cli-flags.js';
import { DEFAULT_LIMITS } from './limit-settings.js';
import { ANONYMOUS_INPUT_NAME } from '@ovms/core';
import type { ServerOptions } from './server-options.js';

const single = ['--model_name', 'resnet', '--model_path', '/models/resnet', '--port', '9000'];

function serve(argv: string[], cwd?: string): ServerOptions {
  const command = parseServerArgs(argv, cwd === undefined ? {} : { cwd });
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${command.kind}`);
  return command.options;
}

describe('parseServerArgs: results', () => {
  it('fills OVMS defaults for server settings', () => {
    expect(serve(['--config_path', '/c/config.json', '--port', '9000']).settings).toEqual({
      port: 9000,
      restPort: 0,
      grpcBindAddress: '0.0.0.0',
      restBindAddress: '0.0.0.0',
      grpcWorkers: 1,
      grpcChannelArguments: {},
      logLevel: 'INFO',
      fileSystemPollWaitSeconds: 1,
      sequenceCleanerPollWaitMinutes: 5,
      customNodeResourcesCleanerIntervalSeconds: 300,
      metricsEnable: false,
      allowedOrigins: ['*'],
      allowedMethods: ['*'],
      allowedHeaders: ['*'],
      allowCredentials: false,
      plugins: [],
      limits: DEFAULT_LIMITS,
    });
  });

  it('reads every server flag in both --flag value and --flag=value forms', () => {
    const { settings, models } = serve([
      '--config_path=/c',
      '--port=9000',
      '--rest_port',
      '8000',
      '--grpc_bind_address=127.0.0.1',
      '--rest_bind_address',
      '::',
      '--grpc_workers=2',
      '--grpc_max_threads=8',
      '--grpc_memory_quota=1073741824',
      '--grpc_channel_arguments=grpc.max_connection_age_ms=2000, grpc.x=y',
      '--rest_workers=4',
      '--log_level=DEBUG',
      '--log_path=/var/log/ovms.log',
      '--file_system_poll_wait_seconds=0',
      '--sequence_cleaner_poll_wait_minutes=2',
      '--custom_node_resources_cleaner_interval_seconds=10',
      '--cache_dir=/opt/cache',
      '--cpu_extension=/lib/ext.so',
      '--metrics_enable',
      '--metrics_list=ovms_requests_success, ovms_requests_fail',
      '--allowed_origins=https://a.com,https://b.com',
      '--allowed_methods=GET,POST',
      '--allowed_headers=Content-Type',
      '--allow_credentials=true',
      '--plugins=/p/a.mjs, /p/b.mjs',
    ]);
    expect(models).toEqual({ kind: 'config-file', configPath: '/c' });
    expect(settings).toEqual({
      port: 9000,
      restPort: 8000,
      grpcBindAddress: '127.0.0.1',
      restBindAddress: '::',
      grpcWorkers: 2,
      grpcMaxThreads: 8,
      grpcMemoryQuota: 1073741824,
      grpcChannelArguments: { 'grpc.max_connection_age_ms': '2000', 'grpc.x': 'y' },
      restWorkers: 4,
      logLevel: 'DEBUG',
      logPath: '/var/log/ovms.log',
      fileSystemPollWaitSeconds: 0,
      sequenceCleanerPollWaitMinutes: 2,
      customNodeResourcesCleanerIntervalSeconds: 10,
      cacheDir: '/opt/cache',
      cpuExtension: '/lib/ext.so',
      metricsEnable: true,
      metricsList: ['ovms_requests_success', 'ovms_requests_fail'],
      allowedOrigins: ['https://a.com', 'https://b.com'],
      allowedMethods: ['GET', 'POST'],
      allowedHeaders: ['Content-Type'],
      allowCredentials: true,
      plugins: ['/p/a.mjs', '/p/b.mjs'],
      limits: DEFAULT_LIMITS,
    });
  });

  it('builds the same ModelConfig as config.json from single-model flags', () => {
    const { models } = serve([
      ...single,
      '--batch_size',
      '4',
      '--shape',
      '{"in1": "(1,3,224,224)", "in2": "auto"}',
      '--layout=nhwc:nchw',
      '--model_version_policy',
      '{"specific": {"versions": [2, 1]}}',
      '--nireq=3',
      '--target_device=GPU',
      '--plugin_config={"PERFORMANCE_HINT":"LATENCY"}',
      '--stateful',
      '--low_latency_transformation=true',
      '--idle_sequence_cleanup',
      'false',
      '--max_sequence_number=50',
    ]);
    expect(models).toEqual({
      kind: 'single-model',
      config: {
        models: [
          {
            name: 'resnet',
            basePath: '/models/resnet',
            batchSize: 4,
            shape: { in1: [1, 3, 224, 224], in2: 'auto' },
            layout: { [ANONYMOUS_INPUT_NAME]: 'NHWC:NCHW' },
            versionPolicy: { kind: 'specific', versions: [1, 2] },
            nireq: 3,
            targetDevice: 'GPU',
            pluginConfig: { PERFORMANCE_HINT: 'LATENCY' },
            stateful: true,
            lowLatencyTransformation: true,
            idleSequenceCleanup: false,
            maxSequenceNumber: 50,
          },
        ],
        pipelines: [],
        customNodeLibraries: [],
      },
    });
  });

  it('fills model defaults (latest 1, CPU) and resolves relative paths against cwd when given', () => {
    const relative = ['--model_name', 'm', '--model_path', 'models/m', '--rest_port', '8000'];
    const withCwd = serve(relative, '/srv').models;
    expect(withCwd.kind === 'single-model' && withCwd.config.models[0]).toMatchObject({
      basePath: '/srv/models/m',
      versionPolicy: { kind: 'latest', numVersions: 1 },
      targetDevice: 'CPU',
      nireq: 0,
    });
    const kept = serve(relative).models;
    expect(kept.kind === 'single-model' && kept.config.models[0]?.basePath).toBe('models/m');
    expect(serve(['--config_path', 'conf', '--port', '1'], '/srv').models).toEqual({
      kind: 'config-file',
      configPath: '/srv/conf',
    });
    expect(serve([...relative, '--plugins', 'a.mjs,/abs/b.mjs'], '/srv').settings.plugins).toEqual([
      '/srv/a.mjs',
      '/abs/b.mjs',
    ]);
    expect(serve([...relative, '--plugins', 'a.mjs']).settings.plugins).toEqual(['a.mjs']);
    const cloud = serve(['--model_name', 'm', '--model_path', 's3://b/m', '--port', '1'], '/srv');
    expect(cloud.models.kind === 'single-model' && cloud.models.config.models[0]?.basePath).toBe(
      's3://b/m',
    );
  });

  it('answers help for --help, -h and no arguments, and version for --version', () => {
    for (const argv of [['--help'], ['-h'], [], ['--port', '1', '--help']]) {
      const command = parseServerArgs(argv);
      expect(command.kind).toBe('help');
      if (command.kind === 'help')
        for (const flag of FLAGS) expect(command.text).toContain(`--${flag.name}`);
    }
    expect(parseServerArgs(['--version', '--help'])).toEqual({ kind: 'version' });
    expect(parseServerArgs(['--help'], { program: 'ovms-ts' })).toMatchObject({
      text: expect.stringContaining('ovms-ts --config_path') as unknown,
    });
  });

  it('takes the last value of a repeated flag, as cxxopts', () => {
    expect(serve([...single, '--port', '9001']).settings.port).toBe(9001);
  });
});
