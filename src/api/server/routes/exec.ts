// /exec/* routes.
import type { ExecInspect } from '../../types/index.ts';
import type { Route } from '../router.ts';
import { bridge, type StreamSession } from '../hijack.ts';

export interface ExecBackend {
  execStart(id: string, tty: boolean | undefined): Promise<StreamSession>;
  execInspect(id: string): ExecInspect;
  execResize(id: string, h: number, w: number): Promise<void>;
  execExists(id: string): void;
}

export function execRoutes(b: ExecBackend): Route[] {
  return [
    { method: 'POST', path: '/exec/{id}/start', handler: async (x) => {
      const body = await x.json<{ Detach?: boolean; Tty?: boolean }>();
      b.execExists(x.params.id!);
      const session = await b.execStart(x.params.id!, body.Tty);
      if (body.Detach) {
        session.onOutput(() => undefined, () => undefined);
        x.sendEmpty(200);
        return;
      }
      const info = b.execInspect(x.params.id!);
      await bridge(x, session, info.OpenStdin);
    } },
    { method: 'GET', path: '/exec/{id}/json', handler: (x) => { x.sendJson(200, b.execInspect(x.params.id!)); } },
    { method: 'POST', path: '/exec/{id}/resize', handler: async (x) => {
      await b.execResize(x.params.id!, x.int('h', 0), x.int('w', 0));
      x.sendEmpty(200);
    } },
  ];
}
