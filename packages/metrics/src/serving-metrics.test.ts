import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '@ovms/core';
import { MetricsListError } from './metric-families.js';
import { createServingMetrics, type ModelUsage } from './serving-metrics.js';

/** `# TYPE` lines of a scrape, as name → type. */
function familiesOf(text: string): Record<string, string> {
  const types: Record<string, string> = {};
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types[match[1]!] = match[2]!;
  return types;
}

/** The sample lines of one family (histograms: its _bucket/_sum/_count lines). */
function samplesOf(text: string, family: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${family}{`) || line.startsWith(`${family}_`));
}

/**
 * Samples with a non-zero value: recording a version seeds all its series at zero (as OVMS
 * creates them when a version loads), so counts are checked on the samples that moved.
 */
function nonZero(lines: readonly string[]): string[] {
  return lines.filter((line) => !line.endsWith(' 0')).sort();
}

function request(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    api: 'KServe',
    interface: 'gRPC',
    method: 'ModelInfer',
    name: 'm',
    version: 1,
    ok: true,
    durationUs: 250,
    ...overrides,
  };
}

describe('createServingMetrics', () => {
  it('exports the default families with the OVMS help texts and types', async () => {
    const text = await createServingMetrics().text();
    expect(familiesOf(text)).toEqual({
      ovms_requests_success: 'counter',
      ovms_requests_fail: 'counter',
      ovms_request_time_us: 'histogram',
      ovms_inference_time_us: 'histogram',
      ovms_wait_for_infer_req_time_us: 'histogram',
      ovms_current_requests: 'gauge',
      ovms_streams: 'gauge',
      ovms_batch_size: 'histogram',
      ovms_batch_queue_delay_us: 'histogram',
      ovms_time_to_first_token_us: 'histogram',
      ovms_time_per_output_token_us: 'histogram',
      ovms_prompt_tokens: 'counter',
      ovms_generated_tokens: 'counter',
      ovms_kv_cache_usage_percent: 'gauge',
    });
    expect(text).toContain(
      '# HELP ovms_requests_success Number of successful requests to a model or a DAG.',
    );
    expect(text).toContain(
      '# HELP ovms_wait_for_infer_req_time_us Request waiting time in the scheduling queue.',
    );
  });

  it('counts requests by api, interface, method, name and version', async () => {
    const metrics = createServingMetrics();
    metrics.requestStarted();
    metrics.requestDone(request());
    metrics.requestDone(request());
    metrics.requestDone(request({ ok: false }));
    metrics.requestDone(
      request({ api: 'TensorFlowServing', interface: 'REST', method: 'Predict', version: 2 }),
    );
    metrics.requestDone(
      request({ api: 'TensorFlowServing', method: 'GetModelStatus', version: undefined }),
    );
    const text = await metrics.text();
    expect(nonZero(samplesOf(text, 'ovms_requests_success'))).toEqual(
      [
        'ovms_requests_success{api="KServe",interface="gRPC",method="ModelInfer",name="m",version="1"} 2',
        'ovms_requests_success{api="TensorFlowServing",interface="REST",method="Predict",name="m",version="2"} 1',
        'ovms_requests_success{api="TensorFlowServing",interface="gRPC",method="GetModelStatus",name="m"} 1',
      ].sort(),
    );
    expect(nonZero(samplesOf(text, 'ovms_requests_fail'))).toEqual([
      'ovms_requests_fail{api="KServe",interface="gRPC",method="ModelInfer",name="m",version="1"} 1',
    ]);
  });

  it('times successful inference requests only, in the OVMS buckets', async () => {
    const metrics = createServingMetrics();
    metrics.requestDone(request({ durationUs: 12 }));
    metrics.requestDone(request({ durationUs: 100 }));
    metrics.requestDone(request({ ok: false, durationUs: 5 }));
    metrics.requestDone(request({ method: 'ModelMetadata', durationUs: 5 }));
    const lines = samplesOf(await metrics.text(), 'ovms_request_time_us');
    const labels = 'interface="gRPC",name="m",version="1"';
    expect(lines).toContain(`ovms_request_time_us_bucket{le="10",${labels}} 0`);
    expect(lines).toContain(`ovms_request_time_us_bucket{le="18",${labels}} 1`);
    expect(lines).toContain(`ovms_request_time_us_bucket{le="104",${labels}} 2`);
    expect(lines).toContain(`ovms_request_time_us_bucket{le="1474755971",${labels}} 2`);
    expect(lines).toContain(`ovms_request_time_us_bucket{le="+Inf",${labels}} 2`);
    expect(lines).toContain(`ovms_request_time_us_sum{${labels}} 112`);
    expect(lines).toContain(`ovms_request_time_us_count{${labels}} 2`);
    expect(
      lines.filter((l) => l.startsWith('ovms_request_time_us_bucket') && l.includes(labels)),
    ).toHaveLength(34);
  });

  it('records inference and wait times by name and version', async () => {
    const metrics = createServingMetrics();
    metrics.inferenceDone({ name: 'm', version: 3, inferenceUs: 40, waitUs: 7 });
    const text = await metrics.text();
    expect(samplesOf(text, 'ovms_inference_time_us')).toContain(
      'ovms_inference_time_us_count{name="m",version="3"} 1',
    );
    expect(samplesOf(text, 'ovms_inference_time_us')).toContain(
      'ovms_inference_time_us_sum{name="m",version="3"} 40',
    );
    expect(samplesOf(text, 'ovms_wait_for_infer_req_time_us')).toContain(
      'ovms_wait_for_infer_req_time_us_bucket{le="10",name="m",version="3"} 1',
    );
  });

  it('registers only the listed families', async () => {
    const metrics = createServingMetrics({
      enabledMetrics: ['ovms_requests_fail', 'ovms_infer_req_active'],
      usageSource: () => [{ name: 'm', version: 1, active: 2, queued: 1, streams: 4 }],
    });
    metrics.requestDone(request());
    metrics.requestDone(request({ ok: false }));
    metrics.inferenceDone({ name: 'm', version: 1, inferenceUs: 40, waitUs: 7 });
    const text = await metrics.text();
    expect(familiesOf(text)).toEqual({
      ovms_requests_fail: 'counter',
      ovms_infer_req_active: 'gauge',
    });
    expect(samplesOf(text, 'ovms_infer_req_active')).toEqual([
      'ovms_infer_req_active{name="m",version="1"} 2',
    ]);
  });

  it('exports nothing for an empty list or MediaPipe-only names', async () => {
    for (const enabledMetrics of [[], ['ovms_current_graphs', 'ovms_responses']]) {
      const metrics = createServingMetrics({ enabledMetrics });
      metrics.requestDone(request());
      expect((await metrics.text()).trim()).toBe('');
    }
  });

  it('rejects an unknown metric name at creation', () => {
    expect(() => createServingMetrics({ enabledMetrics: ['ovms_requests'] })).toThrow(
      MetricsListError,
    );
    expect(() => createServingMetrics({ enabledMetrics: ['ovms_requests'] })).toThrow(
      /^Invalid name in metrics_list - "ovms_requests" is not a metric family; supported: ovms_requests_success, /,
    );
  });

  it('reads the gauges from usageSource at each scrape', async () => {
    let usage: ModelUsage[] = [
      { name: 'a', version: 1, active: 1, queued: 3, streams: 2, nireq: 4 },
      { name: 'b', version: 2, active: 0, queued: 0 },
    ];
    let calls = 0;
    const metrics = createServingMetrics({
      enabledMetrics: [
        'ovms_current_requests',
        'ovms_infer_req_queue_size',
        'ovms_infer_req_active',
        'ovms_streams',
      ],
      usageSource: () => {
        calls += 1;
        return usage;
      },
    });
    expect(calls).toBe(0);
    let text = await metrics.text();
    expect(calls).toBe(1);
    expect(samplesOf(text, 'ovms_current_requests')).toEqual([
      'ovms_current_requests{name="a",version="1"} 4',
      'ovms_current_requests{name="b",version="2"} 0',
    ]);
    expect(samplesOf(text, 'ovms_infer_req_active')).toEqual([
      'ovms_infer_req_active{name="a",version="1"} 1',
      'ovms_infer_req_active{name="b",version="2"} 0',
    ]);
    // Without nireq / streams a version has no series, rather than a made-up 0.
    expect(samplesOf(text, 'ovms_infer_req_queue_size')).toEqual([
      'ovms_infer_req_queue_size{name="a",version="1"} 4',
    ]);
    expect(samplesOf(text, 'ovms_streams')).toEqual(['ovms_streams{name="a",version="1"} 2']);

    usage = [{ name: 'a', version: 1, active: 4, queued: 0, streams: 2, nireq: 4 }];
    text = await metrics.text();
    expect(samplesOf(text, 'ovms_current_requests')).toEqual([
      'ovms_current_requests{name="a",version="1"} 4',
    ]);
    expect(samplesOf(text, 'ovms_infer_req_active')).toEqual([
      'ovms_infer_req_active{name="a",version="1"} 4',
    ]);
  });

  it('creates zero series for each loaded version, as OVMS does at load', async () => {
    const metrics = createServingMetrics({
      usageSource: () => [{ name: 'm', version: 1, active: 0, queued: 0 }],
    });
    const text = await metrics.text();
    const success = samplesOf(text, 'ovms_requests_success');
    expect(success).toHaveLength(12);
    expect(success.every((line) => line.endsWith(' 0'))).toBe(true);
    expect(success).toContain(
      'ovms_requests_success{api="KServe",interface="REST",method="ModelReady",name="m"} 0',
    );
    expect(success).toContain(
      'ovms_requests_success{api="TensorFlowServing",interface="gRPC",method="Predict",name="m",version="1"} 0',
    );
    expect(samplesOf(text, 'ovms_requests_fail')).toHaveLength(12);
    expect(samplesOf(text, 'ovms_request_time_us')).toContain(
      'ovms_request_time_us_count{interface="REST",name="m",version="1"} 0',
    );
    expect(samplesOf(text, 'ovms_inference_time_us')).toContain(
      'ovms_inference_time_us_count{name="m",version="1"} 0',
    );
    // Seeding must not reset what was counted before a later scrape.
    metrics.requestDone(request());
    expect(await metrics.text()).toContain(
      'ovms_requests_success{api="KServe",interface="gRPC",method="ModelInfer",name="m",version="1"} 1',
    );
  });

  it('keeps instances apart', async () => {
    const first = createServingMetrics();
    const second = createServingMetrics();
    first.requestDone(request());
    expect(nonZero(samplesOf(await first.text(), 'ovms_requests_success'))).toHaveLength(1);
    expect(samplesOf(await second.text(), 'ovms_requests_success')).toEqual([]);
  });

  it('serves the Prometheus text content type', () => {
    expect(createServingMetrics().contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('observes each dynamic batch: its size once, each member queue delay', async () => {
    const metrics = createServingMetrics();
    metrics.batchDone({ name: 'm', version: 2, size: 5, queueDelaysUs: [40, 900] });
    metrics.batchDone({ name: 'm', version: 2, size: 1, queueDelaysUs: [15] });
    const text = await metrics.text();
    const labels = 'name="m",version="2"';
    expect(samplesOf(text, 'ovms_batch_size')).toEqual(
      expect.arrayContaining([
        `ovms_batch_size_bucket{le="1",${labels}} 1`,
        `ovms_batch_size_bucket{le="4",${labels}} 1`,
        `ovms_batch_size_bucket{le="8",${labels}} 2`,
        `ovms_batch_size_sum{${labels}} 6`,
        `ovms_batch_size_count{${labels}} 2`,
      ]),
    );
    expect(samplesOf(text, 'ovms_batch_queue_delay_us')).toEqual(
      expect.arrayContaining([
        `ovms_batch_queue_delay_us_bucket{le="18",${labels}} 1`,
        `ovms_batch_queue_delay_us_bucket{le="58",${labels}} 2`,
        `ovms_batch_queue_delay_us_sum{${labels}} 955`,
        `ovms_batch_queue_delay_us_count{${labels}} 3`,
      ]),
    );
  });

  it('leaves the batch families out of metrics_list unless named', async () => {
    const metrics = createServingMetrics({ enabledMetrics: ['ovms_requests_success'] });
    metrics.batchDone({ name: 'm', version: 1, size: 3, queueDelaysUs: [1] });
    expect(Object.keys(familiesOf(await metrics.text()))).toEqual(['ovms_requests_success']);
  });
});

describe('text generation families', () => {
  it('counts tokens, times the first token and the later ones per token', async () => {
    const metrics = createServingMetrics({
      usageSource: () => [{ name: 'chat', version: 1, active: 2, queued: 0, kvCacheUsage: 12.5 }],
    });
    metrics.generationDone({
      name: 'chat',
      version: 1,
      ok: true,
      promptTokens: 30,
      completionTokens: 11,
      firstTokenUs: 1000,
      durationUs: 6000,
    });
    metrics.generationDone({
      name: 'chat',
      version: 1,
      ok: false,
      promptTokens: 5,
      completionTokens: 0,
      durationUs: 10,
    });
    const text = await metrics.text();
    const labels = '{name="chat",version="1"}';
    expect(text).toContain(`ovms_prompt_tokens${labels} 35`);
    expect(text).toContain(`ovms_generated_tokens${labels} 11`);
    expect(text).toContain(`ovms_time_to_first_token_us_sum${labels} 1000`);
    expect(text).toContain(`ovms_time_to_first_token_us_count${labels} 1`);
    // (6000 - 1000) µs over the 10 tokens after the first
    expect(text).toContain(`ovms_time_per_output_token_us_sum${labels} 500`);
    expect(text).toContain(`ovms_kv_cache_usage_percent${labels} 12.5`);
    expect(text).toContain(`ovms_current_requests${labels} 2`);
  });
});
