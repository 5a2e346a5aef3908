import path from 'node:path';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { DuckDBInstance } from '@duckdb/node-api';
import { ACCEPTED_FILE } from '../../datasets/datasetFiles.ts';
import { str } from '../../datasets/sql.ts';
import { resolveTarget } from '../../distill/resolveTarget.ts';
import { prompts } from '../../distill/trajectoryText.ts';
import { Hierarchy } from '../../hierarchy/Hierarchy.ts';
import { readCheckpoint } from '../../model/checkpointFiles.ts';
import { selectBackend } from '../../model/selectBackend.ts';
import { ArtifactStore } from '../../store/ArtifactStore.ts';
import { ImageStore } from '../../store/ImageStore.ts';
import { diagnose } from '../../training/diagnoseImage.ts';
import { imageInput } from '../../training/modelPixels.ts';
import { configFrom } from '../globalConfig.ts';
import { emit, note } from '../output.ts';
import { positiveInt } from '../positiveInt.ts';

interface DiagnoseOptions {
  checkpoint: string;
  prompt: 'rule' | 'differential';
  temperature: string;
  seed: string;
  maxTokens: number;
  kvCache: boolean;
  dataset?: string;
  split: string;
  limit?: number;
  json?: boolean;
  progress: boolean;
}

export const diagnoseCommand = new Command('diagnose')
  .description("diagnose an image with a checkpoint: the model's reasoning and its diagnosis with the hierarchy path; or, with --dataset, accuracy over a split")
  .argument('[image]', 'an image file (JPEG, PNG, ...)')
  .requiredOption('--checkpoint <id>', 'checkpoint id')
  .option('--prompt <kind>', 'rule (type-1 prompt) or differential (types 2-5)', 'rule')
  .option('--temperature <t>', '0 = greedy; above 0 samples', '0')
  .option('--seed <seed>', 'seed of sampling', 'diagnose')
  .option('--max-tokens <n>', 'longest answer', positiveInt, 300)
  .option('--no-kv-cache', 'recompute the whole sequence for every token (slower; for comparison)')
  .option('--dataset <versionId>', 'evaluate on a dataset version instead of one image')
  .option('--split <split>', 'with --dataset: which split', 'test')
  .option('--limit <n>', 'with --dataset: at most n images', positiveInt)
  .option('--json', 'machine-readable output')
  .option('--no-progress', 'no progress bar')
  .action(async (image: string | undefined, o: DiagnoseOptions, cmd: Command) => {
    const cfg = configFrom(cmd);
    const store = new ArtifactStore(cfg.storeRoot);
    const m = await store.require(o.checkpoint);
    if (m.kind !== 'checkpoint') throw new Error(`${o.checkpoint} is a ${m.kind}, not a checkpoint`);
    const backend = await selectBackend('auto');
    const ck = await readCheckpoint(store.dirOf(o.checkpoint));
    const h = Hierarchy.fromFile();
    const side = ck.file.modelConfig.imageSize;
    const opts = { temperature: Number(o.temperature), seed: o.seed, maxTokens: o.maxTokens, kvCache: o.kvCache };
    const prompt = prompts[o.prompt];
    if (!o.dataset) {
      if (!image) throw new Error('give an image file, or --dataset <versionId> to evaluate a split');
      const d = diagnose(ck, h, await imageInput(image, side), prompt, opts);
      emit(!!o.json, { image, checkpointId: o.checkpoint, backend: backend.active, ...d }, () =>
        [d.text, '', d.wellFormed ? `diagnosis: ${d.diagnosis} (${d.bucket ?? 'no bucket'})${d.node ? `; ${d.path.join(' > ')}` : '; not a hierarchy node'}` : 'the answer is not well-formed', `${d.tokens} tokens in ${d.seconds.toFixed(2)} s on ${backend.active}`].join('\n'),
      );
      return;
    }
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const rows = (await con.runAndReadAll(`SELECT image_sha256, label_nodes FROM read_parquet(${str(path.join(store.dirOf(o.dataset), ACCEPTED_FILE))}) WHERE split = ${str(o.split)} ORDER BY sample_id, coalesce(image_key, '')${o.limit ? ` LIMIT ${o.limit}` : ''}`)).getRowObjectsJson();
    con.closeSync();
    inst.closeSync();
    const images = new ImageStore(store.root);
    const bar = o.progress && process.stderr.isTTY && !o.json ? new cliProgress.SingleBar({ format: 'diagnose {bar} {value}/{total} images, accuracy {acc}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(rows.length, 0, { acc: '-' });
    let n = 0;
    let correct = 0;
    let wellFormed = 0;
    let bucketRight = 0;
    let tokens = 0;
    let seconds = 0;
    let onPath = 0;
    const byTarget: Record<string, { n: number; correct: number; predicted: Record<string, number> }> = {};
    for (const r of rows) {
      const t = resolveTarget(r.label_nodes as string[], h, null);
      if ('skip' in t) continue;
      const d = diagnose(ck, h, await imageInput(images.pathOf(String(r.image_sha256)), side), prompt, opts);
      n++;
      tokens += d.tokens;
      seconds += d.seconds;
      if (d.wellFormed) wellFormed++;
      const ok = d.node === t.target;
      if (ok) correct++;
      if (d.node && h.bucket(d.node) === h.bucket(t.target)) bucketRight++;
      // Right, or a coarser or finer node of the same path (melanoma for a Derm7pt "invasive melanoma, NOS").
      if (d.node && (h.isAncestorOrSelf(d.node, t.target) || h.isAncestorOrSelf(t.target, d.node))) onPath++;
      const c = (byTarget[t.target] ??= { n: 0, correct: 0, predicted: {} });
      c.n++;
      if (ok) c.correct++;
      const said = d.node ?? '(not a node)';
      c.predicted[said] = (c.predicted[said] ?? 0) + 1;
      bar?.update(n, { acc: (correct / n).toFixed(3) });
    }
    bar?.stop();
    const majority = Math.max(0, ...Object.values(byTarget).map((c) => c.n));
    const result = {
      checkpointId: o.checkpoint,
      datasetVersionId: o.dataset,
      split: o.split,
      backend: backend.active,
      images: n,
      accuracy: n ? correct / n : 0,
      onPathAccuracy: n ? onPath / n : 0,
      wellFormed: n ? wellFormed / n : 0,
      bucketAccuracy: n ? bucketRight / n : 0,
      majorityClassRate: n ? majority / n : 0,
      tokensPerSecond: seconds ? tokens / seconds : 0,
      byTarget,
    };
    if (n === 0) note(`no image of split ${o.split} has a specific label`);
    emit(!!o.json, result, () =>
      [
        `${n} ${o.split} images of ${o.dataset}: accuracy ${(result.accuracy * 100).toFixed(1)} % (on the right path ${(result.onPathAccuracy * 100).toFixed(1)} %; majority class ${(result.majorityClassRate * 100).toFixed(1)} %), well-formed ${(result.wellFormed * 100).toFixed(1)} %, malignancy bucket right ${(result.bucketAccuracy * 100).toFixed(1)} %`,
        ...Object.entries(byTarget).map(([k, c]) => `  ${k.padEnd(28)} ${c.correct}/${c.n}  said: ${Object.entries(c.predicted).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([p, m]) => `${p} ${m}`).join(', ')}`),
        `decoding ${result.tokensPerSecond.toFixed(0)} tokens/s on ${backend.active}`,
      ].join('\n'),
    );
  });
