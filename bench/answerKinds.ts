/**
 * What a checkpoint's greedy answers to RL items pick: the answer, a coarser correct option, a distractor, or no
 * offered option at all (the reward's own parser decides), by how many correct options the item has (k). With
 * `--samples G`, also G samples per item at `--temperature T` (default 1.0), summarised by the greedy answer's kind:
 * how far the samples RL learns from are from the answer greedy decoding gives.
 * Usage: node --import tsx bench/answerKinds.ts <checkpointId> <rlItemsId> [n=600] [split=test] [--store .skinr1]
 *   [--samples G] [--temperature T]
 */
import { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { readCheckpoint } from '../model/checkpointFiles.ts';
import { decodeAll } from '../model/generateBatch.ts';
import { scoreCompletion } from '../rl/hierarchicalReward.ts';
import { readItems } from '../rl/rlFiles.ts';
import { RlConfigSchema } from '../schemas/rl.ts';
import { ArtifactStore } from '../store/ArtifactStore.ts';
import { ensureBackend } from '../training/ensureBackend.ts';
import { ImageLoader } from '../training/loadImage.ts';
import { printTable } from './table.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1]! : fallback;
};
const root = flag('--store', '.skinr1');
const samples = Number(flag('--samples', '0'));
const temperature = Number(flag('--temperature', '1.0'));
const [checkpointId, itemsId, n = '600', split = 'test'] = args;
if (!checkpointId || !itemsId) throw new Error('usage: answerKinds.ts <checkpointId> <rlItemsId> [n] [split] [--store dir]');

await ensureBackend('auto');
const store = new ArtifactStore(root);
const ck = await readCheckpoint(store.dirOf(checkpointId as Parameters<ArtifactStore['dirOf']>[0]));
const cfg = ck.file.modelConfig;
const { maxNewTokens } = RlConfigSchema.parse({});
// The first n of the split by item id: for the test split, the same items the RL held-out check uses.
const items = (await readItems(store, itemsId)).filter((i) => i.split === split).slice(0, Number(n));
const images = new ImageLoader(store.root, cfg.imageSize);
const rows = await Promise.all(items.map(async (item) => ({ image: await images.load(item.imageSha256), prompt: ck.tokenizer.encode(item.prompt), seed: 'greedy' })));
const outs = await decodeAll(ck.params, cfg, rows, { maxNewTokens, temperature: 0 });
const h = Hierarchy.fromFile();

const kinds = ['answer', 'coarser', 'distractor', 'none'] as const;
type Kind = (typeof kinds)[number];
const kindOf = (text: string, item: (typeof items)[number]): Kind => {
  const s = scoreCompletion(text, item, 'hierarchical', h);
  return s.choice === null ? 'none' : s.correct ? 'answer' : s.option > 0 ? 'coarser' : 'distractor';
};
const greedy = items.map((item, i) => kindOf(ck.tokenizer.decode(outs[i]!), item));
const counts = new Map<number, Record<Kind, number>>();
items.forEach((item, i) => {
  const kind = greedy[i]!;
  const k = item.options.filter((o) => o.score > 0).length;
  const c = counts.get(k) ?? { answer: 0, coarser: 0, distractor: 0, none: 0 };
  c[kind]++;
  counts.set(k, c);
});
const all = { answer: 0, coarser: 0, distractor: 0, none: 0 };
const table = [...counts].sort(([a], [b]) => a - b).map(([k, c]) => {
  for (const kind of kinds) all[kind] += c[kind];
  return { k: String(k), items: kinds.reduce((s, kind) => s + c[kind], 0), ...c };
});
table.push({ k: 'all', items: items.length, ...all });
printTable(`${checkpointId} on ${items.length} ${split} items of ${itemsId}`, table);

if (samples > 0) {
  const sampled = await decodeAll(ck.params, cfg, rows.flatMap((r) => Array.from({ length: samples }, (_, g) => ({ ...r, seed: `sample-${g}` }))), { maxNewTokens, temperature });
  const byGreedy = new Map<Kind, { items: number; right: number; none: number; anyRight: number }>();
  items.forEach((item, i) => {
    const ks = Array.from({ length: samples }, (_, g) => kindOf(ck.tokenizer.decode(sampled[i * samples + g]!), item));
    const b = byGreedy.get(greedy[i]!) ?? { items: 0, right: 0, none: 0, anyRight: 0 };
    b.items++;
    b.right += ks.filter((k) => k === 'answer').length;
    b.none += ks.filter((k) => k === 'none').length;
    if (ks.includes('answer')) b.anyRight++;
    byGreedy.set(greedy[i]!, b);
  });
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  printTable(
    `${samples} samples per item at T = ${temperature}, by what the greedy answer picked`,
    kinds.filter((k) => byGreedy.has(k)).map((k) => {
      const b = byGreedy.get(k)!;
      return { greedy: k, items: b.items, 'samples right': pct(b.right / (b.items * samples)), 'samples naming no option': pct(b.none / (b.items * samples)), 'items with a right sample': b.anyRight };
    }),
  );
}
