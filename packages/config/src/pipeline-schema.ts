import { z } from 'zod';
import type {
  CustomNodeLibraryConfig,
  NodeInputConfig,
  PipelineConfig,
  PipelineNodeConfig,
  PipelineOutputConfig,
} from './server-config.js';

// Shapes follow OVMS's config schema (src/schema.cpp): pipelines are checked for shape here;
// their meaning (missing nodes, cycles, demultiply/gather pairing) belongs to @ovms/dag.

const sourceSchema = z.strictObject({ node_name: z.string(), data_item: z.string() });

/** `{ "alias": { "node_name": …, "data_item": … } }` with exactly one alias. */
const aliasedSourceSchema = z
  .record(z.string(), sourceSchema)
  .refine((entry) => Object.keys(entry).length === 1, {
    message: 'expected exactly one {"<alias>": {"node_name": …, "data_item": …}} entry',
  });

const outputAliasSchema = z.strictObject({ data_item: z.string(), alias: z.string() });

const demultiplyCountSchema = z.number().int().min(-1).max(10000);

const nodeSchema = z
  .strictObject({
    name: z.string(),
    type: z.enum(['DL model', 'custom']),
    model_name: z.string().optional(),
    version: z.number().int().min(1).optional(),
    library_name: z.string().optional(),
    params: z.record(z.string(), z.string()).optional(),
    inputs: z.array(aliasedSourceSchema),
    outputs: z.array(outputAliasSchema),
    demultiply_count: demultiplyCountSchema.optional(),
    gather_from_node: z.string().optional(),
  })
  .superRefine((node, ctx) => {
    // OVMS's schema: a DL model node names a model and no library; a custom node the reverse.
    const isModel = node.type === 'DL model';
    const required = isModel ? 'model_name' : 'library_name';
    const forbidden = isModel ? ['library_name', 'params'] : ['model_name', 'version'];
    if (node[required] === undefined)
      ctx.addIssue({
        code: 'custom',
        message: `required for a "${node.type}" node`,
        path: [required],
      });
    for (const key of forbidden)
      if (node[key as keyof typeof node] !== undefined)
        ctx.addIssue({
          code: 'custom',
          message: `not allowed on a "${node.type}" node`,
          path: [key],
        });
  });

export const pipelineSchema = z.strictObject({
  name: z.string().min(1),
  inputs: z.array(z.string()),
  nodes: z.array(nodeSchema),
  outputs: z.array(aliasedSourceSchema),
  demultiply_count: demultiplyCountSchema.optional(),
});

export const customNodeLibrarySchema = z.strictObject({
  name: z.string().min(1),
  base_path: z.string().min(1),
});

type RawPipeline = z.output<typeof pipelineSchema>;
type RawNode = z.output<typeof nodeSchema>;
type RawAliased = Record<string, { node_name: string; data_item: string }>;

function toSources(list: readonly RawAliased[]): NodeInputConfig[] {
  return list.flatMap((entry) =>
    Object.entries(entry).map(([alias, source]) => ({
      alias,
      nodeName: source.node_name,
      dataItem: source.data_item,
    })),
  );
}

function toNode(raw: RawNode): PipelineNodeConfig {
  const base = {
    name: raw.name,
    inputs: toSources(raw.inputs),
    outputs: raw.outputs.map((output) => ({ dataItem: output.data_item, alias: output.alias })),
    ...(raw.demultiply_count !== undefined && { demultiplyCount: raw.demultiply_count }),
    ...(raw.gather_from_node !== undefined && { gatherFromNode: raw.gather_from_node }),
  };
  // superRefine guarantees model_name / library_name for the node's type.
  if (raw.type === 'DL model')
    return {
      ...base,
      kind: 'model',
      modelName: raw.model_name ?? '',
      ...(raw.version !== undefined && { version: raw.version }),
    };
  return { ...base, kind: 'custom', libraryName: raw.library_name ?? '', params: raw.params ?? {} };
}

export function toPipelineConfig(raw: RawPipeline): PipelineConfig {
  const outputs: PipelineOutputConfig[] = toSources(raw.outputs).map((source) => ({
    name: source.alias,
    nodeName: source.nodeName,
    dataItem: source.dataItem,
  }));
  return {
    name: raw.name,
    inputs: raw.inputs,
    nodes: raw.nodes.map(toNode),
    outputs,
    ...(raw.demultiply_count !== undefined && { demultiplyCount: raw.demultiply_count }),
  };
}

export function toCustomNodeLibraryConfig(
  raw: z.output<typeof customNodeLibrarySchema>,
  resolvePath: (path: string) => string,
): CustomNodeLibraryConfig {
  return { name: raw.name, basePath: resolvePath(raw.base_path) };
}
