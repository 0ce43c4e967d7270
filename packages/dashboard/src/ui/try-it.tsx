import { useEffect, useState } from 'preact/hooks';
import { request, requestJson } from './api-client.js';
import { imageRequest, jsonTemplate, parseInferResponse, takesImage } from './infer-request.js';
import type { EncodedRequest, InferOutput, ModelMetadata } from './infer-request.js';
import type { ServableRow } from './server-state.js';

export interface TryItProps {
  readonly rows: readonly ServableRow[];
}

type Mode = 'json' | 'image';

function OutputView({ output }: { output: InferOutput }) {
  const data = output.data ?? [];
  return (
    <div class="output" data-output={output.name}>
      <div class="output-head">
        <strong>{output.name}</strong> {output.datatype} [{output.shape.join(', ')}]
      </div>
      {output.datatype === 'BYTES' ? (
        <pre data-testid="output-text">{data.map(String).join('\n')}</pre>
      ) : (
        <pre>{JSON.stringify(data.length > 256 ? [...data.slice(0, 256), '…'] : data)}</pre>
      )}
    </div>
  );
}

async function send(model: string, encoded: EncodedRequest): Promise<InferOutput[]> {
  const response = await request(`/v2/models/${encodeURIComponent(model)}/infer`, {
    method: 'POST',
    headers: encoded.headers,
    body: encoded.body,
  });
  const header = response.headers.get('inference-header-content-length');
  return parseInferResponse(
    new Uint8Array(await response.arrayBuffer()),
    header === null ? undefined : Number(header),
  );
}

/**
 * A form to call any available model or pipeline through KServe REST infer: a JSON body
 * (prefilled from the model's metadata), or an image file for an input that takes images,
 * sent as BYTES with the binary data extension. The answer is shown, BYTES outputs as text.
 */
export function TryIt({ rows }: TryItProps) {
  const available = rows.filter((row) =>
    row.versions.some((version) => version.state === 'AVAILABLE'),
  );
  const [model, setModel] = useState('');
  const [metadata, setMetadata] = useState<ModelMetadata>();
  const [mode, setMode] = useState<Mode>('json');
  const [body, setBody] = useState('');
  const [file, setFile] = useState<File>();
  const [preview, setPreview] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [outputs, setOutputs] = useState<InferOutput[]>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    setMetadata(undefined);
    setOutputs(undefined);
    setError(undefined);
    if (model === '') return;
    let current = true;
    requestJson<ModelMetadata>(`/v2/models/${encodeURIComponent(model)}`)
      .then((found) => {
        if (!current) return;
        setMetadata(found);
        setBody(jsonTemplate(found));
        setMode(found.inputs.some(takesImage) ? 'image' : 'json');
      })
      .catch((thrown: unknown) => current && setError((thrown as Error).message));
    return () => {
      current = false;
    };
  }, [model]);

  useEffect(() => {
    if (file === undefined) return undefined;
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const imageInput = metadata?.inputs.find(takesImage);

  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setOutputs(undefined);
    try {
      let encoded: EncodedRequest;
      if (mode === 'image') {
        if (file === undefined || imageInput === undefined)
          throw new Error('choose an image file first');
        encoded = imageRequest(imageInput.name, new Uint8Array(await file.arrayBuffer()));
      } else {
        JSON.parse(body);
        encoded = {
          body: new TextEncoder().encode(body),
          headers: { 'content-type': 'application/json' },
        };
      }
      setOutputs(await send(model, encoded));
    } catch (thrown) {
      setError((thrown as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h2>Try it</h2>
      <form
        class="try-it"
        data-testid="try-it"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label>
          Model or pipeline{' '}
          <select
            name="model"
            value={model}
            onChange={(event) => setModel(event.currentTarget.value)}
          >
            <option value="">choose…</option>
            {available.map((row) => (
              <option key={row.name} value={row.name}>
                {row.name}
              </option>
            ))}
          </select>
        </label>
        {metadata !== undefined && (
          <>
            <p class="muted">
              inputs:{' '}
              {metadata.inputs
                .map((input) => `${input.name} ${input.datatype} [${input.shape.join(',')}]`)
                .join('; ')}
            </p>
            {imageInput !== undefined && (
              <fieldset class="modes">
                <label>
                  <input
                    type="radio"
                    name="mode"
                    value="image"
                    checked={mode === 'image'}
                    onChange={() => setMode('image')}
                  />{' '}
                  image file → {imageInput.name}
                </label>
                <label>
                  <input
                    type="radio"
                    name="mode"
                    value="json"
                    checked={mode === 'json'}
                    onChange={() => setMode('json')}
                  />{' '}
                  JSON
                </label>
              </fieldset>
            )}
            {mode === 'image' ? (
              <div class="image-input">
                <input
                  type="file"
                  name="image"
                  accept="image/png,image/jpeg"
                  onChange={(event) => setFile(event.currentTarget.files?.[0])}
                />
                {preview !== undefined && <img src={preview} alt="the image to send" />}
              </div>
            ) : (
              <textarea
                name="body"
                rows={10}
                spellcheck={false}
                value={body}
                onInput={(event) => setBody(event.currentTarget.value)}
              />
            )}
            <button type="submit" disabled={busy}>
              {busy ? 'Sending…' : 'Send'}
            </button>
          </>
        )}
      </form>
      {error !== undefined && (
        <p class="error" role="alert" data-testid="try-error">
          {error}
        </p>
      )}
      {outputs !== undefined && (
        <div class="result" data-testid="try-result">
          {outputs.map((output) => (
            <OutputView key={output.name} output={output} />
          ))}
        </div>
      )}
    </section>
  );
}
