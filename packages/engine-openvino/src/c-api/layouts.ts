import type { InputLayout } from '../binding.js';
import type { CApi, Out, Ptr } from './bindings.js';
import { check, taken } from './ports.js';

/**
 * Declares input layouts with OpenVINO pre/post-processing and returns the built model (the
 * old handle is freed). A tensor layout different from the model layout makes OpenVINO insert
 * the transpose, as OVMS does for `--layout NHWC:NCHW`.
 */
export function applyLayoutsC(
  api: CApi,
  model: Ptr,
  layouts: ReadonlyMap<string, InputLayout>,
): Ptr {
  if (layouts.size === 0) return model;
  const pppOut: Out<Ptr> = [null];
  check(api, api.pppCreate(model, pppOut), 'layout');
  const ppp = taken(pppOut, 'layout');
  try {
    for (const [name, layout] of layouts) declareInput(api, ppp, name, layout);
    const builtOut: Out<Ptr> = [null];
    check(api, api.pppBuild(ppp, builtOut), 'layout');
    const built = taken(builtOut, 'layout');
    if (built !== model) api.modelFree(model);
    return built;
  } finally {
    api.pppFree(ppp);
  }
}

function declareInput(api: CApi, ppp: Ptr, name: string, layout: InputLayout): void {
  const what = `layout of input ${name}`;
  const infoOut: Out<Ptr> = [null];
  check(api, api.pppInputInfoByName(ppp, name, infoOut), what);
  const info = taken(infoOut, what);
  try {
    withLayout(api, layout.model, what, (ovLayout) => {
      const modelInfoOut: Out<Ptr> = [null];
      check(api, api.pppInputModelInfo(info, modelInfoOut), what);
      const modelInfo = taken(modelInfoOut, what);
      try {
        check(api, api.pppInputModelSetLayout(modelInfo, ovLayout), what);
      } finally {
        api.pppInputModelInfoFree(modelInfo);
      }
    });
    if (layout.tensor === undefined) return;
    withLayout(api, layout.tensor, what, (ovLayout) => {
      const tensorInfoOut: Out<Ptr> = [null];
      check(api, api.pppInputTensorInfo(info, tensorInfoOut), what);
      const tensorInfo = taken(tensorInfoOut, what);
      try {
        check(api, api.pppInputTensorSetLayout(tensorInfo, ovLayout), what);
      } finally {
        api.pppInputTensorInfoFree(tensorInfo);
      }
    });
  } finally {
    api.pppInputInfoFree(info);
  }
}

function withLayout(api: CApi, text: string, what: string, use: (layout: Ptr) => void): void {
  const out: Out<Ptr> = [null];
  check(api, api.layoutCreate(text, out), `${what} "${text}"`);
  const layout = taken(out, what);
  try {
    use(layout);
  } finally {
    api.layoutFree(layout);
  }
}
