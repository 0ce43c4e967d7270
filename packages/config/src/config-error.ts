import { ServingError, StatusCode } from '@ovms/core';
import type { z } from 'zod';
import { formatJsonPath } from './json-path.js';
import { show } from './setting-result.js';

/** One problem in a config file, at a JSON path (`model_config_list[0].config.nireq`). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * JSON_INVALID with every issue found — OVMS answers a config that breaks its schema with the
 * same "The file is not valid json" as a syntax error (SPEC.md "Errors"); the detail lists the
 * issues (`path: message; …`) and `issues` keeps them apart for `/v1/config` status and logs.
 */
export class ConfigError extends ServingError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      StatusCode.JSON_INVALID,
      issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    );
    this.issues = issues;
  }
}

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  record: 'an object',
};

/** Turns zod issues into ConfigIssues worded for people editing config.json. */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const path = formatJsonPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          path: formatJsonPath([...issue.path, key]),
          message: 'unknown key',
        }));
      case 'invalid_type': {
        const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
        if (issue.input === undefined)
          return [{ path, message: `required key is missing (expected ${expected})` }];
        if (issue.expected === 'int')
          return [{ path, message: `expected an integer; got ${show(issue.input)}` }];
        return [{ path, message: `expected ${expected}; got ${show(issue.input)}` }];
      }
      case 'too_small':
        if (issue.origin === 'string') return [{ path, message: 'must not be empty' }];
        return [
          {
            path,
            message: `expected a value >= ${String(issue.minimum)}; got ${show(issue.input)}`,
          },
        ];
      case 'too_big':
        return [
          {
            path,
            message: `expected a value <= ${String(issue.maximum)}; got ${show(issue.input)}`,
          },
        ];
      case 'invalid_value':
        return [
          {
            path,
            message: `expected one of ${issue.values.map((v) => show(v)).join(', ')}; got ${show(issue.input)}`,
          },
        ];
      case 'custom':
      case 'invalid_element':
      case 'invalid_format':
      case 'invalid_key':
      case 'invalid_union':
      case 'not_multiple_of':
        return [{ path, message: issue.message }];
    }
  });
}
