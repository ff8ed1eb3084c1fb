/**
 * Procedural, seeded, class-labelled digit images (no downloads): glyphs 0-9 of a built-in 5x7
 * bitmap font, drawn at any size with a random affine transform (rotation, scale, shear,
 * translation), random stroke width and pixel noise. Values in [-1, 1], background -1.
 */
import { normals, uniformRng } from '../random.ts';
import { shown } from '../options.ts';

/** 5x7 bitmap font, one string of 7 rows of 5 pixels per digit. */
const FONT: readonly string[] = [
  '01110 10001 10011 10101 11001 10001 01110', // 0
  '00100 01100 00100 00100 00100 00100 01110', // 1
  '01110 10001 00001 00010 00100 01000 11111', // 2
  '11111 00010 00100 00010 00001 10001 01110', // 3
  '00010 00110 01010 10010 11111 00010 00010', // 4
  '11111 10000 11110 00001 00001 10001 01110', // 5
  '00110 01000 10000 11110 10001 10001 01110', // 6
  '11111 00001 00010 00100 01000 01000 01000', // 7
  '01110 10001 10001 01110 10001 10001 01110', // 8
  '01110 10001 10001 01111 00001 00010 01100', // 9
];
const CELLS: [number, number][][] = FONT.map((g) => {
  const rows = g.split(' '),
    cells: [number, number][] = [];
  rows.forEach((r, y) =>
    [...r].forEach((c, x) => {
      if (c === '1') cells.push([x - 2, y - 3]);
    }),
  );
  return cells;
});

export interface DigitOptions {
  /** Image side in pixels. Default 16. */
  size?: number;
  /** Strength of the random transform: 0 draws every glyph upright and centred. Default 1. */
  jitter?: number;
  /** Standard deviation of the pixel noise (in [-1, 1] units). Default 0.05. */
  noise?: number;
}

export interface DigitBatch {
  /** [n, size, size, 1] row-major, values in [-1, 1]. */
  images: Float32Array;
  labels: Int32Array;
  n: number;
  size: number;
}

/** Draws one digit into out[offset .. offset + size^2) from a uniform stream u. */
function drawDigit(
  label: number,
  size: number,
  jitter: number,
  u: () => number,
  out: Float32Array,
  offset: number,
): void {
  const r = (a: number) => (2 * u() - 1) * a * jitter;
  const angle = r(0.25),
    scale = (size / 9.5) * (1 + r(0.12)),
    shear = r(0.2);
  const tx = r(size * 0.08),
    ty = r(size * 0.08),
    stroke = 0.5 + 0.25 * (u() * jitter + (1 - jitter) * 0.5);
  const ca = Math.cos(angle),
    sa = Math.sin(angle),
    c = (size - 1) / 2;
  const cells = CELLS[label];
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // inverse affine: pixel -> glyph coordinates (glyph cell centres at integers)
      const dx = (px - c - tx) / scale,
        dy = (py - c - ty) / scale;
      let gx = ca * dx + sa * dy,
        gy = -sa * dx + ca * dy;
      gx -= shear * gy;
      let best = Infinity;
      for (const [cx, cy] of cells) {
        const ex = Math.max(0, Math.abs(gx - cx) - 0.5),
          ey = Math.max(0, Math.abs(gy - cy) - 0.5);
        best = Math.min(best, Math.hypot(ex, ey));
      }
      // soft edge: full ink inside the stroke, fading over half a glyph cell
      const ink = Math.min(1, Math.max(0, (stroke - best) / 0.5 + 0.5));
      out[offset + py * size + px] = 2 * ink - 1;
    }
  }
}

/** n digits with labels cycling 0..9 (or as given), the same images for the same seed. */
export function digitBatch(
  n: number,
  seed: number,
  { size = 16, jitter = 1, noise = 0.05 }: DigitOptions = {},
  labels?: ArrayLike<number>,
): DigitBatch {
  if (!Number.isInteger(n) || n < 1) throw new Error(`n: got ${shown(n)}; allowed: an integer >= 1`);
  if (!Number.isInteger(size) || size < 8) throw new Error(`size: got ${shown(size)}; allowed: an integer >= 8`);
  const u = uniformRng(seed * 2654435761 + 1),
    z = normals(n * size * size, seed + 77);
  const images = new Float32Array(n * size * size),
    lab = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    lab[i] = labels ? labels[i % labels.length] : Math.floor(u() * 10);
    if (!(lab[i] >= 0 && lab[i] <= 9)) throw new Error(`labels: got ${lab[i]}; allowed: integers 0..9`);
    drawDigit(lab[i], size, jitter, u, images, i * size * size);
  }
  for (let j = 0; j < images.length; j++) images[j] = Math.max(-1, Math.min(1, images[j] + noise * z[j]));
  return { images, labels: lab, n, size };
}

/** ASCII art of one image (for logs and tests). */
export function asciiDigit(b: DigitBatch, i: number): string {
  const s = b.size,
    chars = ' .:-=+*#%@';
  const rows: string[] = [];
  for (let y = 0; y < s; y++) {
    let row = '';
    for (let x = 0; x < s; x++) row += chars[Math.min(9, Math.floor(((b.images[i * s * s + y * s + x] + 1) / 2) * 10))];
    rows.push(row);
  }
  return rows.join('\n');
}
