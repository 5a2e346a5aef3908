import type { DatasetSpecInput } from '../schemas/datasetSpec.ts';

/** Where the user's copy of a dataset is: the main metadata file, the image folder, and any named extra files. */
export interface AdapterPaths {
  metadata: string;
  images: string;
  /** Extra files by name (e.g. ISIC 2019 `metadata`, SkinCon `fitzpatrick17k`); defaults are looked up next to the metadata. */
  extra: Record<string, string>;
}

/** A built-in adapter: a few declarations turned into a dataset spec; the shared harmonizer does the rest. */
export interface AdapterDefinition {
  name: string;
  summary: string;
  /** Extra files it needs, with the file names tried next to the metadata file when not given. */
  extraFiles: Record<string, string[]>;
  spec(paths: AdapterPaths): DatasetSpecInput;
}
