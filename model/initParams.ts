import * as tf from '@tensorflow/tfjs';
import { Rng } from '../datasets/synthetic/Rng.ts';
import { visualGridOf, type ModelConfig } from '../schemas/model.ts';

/** The model's weights by name; names sort into a stable order for checkpoints. */
export type Params = Map<string, tf.Variable>;

let instances = 0;
/** tfjs variable names are global to the process: each model instance gets its own prefix. */
export function uniqueName(name: string): string {
  return `m${instances++}/${name}`;
}

/** The convolutional image encoder (the ViT blocks' counterpart); the projection, norm and pooling after it are the merger's. */
export function isVisionTower(name: string): boolean {
  return name.startsWith('enc.conv');
}

/** Shapes of every parameter, by name. */
export function paramShapes(cfg: ModelConfig, vocab: number): Map<string, number[]> {
  const s = new Map<string, number[]>();
  let cin = 3;
  cfg.convChannels.forEach((c, i) => {
    s.set(`enc.conv${i}.w`, [3, 3, cin, c]);
    s.set(`enc.conv${i}.b`, [c]);
    cin = c;
  });
  const grid = visualGridOf(cfg);
  s.set('enc.proj.w', [cin, cfg.dModel]);
  s.set('enc.ln.g', [cfg.dModel]);
  s.set('enc.ln.b', [cfg.dModel]);
  s.set('enc.pos', [grid * grid, cfg.dModel]);
  s.set('enc.pool.w', [cfg.dModel, cfg.dModel]);
  s.set('tok.emb', [vocab, cfg.dModel]);
  s.set('tok.pos', [cfg.maxLen, cfg.dModel]);
  for (let l = 0; l < cfg.layers; l++) {
    s.set(`dec${l}.ln1.g`, [cfg.dModel]);
    s.set(`dec${l}.ln1.b`, [cfg.dModel]);
    s.set(`dec${l}.attn.qkv`, [cfg.dModel, 3 * cfg.dModel]);
    s.set(`dec${l}.attn.out`, [cfg.dModel, cfg.dModel]);
    s.set(`dec${l}.ln2.g`, [cfg.dModel]);
    s.set(`dec${l}.ln2.b`, [cfg.dModel]);
    s.set(`dec${l}.mlp.w1`, [cfg.dModel, cfg.mlp]);
    s.set(`dec${l}.mlp.b1`, [cfg.mlp]);
    s.set(`dec${l}.mlp.w2`, [cfg.mlp, cfg.dModel]);
    s.set(`dec${l}.mlp.b2`, [cfg.dModel]);
  }
  s.set('final.ln.g', [cfg.dModel]);
  s.set('final.ln.b', [cfg.dModel]);
  return s;
}

/** Standard deviation of a parameter's initial values (0 = zeros, 1 with `ones`). */
function initOf(name: string, shape: number[], cfg: ModelConfig): { std: number; ones?: boolean } {
  if (name.endsWith('.g')) return { std: 0, ones: true };
  if (name.endsWith('.b') || /\.b\d$/.test(name)) return { std: 0 };
  if (name.startsWith('enc.conv')) return { std: Math.sqrt(2 / (9 * shape[2]!)) };
  if (name.endsWith('attn.out') || name.endsWith('mlp.w2')) return { std: 0.02 / Math.sqrt(2 * cfg.layers) };
  return { std: 0.02 };
}

/**
 * Fresh weights from a seed, drawn with the project's own generator (one stream per parameter name), so the same
 * seed gives bit-identical weights on every backend and machine.
 */
export function initParams(cfg: ModelConfig, vocab: number, seed: string): Params {
  const params: Params = new Map();
  for (const [name, shape] of [...paramShapes(cfg, vocab)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const { std, ones } = initOf(name, shape, cfg);
    const values = new Float32Array(n);
    if (ones) values.fill(1);
    else if (std > 0) {
      const rng = new Rng(`${seed}\u0000${name}`);
      for (let i = 0; i < n; i += 2) {
        // Box-Muller: two normals per pair of uniforms.
        const u = Math.max(rng.next(), 1e-12);
        const v = rng.next();
        const r = Math.sqrt(-2 * Math.log(u)) * std;
        values[i] = r * Math.cos(2 * Math.PI * v);
        if (i + 1 < n) values[i + 1] = r * Math.sin(2 * Math.PI * v);
      }
    }
    // tf.variable shares the initial tensor's data without owning the tensor: dispose the wrapper.
    const initial = tf.tensor(values, shape, 'float32');
    params.set(name, tf.variable(initial, true, uniqueName(name)));
    initial.dispose();
  }
  return params;
}
