// image: local images (layer L3). An image is a config (content-addressed: its id is the
// sha256 of the config bytes) plus references (familiar name:tag -> id) and the layers
// its config's rootfs.diff_ids name. Vocabulary and layout: image-store.ts.
export { pruneImages, type ImagePruneDeps } from './prune.ts';
export { ImageService, type ImageUsage, type ImportOptions } from './image-service.ts';
export type { ImageRecord } from './image-store.ts';
export { NoSuchImageError } from './errors.ts';
export { applyChanges } from './apply-changes.ts';
export { DistributionService, type PullRequest } from './distribution-service.ts';
export { translatePullError } from './pull.ts';
export { ArchiveService } from './archive-service.ts';
