import { ConflictError, NotFoundError } from '../lib/index.ts';

export class NoSuchImageError extends NotFoundError {
  constructor(ref: string) {
    super(`No such image: ${ref}`, { code: 'BERTH_NO_SUCH_IMAGE' });
  }
}

export class ImageInUseError extends ConflictError {}
