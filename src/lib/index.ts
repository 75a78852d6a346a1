// lib: domain-free helpers (layer L0). Node built-ins only; nothing here knows about
// containers, images or HTTP. Every file is single-purpose.
export * from './errors.ts';
export * from './atomic-file.ts';
export * from './exec.ts';
export * from './ids.ts';
export * from './keyed-mutex.ts';
export * from './logger.ts';
export * from './go-arch.ts';
export * from './until.ts';
export * from './ignore-patterns.ts';
export * from './libc.ts';
export * from './tmpfs.ts';
