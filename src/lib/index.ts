// lib: domain-free helpers (layer L0). Node built-ins only; nothing here knows about
// containers, images or HTTP. Every file is single-purpose.
export * from './errors.ts';
