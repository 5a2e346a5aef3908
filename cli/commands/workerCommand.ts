import { Command, Option } from 'commander';
import { NativeConnection } from '@temporalio/worker';
import { temporalAddress } from '../../temporal.config.ts';
import { createWorkers } from '../../workers/createWorkers.ts';
import { installRuntime } from '../../workers/installRuntime.ts';
import { QueueSelectionSchema, type QueueSelection } from '../../workers/queueSelection.ts';
import { configFrom } from '../globalConfig.ts';
import { note } from '../output.ts';

export const workerCommand = new Command('worker')
  .description('run workers for the cpu queue, the gpu queue or both until SIGINT/SIGTERM (then finish or hand back running activities)')
  .addOption(new Option('--queue <queue>', 'which task queue(s) to poll').choices(QueueSelectionSchema.options).default('all'))
  .action(async (opts: { queue: QueueSelection }, cmd: Command) => {
    const cfg = configFrom(cmd);
    installRuntime('INFO');
    const address = temporalAddress(cfg);
    const connection = await NativeConnection.connect({ address });
    const workers = await createWorkers(cfg, connection, opts.queue);
    for (const w of workers) note(`worker ${w.options.identity} polling ${w.options.taskQueue} on ${address} (namespace ${cfg.namespace}), store ${cfg.storeRoot}`);
    // If one worker fails, the others still get their graceful shutdown before the process exits.
    const results = await Promise.allSettled(
      workers.map((w) =>
        w.run().catch((e: unknown) => {
          for (const other of workers) if (other !== w && other.getState() === 'RUNNING') other.shutdown();
          throw e;
        }),
      ),
    );
    await connection.close();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    note('workers stopped');
  });
