/** The part of the `aliyun-api-gateway` package (Aliyun's Node.js gateway client) the tests use. */
declare module 'aliyun-api-gateway' {
  export interface RequestOptions {
    data?: unknown;
    query?: Record<string, string>;
    /** Names in any case; X-Ca-* ones here replace the client's own (nonce, timestamp). */
    headers?: Record<string, string | number>;
    /** Extra headers to send and sign. */
    signHeaders?: Record<string, string>;
    timeout?: number;
  }

  /** Signs with AppKey/AppSecret; rejects on a non-2xx answer with `code` set to the status. */
  export class Client {
    constructor(appKey: string, appSecret: string, stage?: string);
    get(url: string, options?: RequestOptions): Promise<unknown>;
    post(url: string, options?: RequestOptions): Promise<unknown>;
  }

  export const CONTENT_TYPE_FORM: string;
  export const CONTENT_TYPE_JSON: string;
}
