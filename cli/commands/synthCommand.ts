import path from 'node:path';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { generateSynthetic, type SyntheticFormat } from '../../datasets/synthetic/generateSynthetic.ts';
import { emit } from '../output.ts';
import { positiveInt } from '../positiveInt.ts';


export const synthCommand = new Command('synth')
  .description('write a synthetic dermoscopy dataset in a real format (images whose pixels show the concepts the metadata states)')
  .addOption(new Option('--format <format>', 'folder layout and metadata format').choices(['ham10000', 'derm7pt']).makeOptionMandatory())
  .requiredOption('--n <count>', 'images (ham10000) or cases with two images each (derm7pt)', positiveInt)
  .requiredOption('--out <dir>', 'output folder')
  .option('--seed <seed>', 'same seed, same dataset', 'skinr1')
  .option('--width <px>', 'image width', positiveInt, 192)
  .option('--height <px>', 'image height', positiveInt, 144)
  .option('--json', 'machine-readable output')
  .action(async (o: { format: SyntheticFormat; n: number; out: string; seed: string; width: number; height: number; json?: boolean }) => {
    const bar = process.stderr.isTTY && !o.json ? new cliProgress.SingleBar({ format: `synth ${o.format} {bar} {value}/{total}` }, cliProgress.Presets.shades_classic) : undefined;
    bar?.start(o.n, 0);
    const r = await generateSynthetic({ ...o, out: path.resolve(o.out), onProgress: (d) => bar?.update(d) });
    bar?.stop();
    emit(!!o.json, r, () => `wrote ${r.images} images, ${r.rows} metadata rows to ${r.out}\n  metadata: ${r.metadata}\n  classes: ${Object.entries(r.classes).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  });
