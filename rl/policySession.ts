import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../model/AdamW.ts';
import { readCheckpoint, type CheckpointFile } from '../model/checkpointFiles.ts';
import type { Params } from '../model/initParams.ts';
import type { Tokenizer } from '../model/Tokenizer.ts';
import type { PolicyState, RlConfig, RlItem } from '../schemas/rl.ts';
import type { ArtifactStore } from '../store/ArtifactStore.ts';
import { ImageLoader } from '../training/loadImage.ts';
import { applyGrpoUpdate } from './applyGrpoUpdate.ts';
import { readItems, readRewards, readRollouts } from './rlFiles.ts';

/** The policy's weights and optimizer in this worker's memory, at the state `key` names. */
export interface Policy {
  key: string;
  file: CheckpointFile;
  params: Params;
  optimizer: AdamW;
  tokenizer: Tokenizer;
}

/** A policy state as a string: the checkpoint and every update replayed on it. */
export function policyKey(s: PolicyState): string {
  return [s.checkpointId, ...s.replay.map((r) => `${r.step}:${r.rolloutsId}:${r.rewardsId}`)].join('+');
}

function release(p: { params: Params; optimizer: AdamW }): void {
  tf.dispose([...p.params.values()]);
  p.optimizer.dispose();
}

/**
 * The GPU worker's RL state between activities. Rollout and update run as separate activities, possibly on other
 * workers, so the policy is addressed by value: a checkpoint plus the steps since. A worker that holds that state
 * uses it; one that does not (restarted, or it served another run) loads the checkpoint and replays the stored
 * updates, which are deterministic. Checkpoints every K steps bound the replay.
 */
export class PolicySession {
  private current: Policy | undefined;
  private readonly references = new Map<string, Params>();
  private readonly loaders = new Map<number, ImageLoader>();

  constructor(private readonly store: ArtifactStore) {}

  images(side: number): ImageLoader {
    let l = this.loaders.get(side);
    if (!l) this.loaders.set(side, (l = new ImageLoader(this.store.root, side)));
    return l;
  }

  async reference(id: string): Promise<Params> {
    let r = this.references.get(id);
    if (!r) {
      const ck = await readCheckpoint(this.store.dirOf(id));
      ck.optimizer.dispose();
      // One reference per run; a worker that moves to another run drops the old one.
      for (const old of this.references.values()) tf.dispose([...old.values()]);
      this.references.clear();
      this.references.set(id, (r = ck.params));
    }
    return r;
  }

  /** The policy at `state`, loaded and replayed when this worker does not hold it; `replayed` counts the updates redone. */
  async at(state: PolicyState, ctx: { itemsId: string; referenceCheckpointId: string; config: RlConfig; onReplay?: (step: number) => void }): Promise<{ policy: Policy; replayed: number }> {
    const key = policyKey(state);
    if (this.current?.key === key) return { policy: this.current, replayed: 0 };
    let start = 0;
    let base = this.current;
    // Holding an earlier point of the same chain: replay only the rest.
    const prefix = base ? state.replay.findIndex((_, i) => policyKey({ checkpointId: state.checkpointId, replay: state.replay.slice(0, i) }) === base!.key) : -1;
    if (base && prefix >= 0) start = prefix;
    else {
      this.drop();
      const ck = await readCheckpoint(this.store.dirOf(state.checkpointId));
      base = { key: policyKey({ checkpointId: state.checkpointId, replay: [] }), file: ck.file, params: ck.params, optimizer: ck.optimizer, tokenizer: ck.tokenizer };
      this.current = base;
    }
    if (start < state.replay.length) {
      const items = new Map((await readItems(this.store, ctx.itemsId)).map((i): [string, RlItem] => [i.itemId, i]));
      const reference = await this.reference(ctx.referenceCheckpointId);
      for (let i = start; i < state.replay.length; i++) {
        const r = state.replay[i]!;
        ctx.onReplay?.(r.step);
        await this.advance(
          { checkpointId: state.checkpointId, replay: state.replay.slice(0, i + 1) },
          { rollouts: await readRollouts(this.store, r.rolloutsId), rewards: await readRewards(this.store, r.rewardsId), items, reference, step: r.step, config: ctx.config },
        );
      }
    }
    return { policy: this.current!, replayed: state.replay.length - start };
  }

  /** Applies one update to the held policy and names the result `next`; on failure the held state is dropped. */
  async advance(next: PolicyState, u: Omit<Parameters<typeof applyGrpoUpdate>[0], 'params' | 'optimizer' | 'model' | 'tokenizer' | 'images'>) {
    const p = this.current;
    if (!p) throw new Error('no policy held');
    try {
      p.key = '(updating)';
      const out = await applyGrpoUpdate({ ...u, params: p.params, optimizer: p.optimizer, model: p.file.modelConfig, tokenizer: p.tokenizer, images: this.images(p.file.modelConfig.imageSize) });
      p.key = policyKey(next);
      return out;
    } catch (e) {
      this.drop();
      throw e;
    }
  }

  /** Renames the held state (after committing it as a checkpoint, the same weights are that checkpoint). */
  rename(state: PolicyState): void {
    if (this.current) this.current.key = policyKey(state);
  }

  drop(): void {
    if (this.current) release(this.current);
    this.current = undefined;
  }
}

const sessions = new Map<string, PolicySession>();
/** One session per store root in this process. */
export function policySession(store: ArtifactStore): PolicySession {
  let s = sessions.get(store.root);
  if (!s) sessions.set(store.root, (s = new PolicySession(store)));
  return s;
}
