/** DiT configurations and named presets (Peebles & Xie 2023, "Scalable Diffusion Models with Transformers"). */

export interface DiTConfig {
  /** Image side in pixels (square images). */
  imageSize: number;
  channels: number;
  /** Patch side p: the image becomes (imageSize / p)^2 tokens. */
  patch: number;
  /** Hidden width D. */
  hidden: number;
  depth: number;
  heads: number;
  /** MLP width = mlpRatio * D. */
  mlpRatio: number;
  /** Number of classes; index `classes` is the null class used for classifier-free guidance. */
  classes: number;
  /** Width of the sinusoidal time features fed to the time MLP. */
  timeFeatures: number;
}

const BASE = { imageSize: 16, channels: 1, patch: 2, mlpRatio: 4, classes: 10, timeFeatures: 64 };

/** Presets by name: a tiny one for tests, a small one for experiments (trained and shipped). */
export const DIT_PRESETS = {
  'DiT-T/2': { ...BASE, hidden: 32, depth: 2, heads: 2 },
  'DiT-S/2': { ...BASE, hidden: 64, depth: 4, heads: 4 },
} as const satisfies Record<string, DiTConfig>;
export type DiTPresetName = keyof typeof DIT_PRESETS;
export const DIT_PRESET_NAMES = Object.keys(DIT_PRESETS) as DiTPresetName[];

export function getDiTConfig(name: string): DiTConfig {
  const c = DIT_PRESETS[name as DiTPresetName];
  if (!c) throw new Error(`dit preset: unknown preset '${name}'; allowed: ${DIT_PRESET_NAMES.join(', ')}`);
  return { ...c };
}

export function validateDiTConfig(c: DiTConfig): void {
  const pos = (k: keyof DiTConfig) => {
    if (!Number.isInteger(c[k]) || (c[k] as number) < 1)
      throw new Error(`dit config: ${k} got ${c[k]}; allowed: an integer >= 1`);
  };
  (
    ['imageSize', 'channels', 'patch', 'hidden', 'depth', 'heads', 'mlpRatio', 'classes', 'timeFeatures'] as const
  ).forEach(pos);
  if (c.imageSize % c.patch) throw new Error(`dit config: patch ${c.patch} must divide imageSize ${c.imageSize}`);
  if (c.hidden % c.heads) throw new Error(`dit config: heads ${c.heads} must divide hidden ${c.hidden}`);
  if (c.hidden % 4)
    throw new Error(`dit config: hidden ${c.hidden} must be a multiple of 4 (2-D sin-cos position embedding)`);
  if (c.timeFeatures % 2) throw new Error(`dit config: timeFeatures ${c.timeFeatures} must be even`);
}

/** Tokens per image. */
export const tokens = (c: DiTConfig) => (c.imageSize / c.patch) ** 2;

/** Parameter shapes by name (the order used for saving). */
export function paramShapes(c: DiTConfig): [string, number[]][] {
  const D = c.hidden,
    P = c.patch * c.patch * c.channels,
    M = c.mlpRatio * D;
  const lin = (name: string, i: number, o: number): [string, number[]][] => [
    [`${name}.w`, [i, o]],
    [`${name}.b`, [o]],
  ];
  const out: [string, number[]][] = [
    ...lin('patch', P, D),
    ...lin('time.1', c.timeFeatures, D),
    ...lin('time.2', D, D),
    ['label', [c.classes + 1, D]],
  ];
  for (let b = 0; b < c.depth; b++)
    out.push(
      ...lin(`blocks.${b}.ada`, D, 6 * D),
      ...lin(`blocks.${b}.q`, D, D),
      ...lin(`blocks.${b}.k`, D, D),
      ...lin(`blocks.${b}.v`, D, D),
      ...lin(`blocks.${b}.o`, D, D),
      ...lin(`blocks.${b}.mlp1`, D, M),
      ...lin(`blocks.${b}.mlp2`, M, D),
    );
  out.push(...lin('final.ada', D, 2 * D), ...lin('final.out', D, P));
  return out;
}

/** Number of parameters. */
export const paramCount = (c: DiTConfig) => paramShapes(c).reduce((a, [, s]) => a + s.reduce((p, q) => p * q, 1), 0);

/** Floating-point operations of one forward call per image (matmuls and attention; 2 per multiply-add). */
export function flopsPerImage(c: DiTConfig): number {
  const L = tokens(c),
    D = c.hidden,
    P = c.patch * c.patch * c.channels,
    M = c.mlpRatio * D;
  const perBlock = 2 * L * (4 * D * D + 2 * D * M) + 2 * 2 * L * L * D + 2 * D * 6 * D;
  return (
    2 * L * P * D +
    2 * (c.timeFeatures * D + D * D) +
    2 * (c.classes + 1) * D +
    c.depth * perBlock +
    2 * D * 2 * D +
    2 * L * D * P
  );
}
