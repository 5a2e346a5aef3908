import { selectBackend, type BackendChoice, type BackendInfo } from '../model/selectBackend.ts';

let current: { requested: BackendChoice; info: Promise<BackendInfo> } | undefined;

/** The tensor backend for this worker process, chosen once per requested kind and logged by the caller. */
export function ensureBackend(requested: BackendChoice): Promise<BackendInfo> {
  if (!current || current.requested !== requested) current = { requested, info: selectBackend(requested) };
  return current.info;
}
