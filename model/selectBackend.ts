// The umbrella package, not tfjs-core alone: it registers every gradient (training needs them) and the cpu backend.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmPatches } from './kernels/registerWasmPatches.ts';

export const backendChoices = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof backendChoices)[number];

export interface BackendInfo {
  /** What was asked for. */
  requested: BackendChoice;
  /** The tfjs backend now active: 'tensorflow' (native), 'wasm' or 'cpu'. */
  active: string;
  /** Why this one: which optional packages were found or missing. */
  detail: string;
}

/** An optional native package, loaded only when installed: never a hard dependency (its install downloads from elsewhere). */
async function tryNative(pkg: 'tfjs-node-gpu' | 'tfjs-node'): Promise<string | null> {
  try {
    await import(/* @vite-ignore */ `@tensorflow/${pkg}`);
    return null;
  } catch (e) {
    return `@tensorflow/${pkg} not available (${(e as Error).message.split('\n')[0]})`;
  }
}

/**
 * Chooses the tensor backend at run time. `auto` tries the native GPU and CPU packages (optional, detected), then
 * wasm with the project's kernel patches, then cpu. The single-threaded wasm and cpu backends are deterministic for a
 * given seed and data order; that is what resumed runs rely on to end at the same checkpoint digest.
 */
export async function selectBackend(requested: BackendChoice = 'auto'): Promise<BackendInfo> {
  // Production mode: no "install tfjs-node" banner on stdout, no per-op debug checks.
  tf.env().set('PROD', true);
  const notes: string[] = [];
  const order: BackendChoice[] = requested === 'auto' ? ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] : [requested];
  for (const choice of order) {
    if (choice === 'tfjs-node-gpu' || choice === 'tfjs-node') {
      const missing = await tryNative(choice);
      if (missing) {
        notes.push(missing);
        if (requested !== 'auto') throw new Error(`backend ${choice} requested: ${missing}`);
        continue;
      }
      if (await tf.setBackend('tensorflow')) return { requested, active: 'tensorflow', detail: [...notes, `@tensorflow/${choice}`].join('; ') };
      continue;
    }
    if (choice === 'wasm') {
      registerWasmPatches();
      if (await tf.setBackend('wasm')) return { requested, active: 'wasm', detail: [...notes, 'wasm (SIMD, single-threaded) with the project kernel patches'].join('; ') };
      notes.push('wasm failed to initialise');
      continue;
    }
    if (await tf.setBackend('cpu')) return { requested, active: 'cpu', detail: [...notes, 'cpu (pure JS reference backend)'].join('; ') };
  }
  throw new Error(`no tensor backend could be initialised: ${notes.join('; ')}`);
}
