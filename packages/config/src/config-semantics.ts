import type { ConfigIssue } from './config-error.js';
import type { ServerConfig } from './server-config.js';

/**
 * The meaning checks of a config that parsed: names are unique among models,
 * among pipelines and among custom node libraries, and no pipeline takes a model's name (OVMS
 * `PIPELINE_NAME_OCCUPIED`). OVMS only warns on duplicate model names and loads the first; we
 * refuse the file instead, so a reload never silently drops a model. One issue per failure.
 */
export function checkConfigSemantics(config: ServerConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const modelAt = (i: number) => `model_config_list[${i}].config`;

  const models = new Map<string, number>();
  config.models.forEach((model, i) => {
    const first = models.get(model.name);
    if (first === undefined) models.set(model.name, i);
    else
      issues.push({
        path: `${modelAt(i)}.name`,
        message: `Duplicated model names: "${model.name}" is already defined at ${modelAt(first)}`,
      });
  });

  const pipelines = new Map<string, number>();
  config.pipelines.forEach((pipeline, i) => {
    const path = `pipeline_config_list[${i}].name`;
    const first = pipelines.get(pipeline.name);
    if (first !== undefined)
      issues.push({
        path,
        message: `Duplicated pipeline names: "${pipeline.name}" is already defined at pipeline_config_list[${first}]`,
      });
    else pipelines.set(pipeline.name, i);
    const model = models.get(pipeline.name);
    if (model !== undefined)
      issues.push({
        path,
        message: `Pipeline name: "${pipeline.name}" is already occupied by model at ${modelAt(model)}`,
      });
  });

  const libraries = new Map<string, number>();
  config.customNodeLibraries.forEach((library, i) => {
    const path = `custom_node_library_config_list[${i}]`;
    const first = libraries.get(library.name);
    if (first !== undefined)
      issues.push({
        path: `${path}.name`,
        message: `Duplicated custom node library names: "${library.name}" is already defined at custom_node_library_config_list[${first}]`,
      });
    else libraries.set(library.name, i);
  });

  return issues;
}
