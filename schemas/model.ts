import { z } from 'zod';

/** Sizes of the vision-language model. Presets cover tests (tiny), CPU runs (small, the CLI default) and GPUs (base, large). */
export const ModelConfigSchema = z.object({
  /** Square input side in pixels; images are resized to it. */
  imageSize: z.number().int().min(16),
  /** Output channels of each stride-2 3x3 convolution; the grid side is imageSize / 2^layers. */
  convChannels: z.array(z.number().int().positive()).min(1).max(6),
  /**
   * Side of the visual-token grid: the last feature map is average-pooled to visualGrid x visualGrid tokens. Omitted,
   * one token per cell. For the tiny model one token is as good (held-out accuracy on the demo's HAM10000-style images
   * 79.9 % with one, 75.9 % with 16; one run each) and every sequence is 15 positions shorter.
   */
  visualGrid: z.number().int().positive().optional(),
  dModel: z.number().int().positive(),
  heads: z.number().int().positive(),
  layers: z.number().int().positive(),
  mlp: z.number().int().positive(),
  /** Longest [visual; prompt; response] sequence; longer examples are skipped and counted, never cut. */
  maxLen: z.number().int().positive(),
}).refine((c) => c.dModel % c.heads === 0, 'dModel must be divisible by heads').refine((c) => c.imageSize % 2 ** c.convChannels.length === 0, 'imageSize must be divisible by 2^(number of conv layers)')
  .refine((c) => c.visualGrid === undefined || (c.imageSize / 2 ** c.convChannels.length) % c.visualGrid === 0, 'visualGrid must divide the grid side imageSize / 2^(number of conv layers)');

/** Side of the grid of visual tokens the decoder sees. */
export function visualGridOf(c: ModelConfig): number {
  return c.visualGrid ?? c.imageSize / 2 ** c.convChannels.length;
}
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const modelPresets = {
  tiny: { imageSize: 32, convChannels: [8, 16, 32], visualGrid: 1, dModel: 32, heads: 2, layers: 1, mlp: 64, maxLen: 320 },
  small: { imageSize: 48, convChannels: [16, 32, 48], dModel: 64, heads: 4, layers: 2, mlp: 128, maxLen: 384 },
  base: { imageSize: 64, convChannels: [32, 64, 128], dModel: 128, heads: 4, layers: 4, mlp: 512, maxLen: 512 },
  large: { imageSize: 128, convChannels: [32, 64, 128, 256], dModel: 256, heads: 8, layers: 6, mlp: 1024, maxLen: 640 },
} satisfies Record<string, ModelConfig>;
export type ModelPreset = keyof typeof modelPresets;

/** How SFT trains: optimisation, batching, checkpoints and seeds. */
export const SftConfigSchema = z.object({
  model: ModelConfigSchema,
  /** 0 gives the seeded initial model (the base for the "RL only" ablation). */
  epochs: z.number().int().min(0).default(3),
  batchSize: z.number().int().positive().default(8),
  learningRate: z.number().positive().default(3e-3),
  /** Warmup as a share of all steps, then cosine decay to `minLearningRate`. */
  warmupRatio: z.number().min(0).max(0.5).default(0.05),
  minLearningRate: z.number().min(0).default(1e-4),
  weightDecay: z.number().min(0).default(0.01),
  /** Global gradient-norm clip. */
  gradClip: z.number().positive().default(1.0),
  /** Examples per shard activity; a shard is a contiguous range of the epoch's seeded order. */
  shardSize: z.number().int().positive().default(512),
  /** A step checkpoint (and a heartbeat naming it) every this many steps. */
  checkpointEvery: z.number().int().positive().default(20),
  /** Continue-as-new after this many epochs, so the history stays small on long runs. */
  epochsPerRun: z.number().int().positive().default(2),
  seed: z.string().min(1).default('skinr1'),
  /**
   * Random rotations and flips of training images (seeded per example). Off by default: on the demo data (tiny, 6
   * epochs, one run each) held-out accuracy was 86.8 % with it and 83.9 % without on HAM10000-style images, 33.0 % and
   * 37.5 % on Derm7pt-style ones: no clear gain for the extra code path.
   */
  augment: z.enum(['dihedral', 'none']).default('none'),
  /** Share of examples shown with the RL stage's multiple-choice prompt (their own diagnosis among the options). */
  choicePromptShare: z.number().min(0).max(1).default(0.5),
  backend: z.enum(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).default('auto'),
});
export type SftConfig = z.output<typeof SftConfigSchema>;
export type SftConfigInput = z.input<typeof SftConfigSchema>;
