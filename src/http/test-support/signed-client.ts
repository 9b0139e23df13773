import { randomUUID } from 'node:crypto';
import {
  type GatewayRequest,
  gatewaySignature,
  gatewayStringToSign,
} from '../../service/api-signatures/gateway-signature.js';
import { type Answer, type CodeBody, request } from './http-client.js';

/** A request signed by hand, and what to change in it (after signing, or in the signature). */
export interface HandSigned {
  appKey: string;
  appSecret: string;
  path: string;
  query: Record<string, string>;
  timestamp?: number;
  nonce?: string;
  /** Parameters sent instead of the signed ones (a tampered request). */
  sentQuery?: Record<string, string>;
  /** Sent as they are, after signing. */
  extraHeaders?: Record<string, string>;
}

/** A GET signed as the gateway's clients sign it, sent over a real socket. */
export function signedGet<Body = CodeBody>(base: string, signing: HandSigned): Promise<Answer<Body>> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'x-ca-key': signing.appKey,
    'x-ca-timestamp': String(signing.timestamp ?? Date.now()),
    'x-ca-nonce': signing.nonce ?? randomUUID(),
  };
  const signed: GatewayRequest = { method: 'GET', path: signing.path, query: signing.query, headers };
  const names = ['x-ca-key', 'x-ca-nonce', 'x-ca-timestamp'];
  headers['x-ca-signature-headers'] = names.join(',');
  headers['x-ca-signature'] = gatewaySignature(gatewayStringToSign(signed, names), signing.appSecret);
  const search = new URLSearchParams(signing.sentQuery ?? signing.query).toString();
  return request<Body>(base, `${signing.path}${search ? `?${search}` : ''}`, {
    headers: { ...headers, ...signing.extraHeaders },
  });
}
