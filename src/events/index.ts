// events: the in-process event bus (layer L2) behind GET /events and the engine's own
// reactions to state changes. Events have Docker's shape (Type, Action, Actor).
export { EventBus, type EngineEvent, type EventListener } from './event-bus.ts';
