import sharp from 'sharp';

/** Named by file so results do not depend on fontconfig (as demos/ocr/test/render.ts). */
const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface TextLine {
  readonly text: string;
  readonly size: number;
  readonly x: number;
  readonly y: number;
}

const escapeMarkup = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A white RGB PNG of `width` × `height` with the lines drawn in black. */
export async function renderTextPng(
  lines: readonly TextLine[],
  size: { readonly width: number; readonly height: number },
): Promise<Buffer> {
  const layers = await Promise.all(
    lines.map(async (line) => ({
      // sharp renders white glyphs on black; negate for black on white.
      input: await sharp({
        text: {
          text: escapeMarkup(line.text),
          font: `DejaVu Sans ${line.size}`,
          fontfile: FONT_FILE,
          dpi: 72,
        },
      })
        .negate({ alpha: false })
        .png()
        .toBuffer(),
      left: line.x,
      top: line.y,
      blend: 'multiply' as const,
    })),
  );
  return sharp({ create: { ...size, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite(layers)
    .png()
    .toBuffer();
}
