import { describe, expect, it } from 'vitest';
import {
  DEFAULT_METRIC_FAMILIES,
  MetricsListError,
  TIME_BUCKETS_US,
  resolveMetricFamilies,
} from './metric-families.js';

const SUPPORTED =
  'ovms_requests_success, ovms_requests_fail, ovms_request_time_us, ovms_inference_time_us, ' +
  'ovms_wait_for_infer_req_time_us, ovms_current_requests, ovms_infer_req_queue_size, ' +
  'ovms_infer_req_active, ovms_streams, ovms_batch_size, ovms_batch_queue_delay_us, ovms_time_to_first_token_us, ' +
  'ovms_time_per_output_token_us, ovms_prompt_tokens, ovms_generated_tokens, ' +
  'ovms_kv_cache_usage_percent, ovms_current_graphs, ovms_requests_accepted, ' +
  'ovms_requests_rejected, ovms_responses, ovms_graph_error, ovms_graph_processing_time_us';

describe('TIME_BUCKETS_US', () => {
  it('has the 33 OVMS bounds floor(10 * 1.8^i)', () => {
    expect(TIME_BUCKETS_US).toHaveLength(33);
    expect(TIME_BUCKETS_US.slice(0, 10)).toEqual([10, 18, 32, 58, 104, 188, 340, 612, 1101, 1983]);
    expect(TIME_BUCKETS_US.at(-1)).toBe(1474755971);
    expect(TIME_BUCKETS_US).toEqual(TIME_BUCKETS_US.map((_, i) => Math.floor(10 * 1.8 ** i)));
  });
});

describe('resolveMetricFamilies', () => {
  it('enables the OVMS default set (and the text-generation additions) when no list is given', () => {
    expect([...resolveMetricFamilies(undefined)].sort()).toEqual([
      'ovms_batch_queue_delay_us',
      'ovms_batch_size',
      'ovms_current_requests',
      'ovms_generated_tokens',
      'ovms_inference_time_us',
      'ovms_kv_cache_usage_percent',
      'ovms_prompt_tokens',
      'ovms_request_time_us',
      'ovms_requests_fail',
      'ovms_requests_success',
      'ovms_streams',
      'ovms_time_per_output_token_us',
      'ovms_time_to_first_token_us',
      'ovms_wait_for_infer_req_time_us',
    ]);
    expect(DEFAULT_METRIC_FAMILIES).not.toContain('ovms_infer_req_queue_size');
    expect(DEFAULT_METRIC_FAMILIES).not.toContain('ovms_infer_req_active');
  });

  it('enables exactly the listed families, additional ones included', () => {
    const list = ['ovms_requests_success', 'ovms_infer_req_queue_size', 'ovms_requests_success'];
    expect([...resolveMetricFamilies(list)]).toEqual([
      'ovms_requests_success',
      'ovms_infer_req_queue_size',
    ]);
  });

  it('enables none for an empty list', () => {
    expect(resolveMetricFamilies([]).size).toBe(0);
  });

  it('accepts MediaPipe family names and produces nothing for them', () => {
    expect([...resolveMetricFamilies(['ovms_current_graphs', 'ovms_streams'])]).toEqual([
      'ovms_streams',
    ]);
  });

  it('rejects an unknown name with the OVMS wording and the supported names', () => {
    const attempt = () => resolveMetricFamilies(['ovms_streams', 'ovms_request_success']);
    expect(attempt).toThrow(MetricsListError);
    expect(attempt).toThrow(
      `Invalid name in metrics_list - "ovms_request_success" is not a metric family; ` +
        `supported: ${SUPPORTED}`,
    );
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({
        name: 'MetricsListError',
        invalidName: 'ovms_request_success',
      });
    }
  });

  it('does not trim or fold case: names must match exactly', () => {
    expect(() => resolveMetricFamilies([' ovms_streams'])).toThrow(MetricsListError);
    expect(() => resolveMetricFamilies(['OVMS_STREAMS'])).toThrow(MetricsListError);
  });
});
