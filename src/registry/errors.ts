// The distribution spec's error codes (distribution-spec spec.md "Error Codes", and
// distribution's registry/api/errcode + v2/errors.go for the status of each and the
// messages). A RegistryError becomes {"errors":[{code,message,detail}]} at the edge.

export const ERROR_STATUS: Record<string, number> = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  RANGE_INVALID: 416,
  TOO_MANY_REQUESTS: 429,
  UNKNOWN: 500,
};

export class RegistryError extends Error {
  constructor(readonly code: string, message: string, readonly detail?: unknown, readonly status = ERROR_STATUS[code] ?? 500) {
    super(message);
    this.name = 'RegistryError';
  }

  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, detail: this.detail ?? null }] });
  }
}
