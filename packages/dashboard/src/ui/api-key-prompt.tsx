import { useState } from 'preact/hooks';
import { storeApiKey } from './api-client.js';

export interface ApiKeyPromptProps {
  /** The key given before was refused too. */
  readonly refused: boolean;
  readonly onKey: () => void;
}

/**
 * Asks once for the key of `--api_key_file` when the server answers 401, and keeps it in
 * sessionStorage (this tab only): every later request sends it as `Authorization: Bearer`.
 */
export function ApiKeyPrompt({ refused, onKey }: ApiKeyPromptProps) {
  const [key, setKey] = useState('');
  return (
    <div class="overlay">
      <form
        class="key-prompt"
        data-testid="api-key-prompt"
        onSubmit={(event) => {
          event.preventDefault();
          storeApiKey(key.trim());
          onKey();
        }}
      >
        <h2>API key</h2>
        <p>
          This server wants an API key (<code>--api_key_file</code>).
        </p>
        {refused && (
          <p class="error" role="alert">
            The server refused that key.
          </p>
        )}
        <input
          type="password"
          name="api-key"
          autocomplete="off"
          aria-label="API key"
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <button type="submit" disabled={key.trim() === ''}>
          Use key
        </button>
      </form>
    </div>
  );
}
