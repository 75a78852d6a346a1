// api/types: the Docker Engine API wire types (layer L1), shared by api/server and client.
// Field names are Docker's (PascalCase) exactly as in moby's api/swagger.yaml; only the
// subset berth serves is declared, and fields are added as features arrive. Never rename.
export * from './container.ts';
export * from './image.ts';
export * from './system.ts';
export * from './volume.ts';
export * from './disk-usage.ts';
export * from './stats.ts';
export { matchesEvent, validateEventFilters, EVENT_FILTER_KEYS } from './event-filter.ts';
export type { BuildRequest, BuildMessage } from './build.ts';
export * from './container-fs.ts';
export * from './build-session.ts';
