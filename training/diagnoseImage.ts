import { parseAnswer } from '../distill/trajectoryText.ts';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { generate } from '../model/generate.ts';
import type { LoadedCheckpoint } from '../model/checkpointFiles.ts';

export interface Diagnosis {
  text: string;
  wellFormed: boolean;
  diagnosis: string | null;
  /** The hierarchy node the diagnosis names, and its path from the top group. */
  node: string | null;
  path: string[];
  bucket: string | null;
  tokens: number;
  seconds: number;
}

/** Runs the model on one image and reads its answer against the hierarchy. */
export function diagnose(ck: LoadedCheckpoint, h: Hierarchy, image: Float32Array, prompt: string, o: { temperature: number; seed: string; maxTokens: number; kvCache?: boolean }): Diagnosis {
  const t0 = performance.now();
  const ids = generate(ck.params, ck.file.modelConfig, image, ck.tokenizer.encode(prompt), { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed, kvCache: o.kvCache });
  const seconds = (performance.now() - t0) / 1000;
  const text = ck.tokenizer.decode(ids);
  const answer = parseAnswer(text.trim());
  const node = answer ? (h.lookup(answer.diagnosis) ?? null) : null;
  return {
    text,
    wellFormed: answer !== null,
    diagnosis: answer?.diagnosis ?? null,
    node,
    path: node ? h.path(node).slice(1).map((n) => h.node(n).name) : [],
    bucket: answer?.bucket ?? null,
    tokens: ids.length,
    seconds,
  };
}
