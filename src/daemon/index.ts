// daemon: berthd's composition root (layer L5): configuration, host preparation, wiring of
// the services, start-up reconcile and shutdown. No business logic lives here.
export { main } from './main.ts';
