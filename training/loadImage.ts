import { ImageStore } from '../store/ImageStore.ts';
import { imageInput } from './modelPixels.ts';

/**
 * A stored image as the model's input: RGB resized to side x side, standardised per channel, row-major HWC. Decoded images are
 * kept in memory (a 48 px image is 27 KB as float32), since every epoch reads each one again.
 */
export class ImageLoader {
  private readonly cache = new Map<string, Float32Array>();
  private readonly images: ImageStore;

  constructor(storeRoot: string, readonly side: number) {
    this.images = new ImageStore(storeRoot);
  }

  async load(sha256: string): Promise<Float32Array> {
    const hit = this.cache.get(sha256);
    if (hit) return hit;
    const out = await imageInput(this.images.pathOf(sha256), this.side);
    this.cache.set(sha256, out);
    return out;
  }
}
