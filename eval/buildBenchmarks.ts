import { Rng } from '../datasets/synthetic/Rng.ts';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import type { KnowledgeBase } from '../knowledge/KnowledgeBase.ts';
import { bucketPhrases } from '../distill/trajectoryText.ts';
import { mcPrompt } from '../rl/mcPrompt.ts';
import type { BenchmarkItem } from '../schemas/evaluation.ts';
import type { RlItem } from '../schemas/rl.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const BUCKETS = ['benign', 'malignant', 'precancerous_in_situ'] as const;

function lettered(nodes: string[], h: Hierarchy, answer: string): Pick<BenchmarkItem, 'options' | 'answer'> {
  const options = nodes.slice(0, LETTERS.length).map((node, i) => ({ letter: LETTERS[i]!, text: h.node(node).name, node, score: node === answer ? 1 : 0 }));
  return { options, answer: options.find((o) => o.node === answer)!.letter };
}

/**
 * The method's evaluation benchmarks from held-out multiple-choice items: `indomain` (the item itself), `bucket`
 * (benign / malignant / precancerous in situ), `hierarchical` (every node of the sample's path as options, the finest
 * is the answer; paths longer than one node), `ddx` (the sample's node and its knowledge-base DDx neighbours that occur
 * among the held-out labels; only where there is at least one). Options are shuffled with a per-item seeded stream.
 */
export function buildBenchmarks(h: Hierarchy, kb: KnowledgeBase | null, items: RlItem[], seed: string): BenchmarkItem[] {
  const out: BenchmarkItem[] = [];
  const present = new Set(items.map((i) => i.labelNode));
  for (const it of items) {
    const base = { itemId: it.itemId, dataset: it.dataset, fitzpatrick: it.fitzpatrick, imageSha256: it.imageSha256, path: it.path };
    const rng = new Rng(`eval\u0000${seed}\u0000${it.itemId}`);
    const answerNode = it.options.find((o) => o.letter === it.answer)!.node;
    out.push({ ...base, benchmark: 'indomain', options: it.options.map((o) => ({ ...o, node: o.node })), answer: it.answer, answerClass: answerNode, prompt: it.prompt });

    const bucketOptions = BUCKETS.map((b, i) => ({ letter: LETTERS[i]!, text: bucketPhrases[b], node: null, score: b === it.bucket ? 1 : 0 }));
    out.push({
      ...base,
      benchmark: 'bucket',
      options: bucketOptions,
      answer: bucketOptions.find((o) => o.score === 1)!.letter,
      answerClass: it.bucket,
      prompt: `Examine the skin image. Is the lesion benign, malignant or precancerous in situ? ${bucketOptions.map((o) => `${o.letter}: ${o.text}`).join(' ')}. Inside <thinking> describe the visible features. Inside <final diagnosis> give only the option.`,
    });

    if (it.path.length > 1) {
      const l = lettered(rng.shuffle(it.path), h, it.labelNode);
      out.push({ ...base, benchmark: 'hierarchical', ...l, answerClass: it.labelNode, prompt: mcPrompt(l.options) });
    }
    const neighbours = kb && kb.has(it.labelNode) ? kb.neighbours(it.labelNode).filter((n) => present.has(n) && n !== it.labelNode) : [];
    if (neighbours.length > 0) {
      const l = lettered(rng.shuffle([it.labelNode, ...neighbours.slice(0, LETTERS.length - 1)]), h, it.labelNode);
      out.push({ ...base, benchmark: 'ddx', ...l, answerClass: it.labelNode, prompt: mcPrompt(l.options) });
    }
  }
  return out;
}
