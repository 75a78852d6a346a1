// System wire types: /version, /info, /_ping.

export interface VersionResponse {
  Platform: { Name: string };
  Components: { Name: string; Version: string; Details?: Record<string, string> }[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  BuildTime: string;
}

/** The API versions berthd serves: /v1.24 up to what docker CLI 28 asks for (1.50). */
export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';

/** One entry of GET /events (Docker's shape). */
export interface EventMessage {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}
