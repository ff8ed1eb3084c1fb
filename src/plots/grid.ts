/** Sample grids as PNG: images in [-1, 1] tiled with padding and scaled up (nearest neighbour). */
import { PNG } from 'pngjs';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SampleGridOptions {
  /** Images per row. Default ceil(sqrt(n)). */
  columns?: number;
  /** Integer upscaling factor. Default 4. */
  scale?: number;
  /** Padding between images in output pixels. Default 4. */
  padding?: number;
}

/** Encodes n grayscale (or RGB) images [n, size, size, channels] as one PNG. */
export function gridPng(
  images: ArrayLike<number>,
  n: number,
  size: number,
  channels = 1,
  { columns, scale = 4, padding = 4 }: SampleGridOptions = {},
): Buffer {
  const cols = columns ?? Math.ceil(Math.sqrt(n)),
    rows = Math.ceil(n / cols),
    cell = size * scale;
  const width = cols * cell + (cols + 1) * padding,
    height = rows * cell + (rows + 1) * padding;
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  const data = Buffer.alloc(width * height * 3, 255);
  for (let i = 0; i < n; i++) {
    const ox = padding + (i % cols) * (cell + padding),
      oy = padding + Math.floor(i / cols) * (cell + padding);
    for (let y = 0; y < cell; y++)
      for (let x = 0; x < cell; x++) {
        const src = (i * size * size + Math.floor(y / scale) * size + Math.floor(x / scale)) * channels;
        for (let c = 0; c < 3; c++) {
          const v = images[src + (channels === 3 ? c : 0)];
          data[((oy + y) * width + ox + x) * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, (v + 1) / 2)));
        }
      }
  }
  png.data = data;
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/** Writes a sample grid PNG, creating its own folder if missing (not the folders above it). */
export function writeGrid(
  path: string,
  images: ArrayLike<number>,
  n: number,
  size: number,
  channels = 1,
  options?: SampleGridOptions,
): void {
  if (!existsSync(dirname(path))) mkdirSync(dirname(path));
  writeFileSync(path, gridPng(images, n, size, channels, options));
}
