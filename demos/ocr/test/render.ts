import sharp from 'sharp';

/** The font every rendering uses, named by file so results do not depend on fontconfig. */
export const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface TextLine {
  readonly text: string;
  /** Font size in pixels (the em at 72 dpi). */
  readonly size: number;
  readonly x: number;
  readonly y: number;
}

const escapeMarkup = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** One line as black text on white, cropped to its ink. */
async function renderLine(line: TextLine): Promise<Buffer> {
  // sharp renders white glyphs on black; negate for the usual black on white.
  return sharp({
    text: {
      text: escapeMarkup(line.text),
      font: `DejaVu Sans ${line.size}`,
      fontfile: FONT_FILE,
      dpi: 72,
    },
  })
    .negate({ alpha: false })
    .png()
    .toBuffer();
}

/** A white RGB image of `width` × `height` with the lines drawn on it, as PNG. */
export async function renderTextImage(
  lines: readonly TextLine[],
  size: { readonly width: number; readonly height: number },
  format: 'png' | 'jpeg' = 'png',
): Promise<Buffer> {
  const layers = await Promise.all(
    lines.map(async (line) => ({
      input: await renderLine(line),
      left: line.x,
      top: line.y,
      blend: 'multiply' as const,
    })),
  );
  const canvas = sharp({
    create: { ...size, channels: 3, background: { r: 255, g: 255, b: 255 } },
  }).composite(layers);
  return format === 'png' ? canvas.png().toBuffer() : canvas.jpeg({ quality: 90 }).toBuffer();
}

/** The same image as raw RGB bytes, for the UINT8 [1,H,W,3] pipeline. */
export async function toRgb(
  encoded: Buffer,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(encoded)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}
