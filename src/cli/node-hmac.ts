// Node's own HMAC for the CLI's digests: the core's default goes through WebCrypto, which in
// Node copies a large input and hands it to a thread (about twice the hashing time at 100 MB).
import { createHmac } from 'node:crypto';
import type { HmacSha256 } from '../core/digest';

export const nodeHmacSha256: HmacSha256 = (key, data) =>
  new Uint8Array(createHmac('sha256', key).update(data).digest());
