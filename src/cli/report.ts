/** Pieces every command's JSON report shares. */
import { currentBackend } from '../backend.ts';

/** `{ adapter: { vendor, architecture, device, description } }` on webgpu, else nothing. */
export function adapterField(): { adapter?: NonNullable<ReturnType<typeof currentBackend>>['adapter'] } {
  const a = currentBackend()?.adapter;
  return a ? { adapter: a } : {};
}
