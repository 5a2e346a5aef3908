import { z } from 'zod';

export const QueueSelectionSchema = z.enum(['cpu', 'gpu', 'all']);
export type QueueSelection = z.infer<typeof QueueSelectionSchema>;

export function queuesOf(sel: QueueSelection): Array<'cpu' | 'gpu'> {
  return sel === 'all' ? ['cpu', 'gpu'] : [sel];
}
